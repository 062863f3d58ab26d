/**
 * Ordinary least squares with an intercept, as in R's `lm` + `summary.lm` and
 * statsmodels' `OLS(y, add_constant(X)).fit()`: coefficients with standard errors,
 * t tests and confidence intervals, R², adjusted R², the overall F test, sigma, the
 * Gaussian log-likelihood and statsmodels' AIC / BIC (`-2 llf + 2 k` and
 * `-2 llf + log(n) k`, k = number of coefficients, sigma not counted; R's `AIC()`
 * counts sigma and is larger by 2). With `robust: "HC3"` the covariance is
 * MacKinnon-White HC3, as statsmodels' `fit(cov_type="HC3", use_t=True)` (t
 * distribution for tests and intervals; the F statistic becomes the Wald test of
 * all slopes with that covariance, on (k - 1, n - k) degrees of freedom).
 *
 * The fit is Householder QR ({@linkcode leastSquares}); collinear columns get NaN
 * coefficients (as R's `NA`) and a warning. A design whose condition number
 * (statsmodels' definition) exceeds 1000 also gets a warning, in statsmodels' words.
 * Numbers agree with R 4.2 and statsmodels 0.13 to ~1e-10 relative (see
 * tests/stats/ols_test.ts and tools/ols_reference.py).
 *
 * @module
 */
import { table } from "../deps/arquero.ts";
import { fromColumns, leastSquares } from "./linalg.ts";
import { fUpperP, tQuantileOf, tTwoSidedP } from "./distributions.ts";
import { solveSymmetric, symmetricEigenvalues } from "./symmetric.ts";

/**
 * One row of the coefficient table.
 */
export type OlsCoefficient = {
  name: string;
  estimate: number;
  se: number;
  t: number;
  p: number;
  ci: [number, number];
};

/**
 * The result of {@linkcode ols}. `coefficients[0]` is "(Intercept)"; `vcov` is the
 * coefficient covariance (HC3 when asked for); `conditionNumber` is sqrt(max/min
 * eigenvalue of X'X) with the intercept column, as statsmodels reports it.
 */
export type OlsResult = {
  coefficients: OlsCoefficient[];
  r2: number;
  adjR2: number;
  f: number;
  fP: number;
  dfModel: number;
  dfResid: number;
  sigma: number;
  n: number;
  llf: number;
  aic: number;
  bic: number;
  rss: number;
  residuals: number[];
  fitted: number[];
  vcov: number[][];
  conditionNumber: number;
  rank: number;
  covType: "nonrobust" | "HC3";
  level: number;
  warnings: string[];
};

/**
 * Options of {@linkcode ols}: `robust: "HC3"` for heteroskedasticity-consistent
 * standard errors; `level` of the confidence intervals (default 0.95).
 */
export type OlsOptions = { robust?: "HC3"; level?: number };

/**
 * Fits `y ~ 1 + X` by least squares. `X` maps predictor names to columns (each as
 * long as `y`); the order of its keys is the order of the coefficients after the
 * intercept. Non-finite values throw an error naming the column and row.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ols } from "./ols.ts";
 * const fit = ols([3.1, 4.9, 7.2, 8.8, 11.1], { x: [1, 2, 3, 4, 5] });
 * const [intercept, slope] = fit.coefficients;
 * // slope = sum((x - 3)(y - 7.02)) / sum((x - 3)^2) = 19.9 / 10
 * assert.ok(Math.abs(slope.estimate - 1.99) < 1e-12);
 * assert.ok(Math.abs(intercept.estimate - 1.05) < 1e-12); // 7.02 - 1.99 * 3
 * assert.ok(slope.p < 0.001); // two-sided t test of slope = 0, on 3 df
 * ```
 */
export function ols(
  y: ArrayLike<number>,
  X: Record<string, ArrayLike<number>>,
  opts: OlsOptions = {},
): OlsResult {
  const level = opts.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new Error(`ols: level must be in (0, 1), got ${level}`);
  if (opts.robust !== undefined && opts.robust !== "HC3") {
    throw new Error(`ols: unknown robust covariance "${opts.robust}" (only "HC3")`);
  }
  const n = y.length;
  const names = ["(Intercept)", ...Object.keys(X)];
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(y[i])) throw new Error(`ols: y[${i}] is not a finite number (${y[i]})`);
  }
  const columns: ArrayLike<number>[] = [new Float64Array(n).fill(1)];
  for (const name of names.slice(1)) {
    if (name === "(Intercept)") throw new Error(`ols: "(Intercept)" is added automatically`);
    const col = X[name];
    if (col.length !== n) {
      throw new Error(`ols: column "${name}" has ${col.length} values, y has ${n}`);
    }
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(col[i])) {
        throw new Error(`ols: column "${name}" row ${i} is not a finite number (${col[i]})`);
      }
    }
    columns.push(col);
  }
  const p = names.length;
  if (n <= p) throw new Error(`ols: ${n} observations for ${p} coefficients (need more rows)`);
  const design = fromColumns(columns);
  const fit = leastSquares(design, y);
  const warnings: string[] = [];
  const kept: number[] = [];
  for (let j = 0; j < p; j++) if (!Number.isNaN(fit.coefficients[j])) kept.push(j);
  const rank = kept.length;
  if (rank < p) {
    const dropped = names.filter((_, j) => Number.isNaN(fit.coefficients[j]));
    warnings.push(
      `The design is rank deficient (rank ${rank} of ${p}): ${
        dropped.map((d) => `"${d}"`).join(", ")
      } ${dropped.length === 1 ? "is" : "are"} a linear combination of earlier columns; ` +
        `${dropped.length === 1 ? "its coefficient is" : "their coefficients are"} NaN.`,
    );
  }
  const dfResid = n - rank, dfModel = rank - 1;
  const rss = fit.rss;
  let ybar = 0;
  for (let i = 0; i < n; i++) ybar += y[i];
  ybar /= n;
  let tss = 0;
  for (let i = 0; i < n; i++) tss += (y[i] - ybar) ** 2;
  const sigma2 = rss / dfResid;
  const r2 = 1 - rss / tss;
  const adjR2 = 1 - ((n - 1) / dfResid) * (1 - r2);

  // Covariance of the kept coefficients (NaN rows/columns for the aliased ones).
  const vcov = Array.from({ length: p }, () => new Array<number>(p).fill(NaN));
  const U = fit.unscaled;
  if (opts.robust === "HC3") {
    const k = kept.length;
    const meat = new Float64Array(k * k);
    const xi = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < k; a++) xi[a] = design.data[i * p + kept[a]];
      let h = 0;
      for (let a = 0; a < k; a++) {
        let s = 0;
        for (let b = 0; b < k; b++) s += U[kept[a] * p + kept[b]] * xi[b];
        h += xi[a] * s;
      }
      const w = fit.residuals[i] ** 2 / (1 - h) ** 2;
      for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) meat[a * k + b] += w * xi[a] * xi[b];
    }
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) {
        let s = 0;
        for (let c = 0; c < k; c++) {
          for (let d = 0; d < k; d++) {
            s += U[kept[a] * p + kept[c]] * meat[c * k + d] * U[kept[d] * p + kept[b]];
          }
        }
        vcov[kept[a]][kept[b]] = s;
      }
    }
  } else {
    for (const a of kept) for (const b of kept) vcov[a][b] = sigma2 * U[a * p + b];
  }

  const tq = tQuantileOf(1 - (1 - level) / 2, dfResid);
  const coefficients: OlsCoefficient[] = names.map((name, j) => {
    const estimate = fit.coefficients[j];
    const se = Math.sqrt(vcov[j][j]);
    const t = estimate / se;
    return {
      name,
      estimate,
      se,
      t,
      p: Number.isNaN(t) ? NaN : tTwoSidedP(t, dfResid),
      ci: [estimate - tq * se, estimate + tq * se],
    };
  });

  // Overall F test of all slopes (those not aliased).
  let f = NaN, fP = NaN;
  const slopes = kept.filter((j) => j !== 0);
  if (slopes.length > 0) {
    if (opts.robust === "HC3") {
      const q = slopes.length;
      const V = new Float64Array(q * q);
      const b = new Float64Array(q);
      for (let a = 0; a < q; a++) {
        b[a] = fit.coefficients[slopes[a]];
        for (let c = 0; c < q; c++) V[a * q + c] = vcov[slopes[a]][slopes[c]];
      }
      try {
        const z = solveSymmetric(V, b, q);
        let w = 0;
        for (let a = 0; a < q; a++) w += b[a] * z[a];
        f = w / q;
      } catch {
        warnings.push("The HC3 covariance of the slopes is singular: no robust F test.");
      }
    } else {
      f = ((tss - rss) / dfModel) / sigma2;
    }
    if (!Number.isNaN(f)) fP = fUpperP(f, slopes.length, dfResid);
  }

  const llf = -(n / 2) * (Math.log(2 * Math.PI) + Math.log(rss / n) + 1);
  const kParams = rank;
  const aic = -2 * llf + 2 * kParams;
  const bic = -2 * llf + Math.log(n) * kParams;

  // statsmodels' condition number and its two warnings.
  const xtx = new Float64Array(p * p);
  for (let a = 0; a < p; a++) {
    for (let b = a; b < p; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += design.data[i * p + a] * design.data[i * p + b];
      xtx[a * p + b] = s;
      xtx[b * p + a] = s;
    }
  }
  const eig = symmetricEigenvalues(xtx, p);
  const conditionNumber = Math.sqrt(eig[p - 1] / eig[0]);
  if (eig[0] < 1e-10) {
    warnings.push(
      `The smallest eigenvalue of X'X is ${eig[0].toPrecision(3)}. This might indicate ` +
        "that there are strong multicollinearity problems or that the design matrix is singular.",
    );
  } else if (conditionNumber > 1000) {
    warnings.push(
      `The condition number is large, ${conditionNumber.toPrecision(3)}. This might ` +
        "indicate that there are strong multicollinearity or other numerical problems.",
    );
  }

  return {
    coefficients,
    r2,
    adjR2,
    f,
    fP,
    dfModel,
    dfResid,
    sigma: Math.sqrt(sigma2),
    n,
    llf,
    aic,
    bic,
    rss,
    residuals: Array.from(fit.residuals),
    fitted: Array.from(fit.fitted),
    vcov,
    conditionNumber,
    rank,
    covType: opts.robust === "HC3" ? "HC3" : "nonrobust",
    level,
    warnings,
  };
}

/**
 * The coefficient table as an arquero table with columns `term`, `estimate`, `se`,
 * `t`, `p`, `ci_lo`, `ci_hi`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ols, olsTable } from "./ols.ts";
 * const t = olsTable(ols([1, 3, 2, 5, 4], { x: [1, 2, 3, 4, 5] }));
 * assert.deepEqual(t.array("term"), ["(Intercept)", "x"]);
 * assert.ok(Math.abs(t.get("estimate", 1) - 0.8) < 1e-12); // slope 8 / 10
 * ```
 */
export function olsTable(result: OlsResult): ReturnType<typeof table> {
  const c = result.coefficients;
  return table({
    term: c.map((r) => r.name),
    estimate: c.map((r) => r.estimate),
    se: c.map((r) => r.se),
    t: c.map((r) => r.t),
    p: c.map((r) => r.p),
    ci_lo: c.map((r) => r.ci[0]),
    ci_hi: c.map((r) => r.ci[1]),
  });
}

function fmt(v: number, digits = 4): string {
  if (Number.isNaN(v)) return "NA";
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e6)) return v.toExponential(digits - 1);
  return v.toFixed(digits);
}

function fmtP(p: number): string {
  if (Number.isNaN(p)) return "NA";
  return p < 2.2e-16 ? "<2e-16" : p < 1e-4 ? p.toExponential(2) : p.toFixed(4);
}

/**
 * A plain-text summary in the manner of R's `summary(lm)`: the coefficient table,
 * sigma, R², adjusted R², the F test, llf / AIC / BIC and any warnings.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatOls, ols } from "./ols.ts";
 * const text = formatOls(ols([1, 3, 2, 5, 4], { x: [1, 2, 3, 4, 5] }));
 * assert.match(text, /^OLS, n = 5\n/);
 * assert.match(text, /\nx +0\.8000 /); // slope 8 / 10
 * assert.match(text, /Multiple R-squared: 0\.6400/); // 6.4 / 10
 * ```
 */
export function formatOls(result: OlsResult): string {
  const lvl = Math.round(result.level * 1000) / 10;
  const header = ["", "Estimate", "Std. Error", "t value", "Pr(>|t|)", `${lvl}% CI`];
  const rows = result.coefficients.map((c) => [
    c.name,
    fmt(c.estimate),
    fmt(c.se),
    fmt(c.t, 3),
    fmtP(c.p),
    `[${fmt(c.ci[0])}, ${fmt(c.ci[1])}]`,
  ]);
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (r: string[]) =>
    r.map((v, j) => (j === 0 ? v.padEnd(widths[j]) : v.padStart(widths[j]))).join("  ");
  const out = [
    `OLS, n = ${result.n}${result.covType === "HC3" ? ", HC3 robust standard errors" : ""}`,
    "",
    "Coefficients:",
    line(header),
    ...rows.map(line),
    "",
    `Residual standard error: ${fmt(result.sigma)} on ${result.dfResid} degrees of freedom`,
    `Multiple R-squared: ${fmt(result.r2)}, Adjusted R-squared: ${fmt(result.adjR2)}`,
    `F-statistic: ${fmt(result.f)} on ${result.dfModel} and ${result.dfResid} DF, ` +
    `p-value: ${fmtP(result.fP)}`,
    `Log-likelihood: ${fmt(result.llf)}, AIC: ${fmt(result.aic)}, BIC: ${fmt(result.bic)}`,
  ];
  for (const w of result.warnings) out.push(`Warning: ${w}`);
  return out.join("\n");
}
