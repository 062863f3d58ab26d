import assert from "node:assert/strict";
import { ALLOWED_PREFIXES, parseTag } from "../../lib/core/prefix.ts";
import { SCHEMES } from "../../lib/core/scheme.ts";
import { CorpusError } from "../../lib/core/errors.ts";

Deno.test("parseTag: splits at the first hyphen", () => {
  assert.deepEqual(parseTag("B-creative-work", "IOB2", 0), { prefix: "B", type: "creative-work" });
  assert.deepEqual(parseTag("O", "BILOU", 0), { prefix: "O", type: "" });
  assert.deepEqual(parseTag("U-PER", "BILOU", 0), { prefix: "U", type: "PER" });
});

Deno.test("parseTag: each scheme accepts exactly its prefixes", () => {
  // hand-written from the scheme definitions
  const want: Record<string, string> = {
    IOB1: "BIO",
    IOB2: "BIO",
    IOE1: "EIO",
    IOE2: "EIO",
    IOBES: "BEIOS",
    BILOU: "BILOU",
  };
  for (const scheme of SCHEMES) {
    assert.equal([...ALLOWED_PREFIXES[scheme]].sort().join(""), want[scheme]);
    for (const p of "BIESLU") {
      const ok = want[scheme].includes(p);
      if (ok) assert.equal(parseTag(`${p}-X`, scheme, 4).prefix, p);
      else {
        assert.throws(
          () => parseTag(`${p}-X`, scheme, 4),
          (e: unknown) =>
            e instanceof CorpusError && e.index === 4 &&
            e.message.includes(`prefix ${p}- is not allowed in ${scheme}`),
        );
      }
    }
  }
});

Deno.test("parseTag: malformed tags name their position", () => {
  for (const tag of ["", "B", "B-", "O-PER", "PER", "b-PER", "-PER"]) {
    assert.throws(() => parseTag(tag, "IOB2", 9), /at position 9 is not "O" or PREFIX-TYPE/, tag);
  }
});
