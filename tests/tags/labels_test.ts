import assert from "node:assert/strict";
import { labelIndex, labelList, labelsOf } from "../../lib/tags/labels.ts";

Deno.test("labelList: O first, then each label's tags in the scheme's prefix order", () => {
  assert.deepEqual(labelList(["ORG", "PERSON"], "IOB2"), [
    "O",
    "B-ORG",
    "I-ORG",
    "B-PERSON",
    "I-PERSON",
  ]);
  assert.deepEqual(labelList(["ORG"], "IOB1"), ["O", "B-ORG", "I-ORG"]);
  assert.deepEqual(labelList(["ORG"], "IOE1"), ["O", "I-ORG", "E-ORG"]);
  assert.deepEqual(labelList(["ORG"], "IOE2"), ["O", "I-ORG", "E-ORG"]);
  assert.deepEqual(labelList(["A", "B"], "IOBES"), [
    "O",
    "B-A",
    "I-A",
    "E-A",
    "S-A",
    "B-B",
    "I-B",
    "E-B",
    "S-B",
  ]);
  assert.deepEqual(labelList(["creative-work"], "BILOU"), [
    "O",
    "B-creative-work",
    "I-creative-work",
    "L-creative-work",
    "U-creative-work",
  ]);
  assert.deepEqual(labelList([], "IOB2"), ["O"]);
});

Deno.test("labelList / labelIndex: repeated or blank labels are errors", () => {
  assert.throws(() => labelList(["ORG", "ORG"], "IOB2"), /"ORG" is listed twice/);
  assert.throws(() => labelList(["NEW ORG"], "IOB2"), /white space/);
  assert.throws(() => labelIndex(["O", "B-X", "O"]), /"O" is listed twice/);
  const index = labelIndex(labelList(["ORG", "PERSON"], "IOB2"));
  assert.deepEqual([...index], [["O", 0], ["B-ORG", 1], ["I-ORG", 2], ["B-PERSON", 3], [
    "I-PERSON",
    4,
  ]]);
});

Deno.test("labelsOf: distinct labels of a corpus, sorted", () => {
  assert.deepEqual(
    labelsOf([
      { id: "a", text: "Ann at NIH", spans: [{ start: 7, end: 10, label: "ORG" }] },
      { id: "b", text: "Bo", spans: [{ start: 0, end: 2, label: "PERSON" }] },
      { id: "c", text: "MIT", spans: [{ start: 0, end: 3, label: "ORG" }] },
    ]),
    ["ORG", "PERSON"],
  );
  assert.deepEqual(labelsOf([]), []);
});
