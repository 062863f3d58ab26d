import assert from "node:assert/strict";
import {
  chisquareUpperP,
  fCdfOf,
  fUpperP,
  normalCdfOf,
  normalQuantileOf,
  tCdfOf,
  tQuantileOf,
  tTwoSidedP,
} from "../../lib/stats/distributions.ts";

// Reference values from R 4.2 (`options(digits = 17)`): 2 * pt(-|t|, df),
// pf(f, d1, d2, lower.tail = FALSE), qt, pt, pf, pchisq, qnorm, pnorm; the tiny
// p-values agree with scipy 1.10's f.sf / t.sf to ~1e-14 relative.
function close(got: number, want: number, rel: number, what: string) {
  assert.ok(
    Math.abs(got - want) <= rel * Math.abs(want),
    `${what}: got ${got}, want ${want}`,
  );
}

Deno.test("tTwoSidedP matches R's 2 * pt(-|t|, df), tiny p-values included", () => {
  close(tTwoSidedP(2.228, 10), 5.0011771817111327e-02, 1e-12, "t 2.228, 10");
  close(tTwoSidedP(-2.228, 10), 5.0011771817111327e-02, 1e-12, "t -2.228, 10");
  close(tTwoSidedP(50, 3), 1.7617152041271951e-05, 1e-10, "t 50, 3");
  close(tTwoSidedP(12, 30), 5.5801854151992606e-13, 1e-10, "t 12, 30");
  close(tTwoSidedP(40, 2497), 8.3249883497013541e-271, 1e-10, "t 40, 2497");
  assert.equal(tTwoSidedP(0, 5), 1);
});

Deno.test("fUpperP matches R's pf(lower.tail = FALSE), tiny p-values included", () => {
  close(fUpperP(4.1, 2, 30), 2.6660505344448582e-02, 1e-12, "F 4.1, 2, 30");
  close(fUpperP(0.5, 3, 7), 6.9403638756881381e-01, 1e-12, "F 0.5, 3, 7");
  close(fUpperP(150, 3, 100), 6.9889075551044576e-37, 1e-10, "F 150, 3, 100");
  close(fUpperP(300, 2, 2497), 1.7256600208004173e-117, 1e-10, "F 300, 2, 2497");
  assert.equal(fUpperP(0, 2, 10), 1);
  assert.equal(fUpperP(2034, 2, 2497), 0); // underflows in R too
});

Deno.test("quantiles and CDFs match R", () => {
  close(tQuantileOf(0.975, 10), 2.2281388519862739, 1e-12, "qt");
  close(tCdfOf(2.228, 10), 9.7499411409144432e-01, 1e-12, "pt");
  close(fCdfOf(4.1, 2, 30), 9.7333949465555136e-01, 1e-12, "pf");
  close(chisquareUpperP(3.84, 1), 5.0043521248705224e-02, 1e-10, "pchisq");
  close(normalQuantileOf(0.975), 1.9599639845400536, 1e-14, "qnorm");
  close(normalCdfOf(1.96), 9.7500210485177963e-01, 1e-14, "pnorm");
});
