/**
 * Where the tests find the public test data: the shared data folder beside the
 * repository (`../shared/data`, described in its SOURCES.md). The files are read
 * from there, never copied into the repository.
 *
 * @module
 */

/**
 * The shared data folder, as a URL ending in `/`.
 *
 * @example
 * ```ts
 * import { DATA_DIR } from "./data_dir.ts";
 * new URL("wikigold/wikigold.conll.txt", DATA_DIR);
 * ```
 */
export const DATA_DIR: URL = new URL("../../shared/data/", import.meta.url);

/**
 * The file-system path of `path` inside the shared data folder.
 *
 * @example
 * ```ts
 * import { dataPath } from "./data_dir.ts";
 * dataPath("tokenizers/bert-base-uncased"); // ".../shared/data/tokenizers/bert-base-uncased"
 * ```
 */
export function dataPath(path: string): string {
  return new URL(path, DATA_DIR).pathname;
}

/**
 * The text of `path` inside the shared data folder; a missing file is an error that
 * names the path and where the folder is expected.
 *
 * @example
 * ```ts
 * import { readData } from "./data_dir.ts";
 * const text = readData("wikigold/wikigold.conll.txt");
 * ```
 */
export function readData(path: string): string {
  const url = new URL(path, DATA_DIR);
  try {
    return Deno.readTextFileSync(url);
  } catch (e) {
    throw new Error(
      `test data ${url.pathname} is missing (expected the shared data folder beside the ` +
        `repository, see SOURCES.md): ${(e as Error).message}`,
    );
  }
}
