import assert from "node:assert/strict";
import fc from "fast-check";
import { codePointToUtf16, utf16ToCodePoint } from "../../lib/corpus/offsets.ts";

Deno.test("offsets: texts without surrogates need no conversion", () => {
  assert.equal(codePointToUtf16("Alice met Bob. é ü"), null);
  assert.equal(utf16ToCodePoint("Alice met Bob. é ü"), null);
  assert.equal(codePointToUtf16(""), null);
});

Deno.test("offsets: hand-worked conversions around astral characters", () => {
  // "a😀b😀": code points a=0 😀=1 b=2 😀=3, end 4; UTF-16 a=0 😀=1,2 b=3 😀=4,5, end 6.
  const text = "a😀b😀";
  const toU = codePointToUtf16(text)!;
  assert.deepEqual([0, 1, 2, 3, 4].map(toU), [0, 1, 3, 4, 6]);
  assert.ok(Number.isNaN(toU(-1)));
  assert.ok(Number.isNaN(toU(5)));
  const toCp = utf16ToCodePoint(text)!;
  assert.deepEqual([0, 1, 3, 4, 6].map(toCp), [0, 1, 2, 3, 4]);
  // Inside a surrogate pair, or outside the text: NaN.
  for (const u of [2, 5, -1, 7]) assert.ok(Number.isNaN(toCp(u)), `offset ${u}`);
});

Deno.test("offsets: the two converters are inverse on every code-point boundary", () => {
  fc.assert(
    fc.property(fc.string({ unit: "grapheme", maxLength: 30 }), (text) => {
      const toU = codePointToUtf16(text);
      const toCp = utf16ToCodePoint(text);
      assert.equal(toU === null, toCp === null);
      const points = [...text].length;
      for (let cp = 0; cp <= points; cp++) {
        const u = toU ? toU(cp) : cp;
        // The UTF-16 offset is the length of the first cp code points.
        assert.equal(u, [...text].slice(0, cp).join("").length);
        assert.equal(toCp ? toCp(u) : u, cp);
      }
    }),
    { numRuns: 200 },
  );
});
