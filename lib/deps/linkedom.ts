/**
 * linkedom, pinned (see arquero.ts for why lib/deps names versions): the DOM Observable
 * Plot draws into outside a browser.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseHTML } from "./linkedom.ts";
 * const dom = parseHTML("<html><body><p>hi</p></body></html>") as unknown as {
 *   document: { querySelector(s: string): { textContent: string } | null };
 * };
 * assert.equal(dom.document.querySelector("p")?.textContent, "hi");
 * ```
 *
 * @module
 */
export { DOMParser, parseHTML } from "npm:linkedom@0.18.15";
