/**
 * arquero, pinned. The toolkit names its npm dependencies with full versioned `npm:`
 * specifiers here, in lib/deps, so that a script anywhere on disk can import it without
 * the toolkit's import map (deno.json's `imports` lists the same versions for tests and
 * `deno install`; tests/outside_import_test.ts checks they agree).
 *
 * `@uwdata/flechette` is pinned to 2.6.0: arquero 8.0.3 accepts `^2.0.0`, and 2.7 needs a
 * package some registries lack. Deno resolves the whole module graph's npm packages
 * together and reuses a pinned version that satisfies a range, so this import holds the
 * pin for an outside importer too.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { table } from "./arquero.ts";
 * assert.equal(table({ a: [1, 2] }).numRows(), 2);
 * ```
 *
 * @module
 */
// deno-lint-ignore no-import-prefix -- the pin must hold without the import map
import "npm:@uwdata/flechette@2.6.0";
export * from "npm:arquero@8.0.3";
