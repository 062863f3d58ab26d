/**
 * fflate, pinned (see arquero.ts for why lib/deps names versions): gzip and zip.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gunzipSync, gzipSync } from "./fflate.ts";
 * assert.deepEqual([...gunzipSync(gzipSync(new Uint8Array([1, 2, 3])))], [1, 2, 3]);
 * ```
 *
 * @module
 */
export { gunzipSync, gzipSync, Inflate, zipSync } from "npm:fflate@0.8.3";
