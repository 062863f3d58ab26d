import assert from "node:assert/strict";
import { cohenKappa, fleissKappa } from "../../lib/metrics/kappa.ts";

const rep = <T>(x: T, n: number): T[] => Array.from({ length: n }, () => x);

Deno.test("cohenKappa: Wikipedia's worked example gives 0.4", () => {
  // 50 grant proposals: yes/yes 20, yes/no 5, no/yes 10, no/no 15; p_o = 0.7, p_e = 0.5
  const a = [...rep("yes", 25), ...rep("no", 25)];
  const b = [...rep("yes", 20), ...rep("no", 5), ...rep("yes", 10), ...rep("no", 15)];
  assert.ok(Math.abs(cohenKappa(a, b) - 0.4) < 1e-12);
});

Deno.test("cohenKappa: three labels, statsmodels reference", () => {
  // statsmodels 0.13.5 (Debian python3-statsmodels):
  // cohens_kappa(contingency table of a vs b).kappa == 0.4782608695652174
  const a = "PER PER O O ORG O PER ORG O O O PER".split(" ");
  const b = "PER O O O ORG ORG PER PER O O ORG PER".split(" ");
  assert.ok(Math.abs(cohenKappa(a, b) - 0.4782608695652174) < 1e-15);
  assert.equal(cohenKappa(a, a), 1);
  assert.ok(Number.isNaN(cohenKappa(["O", "O"], ["O", "O"])));
  assert.throws(() => cohenKappa(["O"], []), /1 labels from rater a but 0/);
});

// Fleiss (1971) example as on Wikipedia: 10 subjects, 14 raters, 5 categories.
const FLEISS = [
  [0, 0, 0, 0, 14],
  [0, 2, 6, 4, 2],
  [0, 0, 3, 5, 6],
  [0, 3, 9, 2, 0],
  [2, 2, 8, 1, 1],
  [7, 7, 0, 0, 0],
  [3, 2, 6, 3, 0],
  [2, 5, 3, 2, 2],
  [6, 5, 2, 1, 0],
  [0, 2, 2, 3, 7],
];

Deno.test("fleissKappa: Wikipedia's worked example gives 0.210", () => {
  const f = fleissKappa(FLEISS);
  // Wikipedia: P-bar 0.378, P-bar_e 0.213, kappa 0.210; statsmodels 0.13.5
  // fleiss_kappa(table) == 0.20993070442195522
  assert.equal(f.pBar.toFixed(3), "0.378");
  assert.equal(f.pe.toFixed(3), "0.213");
  assert.equal(f.kappa.toFixed(3), "0.210");
  assert.ok(Math.abs(f.kappa - 0.20993070442195522) < 1e-15);
});

Deno.test("fleissKappa: another statsmodels reference; per category with two categories", () => {
  // statsmodels: fleiss_kappa([[3,0,0],[1,2,0],[0,1,2],[1,1,1],[0,0,3],[2,0,1]]) == 0.22857142857142856
  const t = [[3, 0, 0], [1, 2, 0], [0, 1, 2], [1, 1, 1], [0, 0, 3], [2, 0, 1]];
  assert.ok(Math.abs(fleissKappa(t).kappa - 0.22857142857142856) < 1e-15);
  // with two categories, each category's kappa equals the overall kappa (Fleiss 1971)
  const two = [[3, 1], [2, 2], [4, 0], [0, 4], [1, 3], [4, 0]];
  const f = fleissKappa(two);
  for (const kj of f.byCategory) assert.ok(Math.abs(kj - f.kappa) < 1e-12);
  assert.equal(fleissKappa([[3, 0], [0, 3]]).kappa, 1);
});

Deno.test("fleissKappa: bad tables are errors", () => {
  assert.throws(() => fleissKappa([]), /no subjects/);
  assert.throws(() => fleissKappa([[2, 1], [1, 1]]), /row 1 has 2 ratings, row 0 has 3/);
  assert.throws(() => fleissKappa([[1, 0]]), /at least 2 ratings/);
});
