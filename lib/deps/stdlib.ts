/**
 * The `@stdlib` distribution functions, pinned (see arquero.ts for why lib/deps names
 * versions).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalCdf } from "./stdlib.ts";
 * assert.equal(normalCdf(0, 0, 1), 0.5);
 * ```
 *
 * @module
 */
export { default as betainc } from "npm:@stdlib/math-base-special-betainc@0.2.3";
export { default as tCdf } from "npm:@stdlib/stats-base-dists-t-cdf@0.2.3";
export { default as tQuantile } from "npm:@stdlib/stats-base-dists-t-quantile@0.2.3";
export { default as fCdf } from "npm:@stdlib/stats-base-dists-f-cdf@0.2.3";
export { default as normalCdf } from "npm:@stdlib/stats-base-dists-normal-cdf@0.3.1";
export { default as normalQuantile } from "npm:@stdlib/stats-base-dists-normal-quantile@0.3.1";
export { default as chisquareCdf } from "npm:@stdlib/stats-base-dists-chisquare-cdf@0.3.1";
