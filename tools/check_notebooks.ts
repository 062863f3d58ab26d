/**
 * Type-checks the code of Jupyter notebooks for Deno's kernel (`deno check` does not
 * read .ipynb files). Each notebook's code cells, joined in order, make one module (the
 * kernel keeps a cell's declarations for the cells after it); relative import
 * specifiers are resolved against the notebook's folder, and the module is checked
 * with the repository's deno.json. Part of `deno task check`.
 *
 * Usage: `deno run -A tools/check_notebooks.ts [NOTEBOOK.ipynb ...]` (default:
 * notebooks/*.ipynb). Exit status 1 when a notebook does not type-check.
 *
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

type NotebookJson = { cells: { cell_type: string; source: string | string[] }[] };

/**
 * A notebook's code cells as one TypeScript module: the cells joined in order, each
 * relative import specifier (`"../mod.ts"`) made absolute against `dir`, the notebook's
 * folder.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const nb = { cells: [
 *   { cell_type: "markdown", source: "# Title" },
 *   { cell_type: "code", source: ['import { f } from "../mod.ts";\n', "f();"] },
 * ] };
 * assert.equal(notebookModule(nb, "/work/nb"), 'import { f } from "file:///work/mod.ts";\nf();\n');
 * ```
 */
export function notebookModule(nb: NotebookJson, dir: string): string {
  const base = pathToFileURL(join(dir, "/")).href;
  return nb.cells.filter((c) => c.cell_type === "code")
    .map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source) + "\n")
    .join("\n")
    .replace(
      /(\bfrom\s*|\bimport\s*\(?\s*)(["'])(\.\.?\/[^"']*)\2/g,
      (_, lead: string, quote: string, spec: string) =>
        `${lead}${quote}${new URL(spec, base).href}${quote}`,
    );
}

/**
 * Type-checks notebooks (default: the repository's notebooks/*.ipynb); resolves to
 * `deno check`'s exit code and output.
 *
 * @example
 * ```ts
 * const { code, output } = await checkNotebooks(["notebooks/02-sampling-design.ipynb"]);
 * if (code !== 0) console.error(output);
 * ```
 */
export async function checkNotebooks(
  paths?: string[],
): Promise<{ code: number; output: string }> {
  const notebooks = paths ?? [...Deno.readDirSync(join(ROOT, "notebooks"))]
    .filter((e) => e.isFile && e.name.endsWith(".ipynb"))
    .map((e) => join(ROOT, "notebooks", e.name)).sort();
  const tmp = await Deno.makeTempDir({ prefix: "nerss-notebook-check-" });
  try {
    const files: string[] = [];
    for (const path of notebooks) {
      const nb = JSON.parse(await Deno.readTextFile(path)) as NotebookJson;
      const file = join(tmp, basename(path).replace(/\.ipynb$/, ".ts"));
      await Deno.writeTextFile(file, notebookModule(nb, dirname(resolve(path))));
      files.push(file);
    }
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--quiet", "--config", join(ROOT, "deno.json"), ...files],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    // Name the notebooks, not the temporary modules, in the messages.
    let output = dec.decode(stdout) + dec.decode(stderr);
    for (const [i, file] of files.entries()) {
      output = output.replaceAll(pathToFileURL(file).href, notebooks[i]);
    }
    return { code, output };
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

if (import.meta.main) {
  const { code, output } = await checkNotebooks(Deno.args.length > 0 ? Deno.args : undefined);
  if (output.trim()) console.error(output.trim());
  if (code === 0) console.log("notebooks type-check");
  Deno.exit(code);
}
