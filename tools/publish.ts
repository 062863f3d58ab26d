/**
 * `deno task publish`: executes the study's notebooks and publishes them as a methods
 * supplement in `site/`: each executed notebook (`.ipynb`, with its outputs), its HTML
 * export (nbconvert's; figures carry `text/html` with the SVG inline, because nbconvert's
 * HTML export strips the shapes of `image/svg+xml`), and an `index.html` linking them.
 *
 * The notebooks run through tools/run_notebooks.py (`deno task notebook`: nbclient with
 * the project's Deno kernelspec, listening past the kernel's idle so no output is lost),
 * which also writes the HTML exports, and fails when a cell raises an error or a notebook
 * shows fewer figures than its `metadata.nerss.expect_svg`; then nothing is published. The site is built
 * in a temporary folder beside the target and renamed into place, so `site/` is either
 * the previous site or the complete new one, never a half-written one.
 *
 * Usage: `deno task publish [--site DIR] [NOTEBOOK.ipynb ...]` (default: all of
 * notebooks/*.ipynb into site/).
 *
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Options of {@link publish}: the notebooks to run (default: notebooks/*.ipynb, sorted),
 * the site folder (default `site/` of the repository), the Python that runs
 * tools/run_notebooks.py (default Debian's, /usr/bin/python3), and the index page's title.
 *
 * @example
 * ```ts
 * const opts: PublishOptions = { notebooks: ["notebooks/02-sampling-design.ipynb"], site: "/tmp/site" };
 * ```
 */
export type PublishOptions = {
  notebooks?: string[];
  site?: string;
  python?: string;
  title?: string;
};

/**
 * One published notebook: its title, the file names of its HTML export and executed
 * notebook inside the site, and the number of SVG figures it showed.
 *
 * @example
 * ```ts
 * const p: PublishedPage = { title: "Sampling design", html: "02-sampling-design.html",
 *   ipynb: "02-sampling-design.ipynb", figures: 3 };
 * ```
 */
export type PublishedPage = { title: string; html: string; ipynb: string; figures: number };

type NotebookJson = {
  metadata?: { nerss?: { title?: string } };
  cells: {
    cell_type: string;
    source: string | string[];
    outputs?: { data?: Record<string, unknown> }[];
  }[];
};

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}

/**
 * The title of a notebook: `metadata.nerss.title`, else the first Markdown heading, else
 * the file name without extension.
 *
 * @example
 * ```ts
 * notebookTitle({ cells: [{ cell_type: "markdown", source: "# 2. Sampling design\ntext" }] }, "02.ipynb");
 * // "2. Sampling design"
 * ```
 */
export function notebookTitle(nb: NotebookJson, file: string): string {
  if (nb.metadata?.nerss?.title) return nb.metadata.nerss.title;
  for (const cell of nb.cells) {
    if (cell.cell_type !== "markdown") continue;
    const source = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
    const heading = source.match(/^#+\s+(.+)$/m);
    if (heading) return heading[1].trim();
  }
  return basename(file).replace(/\.ipynb$/, "");
}

/**
 * The number of outputs of a notebook that carry an SVG figure (`image/svg+xml`).
 *
 * @example
 * ```ts
 * countFigures({ cells: [{ cell_type: "code", source: "", outputs: [{ data: { "image/svg+xml": "<svg/>" } }] }] }); // 1
 * ```
 */
export function countFigures(nb: NotebookJson): number {
  let n = 0;
  for (const cell of nb.cells) {
    for (const out of cell.outputs ?? []) if (out.data && "image/svg+xml" in out.data) n++;
  }
  return n;
}

/**
 * The site's index page: a list linking each notebook's HTML export and its executed
 * `.ipynb`, with the number of figures.
 *
 * @example
 * ```ts
 * indexHtml([{ title: "Sampling design", html: "02-sampling-design.html",
 *   ipynb: "02-sampling-design.ipynb", figures: 3 }], "Methods supplement");
 * // "<!DOCTYPE html>..." with <a href="02-sampling-design.html">Sampling design</a>
 * ```
 */
export function indexHtml(pages: readonly PublishedPage[], title: string): string {
  const items = pages.map((p) =>
    `    <li><a href="${encodeURI(p.html)}">${escapeHtml(p.title)}</a> ` +
    `(${p.figures} figure${p.figures === 1 ? "" : "s"}; ` +
    `<a href="${encodeURI(p.ipynb)}">executed notebook</a>)</li>`
  );
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '  <meta charset="utf-8">',
    `  <title>${escapeHtml(title)}</title>`,
    "  <style>body { font-family: sans-serif; max-width: 48rem; margin: 2rem auto; }</style>",
    "</head>",
    "<body>",
    `  <h1>${escapeHtml(title)}</h1>`,
    "  <p>The notebooks of the sample-size study, executed; after Majdik et al., JMIR AI",
    "  2024;3:e52095.</p>",
    "  <ol>",
    ...items,
    "  </ol>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

async function run(cmd: string, args: string[], what: string): Promise<void> {
  const { code, stdout, stderr } = await new Deno.Command(cmd, {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    const dec = new TextDecoder();
    throw new Error(
      `publish: ${what} failed (exit ${code}):\n${dec.decode(stdout)}${dec.decode(stderr)}`,
    );
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** The repository's notebooks, notebooks/*.ipynb in name order. */
async function defaultNotebooks(): Promise<string[]> {
  const dir = join(ROOT, "notebooks");
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith(".ipynb")) names.push(join(dir, e.name));
  }
  return names.sort();
}

/**
 * Executes the notebooks and publishes them into the site folder (see the module
 * documentation); returns the pages, in the order of the notebooks.
 *
 * @example
 * ```ts
 * const pages = await publish({ site: "/tmp/site" });
 * pages.map((p) => p.html); // ["01-corpus-and-agreement.html", ...]
 * ```
 */
export async function publish(options: PublishOptions = {}): Promise<PublishedPage[]> {
  const notebooks = (options.notebooks ?? await defaultNotebooks()).map((p) => resolve(p));
  if (notebooks.length === 0) throw new Error("publish: no notebooks to publish");
  const seen = new Set<string>();
  for (const nb of notebooks) {
    if (!nb.endsWith(".ipynb")) throw new Error(`publish: ${nb} is not a .ipynb notebook`);
    if (seen.has(basename(nb))) throw new Error(`publish: two notebooks named ${basename(nb)}`);
    seen.add(basename(nb));
  }
  const site = resolve(options.site ?? join(ROOT, "site"));
  const python = options.python ?? "/usr/bin/python3";
  const tmp = join(dirname(site), `.${basename(site)}.tmp-${Deno.pid}`);
  await Deno.remove(tmp, { recursive: true }).catch(() => {});
  await Deno.mkdir(dirname(site), { recursive: true });
  await Deno.mkdir(tmp);
  try {
    await run(
      python,
      [join(ROOT, "tools", "run_notebooks.py"), "--out", tmp, "--html", tmp, ...notebooks],
      "running the notebooks",
    );
    const executed = notebooks.map((nb) => join(tmp, basename(nb)));
    const pages: PublishedPage[] = [];
    for (const path of executed) {
      const nb = JSON.parse(await Deno.readTextFile(path)) as NotebookJson;
      const html = basename(path).replace(/\.ipynb$/, ".html");
      if (!(await exists(join(tmp, html)))) {
        throw new Error(`publish: no HTML export ${html} of ${basename(path)}`);
      }
      pages.push({
        title: notebookTitle(nb, path),
        html,
        ipynb: basename(path),
        figures: countFigures(nb),
      });
    }
    const title = options.title ?? "Sample size for fine-tuning NER models: methods supplement";
    await Deno.writeTextFile(join(tmp, "index.html"), indexHtml(pages, title));
    // Swap the new site in: the old one is moved aside first, then removed.
    const old = join(dirname(site), `.${basename(site)}.old-${Deno.pid}`);
    const hadOld = await exists(site);
    if (hadOld) await Deno.rename(site, old);
    await Deno.rename(tmp, site);
    if (hadOld) await Deno.remove(old, { recursive: true });
    return pages;
  } catch (e) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw e;
  }
}

function parseArgs(args: string[]): PublishOptions {
  const opts: PublishOptions = {};
  const notebooks: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--site") {
      if (i + 1 >= args.length) throw new Error("publish: --site needs a folder");
      opts.site = args[++i];
    } else if (args[i].startsWith("-")) {
      throw new Error(`publish: unknown option ${args[i]} (usage: [--site DIR] [NOTEBOOK...])`);
    } else notebooks.push(args[i]);
  }
  if (notebooks.length > 0) opts.notebooks = notebooks;
  return opts;
}

if (import.meta.main) {
  const opts = parseArgs(Deno.args);
  const pages = await publish(opts);
  const site = opts.site ?? join(ROOT, "site");
  for (const p of pages) console.log(`${p.html}: ${p.title} (${p.figures} figures)`);
  console.log(`published ${pages.length} notebooks to ${site}/index.html`);
}
