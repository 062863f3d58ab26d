import assert from "node:assert/strict";
import fc from "fast-check";
import { repairTags } from "../../lib/tags/repair.ts";
import { spansToTags, tagsToChunks } from "../../lib/core/convert.ts";
import { ALLOWED_PREFIXES } from "../../lib/core/prefix.ts";
import { SCHEMES } from "../../lib/core/scheme.ts";

Deno.test("repairTags: hand-worked repairs in each scheme", () => {
  // [scheme, input, repaired], repaired worked out by reading the input as conlleval
  // does and writing the entities in the scheme
  const cases: [typeof SCHEMES[number], string[], string[]][] = [
    ["IOB2", ["O", "I-PER", "I-PER", "I-ORG"], ["O", "B-PER", "I-PER", "B-ORG"]],
    ["IOB1", ["O", "B-PER", "I-PER", "B-ORG"], ["O", "I-PER", "I-PER", "I-ORG"]],
    ["IOB1", ["I-PER", "B-PER"], ["I-PER", "B-PER"]],
    ["IOE1", ["I-X", "E-X", "O", "E-X", "E-X"], ["I-X", "I-X", "O", "E-X", "I-X"]],
    ["IOE2", ["I-X", "I-X", "O", "I-X", "I-Y"], ["I-X", "E-X", "O", "E-X", "E-Y"]],
    ["IOBES", ["B-X", "I-X", "O", "I-Y", "B-Y"], ["B-X", "E-X", "O", "S-Y", "S-Y"]],
    ["BILOU", ["I-X", "I-X", "I-X", "U-X", "B-X"], ["B-X", "I-X", "L-X", "U-X", "U-X"]],
  ];
  for (const [scheme, input, want] of cases) {
    const { tags, changes } = repairTags(input, scheme);
    assert.deepEqual(tags, want, `${scheme} ${input.join(" ")}`);
    const changed = input.flatMap((t, i) => t === want[i] ? [] : [i]);
    assert.deepEqual(changes.map((c) => c.index), changed);
    for (const c of changes) {
      assert.equal(c.from, input[c.index]);
      assert.equal(c.to, want[c.index]);
    }
  }
});

Deno.test("repairTags: reason names role, entity and rule", () => {
  const { changes } = repairTags(["O", "I-PER", "I-PER"], "IOB2");
  assert.deepEqual(changes, [{
    index: 1,
    from: "I-PER",
    to: "B-PER",
    reason: "first token of PER entity at tokens 1..2 is B-PER (IOB2 starts every entity with B-)",
  }]);
});

Deno.test("repairTags: disallowed prefix is an error naming the position", () => {
  assert.throws(() => repairTags(["O", "O", "S-X"], "IOB2"), /position 2/);
});

for (const scheme of SCHEMES) {
  Deno.test(`property: ${scheme} repair keeps conlleval's entities and makes the tags valid`, () => {
    const types = ["A", "B"];
    const tagArb = fc.constantFrom(
      "O",
      ...ALLOWED_PREFIXES[scheme].filter((p) => p !== "O").flatMap((p) =>
        types.map((t) => `${p}-${t}`)
      ),
    );
    fc.assert(
      fc.property(fc.array(tagArb, { maxLength: 25 }), (input) => {
        const { tags, changes } = repairTags(input, scheme);
        const lenient = tagsToChunks(input, scheme);
        // same entities under the lenient reading
        assert.deepEqual(tagsToChunks(tags, scheme), lenient);
        // valid: strict reading finds them all
        assert.deepEqual(tagsToChunks(tags, scheme, "strict"), lenient);
        // a valid sequence (strict == default) is returned unchanged
        const valid = tagsToChunks(input, scheme, "strict").length === lenient.length;
        assert.equal(changes.length === 0, valid);
        // idempotent
        assert.deepEqual(repairTags(tags, scheme).changes, []);
      }),
      { numRuns: 400 },
    );
  });
}

Deno.test("repairTags: output of spansToTags needs no repair", () => {
  const tokens = [0, 1, 2, 3, 4].map((i) => ({ start: 2 * i, end: 2 * i + 1 }));
  const spans = [{ start: 0, end: 1, label: "A" }, { start: 2, end: 5, label: "A" }];
  for (const scheme of SCHEMES) {
    assert.deepEqual(repairTags(spansToTags(tokens, spans, scheme), scheme).changes, []);
  }
});
