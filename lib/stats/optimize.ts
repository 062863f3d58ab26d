/**
 * One-dimensional minimisation by Brent's method (golden section with parabolic
 * interpolation, Brent 1973, ch. 5), taking the same steps as R's `optimize()`
 * (its C routine `Brent_fmin`), so that procedures built on `optimize` in R
 * (segmented's step-length search) reach the same point here.
 *
 * @module
 */

/**
 * The result of {@link optimize}: the minimiser, the function's value there, and the
 * number of function evaluations.
 */
export type OptimizeResult = { minimum: number; objective: number; evaluations: number };

/**
 * Minimises `f` on `[lower, upper]` as R's `optimize(f, c(lower, upper), tol = tol)`
 * does (default `tol = .Machine$double.eps^0.25`). Like R, `objective` is `f`
 * evaluated once more at the returned point.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { optimize } from "./optimize.ts";
 * const r = optimize((x) => (x - 1 / 3) ** 2, 0, 1); // R: optimize(...)$minimum 0.3333333
 * assert.ok(Math.abs(r.minimum - 1 / 3) < 1e-7);
 * ```
 */
export function optimize(
  f: (x: number) => number,
  lower: number,
  upper: number,
  tol = Math.pow(2.220446049250313e-16, 0.25),
): OptimizeResult {
  if (!(lower < upper)) throw new Error(`optimize: need lower < upper, got [${lower}, ${upper}]`);
  const golden = (3 - Math.sqrt(5)) * 0.5;
  const sqrtEps = Math.sqrt(2.220446049250313e-16);
  let a = lower, b = upper;
  let x = a + golden * (b - a);
  let w = x, v = x;
  let d = 0, e = 0;
  let fx = f(x);
  let fw = fx, fv = fx;
  let evaluations = 1;
  const tol3 = tol / 3;
  for (;;) {
    const xm = (a + b) * 0.5;
    const tol1 = sqrtEps * Math.abs(x) + tol3;
    const t2 = tol1 * 2;
    if (Math.abs(x - xm) <= t2 - (b - a) * 0.5) break;
    let p = 0, q = 0, r = 0;
    if (Math.abs(e) > tol1) {
      // Parabola through (v, fv), (w, fw), (x, fx).
      r = (x - w) * (fx - fv);
      q = (x - v) * (fx - fw);
      p = (x - v) * q - (x - w) * r;
      q = (q - r) * 2;
      if (q > 0) p = -p;
      else q = -q;
      r = e;
      e = d;
    }
    let u: number;
    if (Math.abs(p) >= Math.abs(q * 0.5 * r) || p <= q * (a - x) || p >= q * (b - x)) {
      e = x < xm ? b - x : a - x; // golden-section step into the larger part
      d = golden * e;
    } else {
      d = p / q; // parabolic step, kept away from the ends
      u = x + d;
      if (u - a < t2 || b - u < t2) d = x >= xm ? -tol1 : tol1;
    }
    // Never evaluate closer than tol1 to x.
    if (Math.abs(d) >= tol1) u = x + d;
    else u = d > 0 ? x + tol1 : x - tol1;
    const fu = f(u);
    evaluations++;
    // A tie fu == fx moves both ends, as R's routine does.
    if (fx <= fu) {
      if (u < x) a = u;
      else b = u;
    }
    if (fu <= fx) {
      if (u < x) b = x;
      else a = x;
      v = w, fv = fw;
      w = x, fw = fx;
      x = u, fx = fu;
    } else {
      if (fu <= fw || w === x) {
        v = w, fv = fw;
        w = u, fw = fu;
      } else if (fu <= fv || v === x || v === w) {
        v = u, fv = fu;
      }
    }
  }
  return { minimum: x, objective: f(x), evaluations: evaluations + 1 };
}
