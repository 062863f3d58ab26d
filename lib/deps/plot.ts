/**
 * Observable Plot, pinned (see arquero.ts for why lib/deps names versions).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as Plot from "./plot.ts";
 * assert.equal(typeof Plot.dot([{ x: 1, y: 2 }], { x: "x", y: "y" }).plot, "function");
 * ```
 *
 * @module
 */
export * from "npm:@observablehq/plot@0.6.17";
