import assert from "node:assert/strict";
import {
  classificationReport,
  classificationReportDict,
  formatFixed,
} from "../../lib/metrics/report.ts";
import { README_PRED, README_TRUE } from "./fixtures/seqeval_readme.ts";

// seqeval's README output (default mode, and strict mode with IOB2: the same text).
const README_REPORT = [
  "              precision    recall  f1-score   support",
  "",
  "        MISC       0.00      0.00      0.00         1",
  "         PER       1.00      1.00      1.00         1",
  "",
  "   micro avg       0.50      0.50      0.50         2",
  "   macro avg       0.50      0.50      0.50         2",
  "weighted avg       0.50      0.50      0.50         2",
  "",
].join("\n");

Deno.test("classificationReport: seqeval README output, default and strict", () => {
  assert.equal(classificationReport(README_TRUE, README_PRED), README_REPORT);
  assert.equal(
    classificationReport(README_TRUE, README_PRED, { mode: "strict", scheme: "IOB2" }),
    README_REPORT,
  );
  // strict without a scheme detects IOB2 from yTrue, as seqeval's report does
  assert.equal(classificationReport(README_TRUE, README_PRED, { mode: "strict" }), README_REPORT);
});

Deno.test("classificationReport: seqeval test_v1 output string", () => {
  const yTrue = [["B-A", "B-B", "O", "B-A"]], yPred = [["O", "B-B", "B-C", "B-A"]];
  const expected = [
    "              precision    recall  f1-score   support",
    "",
    "           A       1.00      0.50      0.67         2",
    "           B       1.00      1.00      1.00         1",
    "           C       0.00      0.00      0.00         0",
    "",
    "   micro avg       0.67      0.67      0.67         3",
    "   macro avg       0.67      0.50      0.56         3",
    "weighted avg       1.00      0.67      0.78         3",
    "",
  ].join("\n");
  assert.equal(
    classificationReport(yTrue, yPred, { mode: "strict", scheme: "IOB2", zeroDivision: 0 }),
    expected,
  );
});

Deno.test("classificationReportDict: seqeval test_v1 output_dict, exact floats", () => {
  const yTrue = [["B-A", "B-B", "O", "B-A"]], yPred = [["O", "B-B", "B-C", "B-A"]];
  assert.deepEqual(classificationReportDict(yTrue, yPred, { zeroDivision: 0 }), {
    A: { "f1-score": 0.6666666666666666, precision: 1.0, recall: 0.5, support: 2 },
    B: { "f1-score": 1.0, precision: 1.0, recall: 1.0, support: 1 },
    C: { "f1-score": 0.0, precision: 0.0, recall: 0.0, support: 0 },
    "macro avg": {
      "f1-score": 0.5555555555555555,
      precision: 0.6666666666666666,
      recall: 0.5,
      support: 3,
    },
    "micro avg": {
      "f1-score": 0.6666666666666666,
      precision: 0.6666666666666666,
      recall: 0.6666666666666666,
      support: 3,
    },
    "weighted avg": {
      "f1-score": 0.7777777777777777,
      precision: 1.0,
      recall: 0.6666666666666666,
      support: 3,
    },
  });
});

Deno.test("classificationReport: digits and long type names widen the layout", () => {
  const yTrue = [["B-ORGANIZATION_LONG", "O"]], yPred = [["B-ORGANIZATION_LONG", "O"]];
  const text = classificationReport(yTrue, yPred, { digits: 4 });
  const lines = text.split("\n");
  // width = len("ORGANIZATION_LONG") = 17; each number column is " " + 9 wide
  assert.equal(lines[0], " ".repeat(17) + "  precision    recall  f1-score   support");
  assert.equal(lines[2], "ORGANIZATION_LONG     1.0000    1.0000    1.0000         1");
});

Deno.test("formatFixed rounds as Python's format: exact value, ties to even", () => {
  // Python: format(0.125, '.2f') == '0.12', format(0.375, '.2f') == '0.38',
  // format(2.5, '.0f') == '2', format(0.5, '.0f') == '0', format(1/3, '.4f') == '0.3333',
  // format(0.665, '.2f') == '0.67' (0.665 is stored as 0.66500000000000003552...)
  assert.equal(formatFixed(0.125, 2), "0.12");
  assert.equal(formatFixed(0.375, 2), "0.38");
  assert.equal(formatFixed(2.5, 0), "2");
  assert.equal(formatFixed(0.5, 0), "0");
  assert.equal(formatFixed(1 / 3, 4), "0.3333");
  assert.equal(formatFixed(0.665, 2), "0.67");
  assert.equal(formatFixed(-0.125, 2), "-0.12");
  assert.equal(formatFixed(NaN, 2), "nan");
});
