/**
 * The tagging schemes the toolkit converts between.
 *
 * @module
 */

/**
 * A tagging scheme: IOB1 (I- everywhere, B- only between two adjacent entities of a
 * type), IOB2 (B- starts every entity), IOE1 / IOE2 (the mirror images with E-),
 * IOBES and BILOU (single-token entities tagged S- / U-, last tokens E- / L-).
 */
export type Scheme = "IOB1" | "IOB2" | "IOE1" | "IOE2" | "IOBES" | "BILOU";

/**
 * Every scheme, in a fixed order (for loops in tests and menus).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SCHEMES } from "./scheme.ts";
 * assert.deepEqual(SCHEMES.filter((s) => s.startsWith("IOB")), ["IOB1", "IOB2", "IOBES"]);
 * ```
 */
export const SCHEMES: readonly Scheme[] = ["IOB1", "IOB2", "IOE1", "IOE2", "IOBES", "BILOU"];
