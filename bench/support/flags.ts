/**
 * The benchmarks' command-line numbers (`--runs 8`).
 *
 * @module
 */

/**
 * The number after `name` in the command's arguments, else `fallback`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { numberFlag } from "./flags.ts";
 * assert.equal(numberFlag("--not-given", 6), 6);
 * ```
 */
export function numberFlag(name: string, fallback: number): number {
  const at = Deno.args.indexOf(name);
  return at >= 0 ? Number(Deno.args[at + 1]) : fallback;
}
