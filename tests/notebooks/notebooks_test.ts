/**
 * The study's notebooks (notebooks/*.ipynb) are their own source: committed without
 * outputs, formatted by `deno fmt`, importing only the public API (and transformers.js, to
 * load an exported model as a web page would), type-checked
 * (tools/check_notebooks.ts); executed with the Deno kernel by `deno task notebook`
 * (tools/run_notebooks.py) they raise no errors, show their figures, and print no
 * terminal colour codes. The runner itself is checked on notebooks made to fail, and on
 * one whose outputs come late, so that a passing run means something.
 *
 * @module
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkNotebooks, notebookModule } from "../../tools/check_notebooks.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

type Output = {
  output_type: string;
  name?: string;
  text?: string | string[];
  ename?: string;
  evalue?: string;
  data?: Record<string, string | string[]>;
};
type Cell = {
  cell_type: string;
  source: string | string[];
  execution_count?: number | null;
  outputs?: Output[];
};
type Notebook = {
  metadata: {
    kernelspec?: { name?: string };
    language_info?: { name?: string };
    nerss?: { expect_svg?: number };
  };
  cells: Cell[];
};

async function notebooks(): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(join(ROOT, "notebooks"))) {
    if (e.isFile && e.name.endsWith(".ipynb")) names.push(join("notebooks", e.name));
  }
  return names.sort();
}

async function readNotebook(path: string): Promise<Notebook> {
  return JSON.parse(await Deno.readTextFile(path)) as Notebook;
}

/** `deno task notebook ARGS...` from the repository root, as a user runs it. */
async function runTask(args: string[], cwd = ROOT) {
  // deno task sets INIT_CWD (the caller's folder) only where it is not set already, and
  // `deno task test` has set it to the repository
  const env = Deno.env.toObject();
  delete env.INIT_CWD;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "--config", join(ROOT, "deno.json"), "notebook", ...args],
    cwd,
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code, stdout: dec.decode(stdout), stderr: dec.decode(stderr) };
}

const text = (s: string | string[] | undefined) => Array.isArray(s) ? s.join("") : s ?? "";

function notebookJson(sources: string[], expectSvg = 0): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "deno", display_name: "Deno", language: "typescript" },
      nerss: { expect_svg: expectSvg },
    },
    cells: sources.map((source, i) => ({
      cell_type: "code",
      id: `c${i}`,
      metadata: {},
      execution_count: null,
      outputs: [],
      source,
    })),
  });
}

Deno.test("notebooks are committed without outputs, for the Deno kernel, with figures to expect", async () => {
  const paths = await notebooks();
  assert.ok(paths.length >= 4, `expected the study's notebooks, found ${paths.join(", ")}`);
  for (const path of paths) {
    const nb = await readNotebook(join(ROOT, path));
    assert.equal(nb.metadata.kernelspec?.name, "deno", `${path}: kernelspec`);
    // deno fmt formats the code cells only of a notebook that says it is TypeScript.
    assert.equal(nb.metadata.language_info?.name, "typescript", `${path}: language_info`);
    const expected = nb.metadata.nerss?.expect_svg;
    assert.ok(typeof expected === "number" && expected >= 1, `${path}: metadata.nerss.expect_svg`);
    for (const [i, cell] of nb.cells.entries()) {
      if (cell.cell_type !== "code") continue;
      assert.deepEqual(cell.outputs, [], `${path}: cell ${i} has outputs`);
      assert.equal(cell.execution_count, null, `${path}: cell ${i} has an execution count`);
    }
  }
});

Deno.test("notebooks import only the public API and are formatted by deno fmt", async () => {
  for (const path of await notebooks()) {
    const nb = await readNotebook(join(ROOT, path));
    const code = nb.cells.filter((c) => c.cell_type === "code").map((c) => text(c.source))
      .join("\n");
    const specifiers = [...code.matchAll(/\b(?:from|import)\s*\(?\s*["']([^"']+)["']/g)]
      .map((m) => m[1]);
    assert.ok(specifiers.length > 0, `${path}: no imports`);
    // and transformers.js, the runtime an exported model is for: notebook 3 loads its export
    // with it as a web page would, from outside the toolkit
    for (const s of specifiers) {
      assert.ok(["../mod.ts", "@huggingface/transformers"].includes(s), `${path}: imports ${s}`);
    }
  }
  // Formatted: deno fmt gives each notebook back unchanged. (Deno 2.9.6's `deno fmt --check`
  // reports a formatted .ipynb as unformatted, with an empty diff, unless its cache says
  // otherwise, so the check task leaves notebooks to this test.)
  for (const path of await notebooks()) {
    const source = await Deno.readTextFile(join(ROOT, path));
    const fmt = new Deno.Command(Deno.execPath(), {
      args: ["fmt", "--ext", "ipynb", "-"],
      cwd: ROOT,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = fmt.stdin.getWriter();
    await writer.write(new TextEncoder().encode(source));
    await writer.close();
    const { code, stdout, stderr } = await fmt.output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    assert.ok(new TextDecoder().decode(stdout) === source, `${path} is not as deno fmt writes it`);
  }
});

Deno.test("notebookModule: code cells in order, relative imports made absolute", () => {
  const module = notebookModule({
    cells: [
      { cell_type: "code", source: ['import { a } from "../mod.ts";\n', "a;"] },
      { cell_type: "markdown", source: 'import { no } from "./markdown.ts";' },
      { cell_type: "code", source: 'const m = await import("./x.ts");\nimport "npm:y@1";' },
    ],
  }, "/home/u/study/notebooks");
  assert.equal(
    module,
    'import { a } from "file:///home/u/study/mod.ts";\na;\n\n' +
      'const m = await import("file:///home/u/study/notebooks/x.ts");\nimport "npm:y@1";\n',
  );
});

Deno.test("the notebooks' code type-checks, and a type error is reported", async () => {
  const ok = await checkNotebooks();
  assert.equal(ok.code, 0, ok.output);
  const dir = await Deno.makeTempDir({ prefix: "nerss-notebook-check-" });
  try {
    const bad = join(dir, "bad.ipynb");
    await Deno.writeTextFile(bad, notebookJson(['const n: number = "one";']));
    const failed = await checkNotebooks([bad]);
    assert.equal(failed.code, 1);
    assert.match(failed.output, /TS2322/);
    assert.ok(failed.output.includes(bad), failed.output); // named by the notebook's path
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task notebook keeps outputs that come after a delay, in place, and exports HTML", async () => {
  // Each cell's output comes at its end, after a wait: where Deno's kernel can report
  // idle before it has sent the output (nbclient, so plain nbconvert, stops listening there).
  const cells: [string, RegExp][] = [
    ['await new Promise((r) => setTimeout(r, 300));\nconsole.log("late 1");', /late 1/],
    [
      "await new Promise((r) => setTimeout(r, 300));\n" +
      'await Deno.jupyter.display({ "text/plain": "display 2" }, { raw: true });',
      /display 2/,
    ],
    [
      'console.log("early 3");\nawait new Promise((r) => setTimeout(r, 300));\nconsole.log("late 3");',
      /early 3\nlate 3/,
    ],
    [
      "await new Promise((r) => setTimeout(r, 300));\nDeno.jupyter.html`<b>result 4</b>`;",
      /result 4/,
    ],
    [
      "for (let i = 0; i < 3; i++) {\n  await new Promise((r) => setTimeout(r, 100));\n" +
      "  console.log(`line 5.${i}`);\n}",
      /line 5\.0\nline 5\.1\nline 5\.2/,
    ],
    ['await new Promise((r) => setTimeout(r, 300));\nconsole.log("late 6");', /late 6/],
  ];
  const dir = await Deno.makeTempDir({ prefix: "nerss-late-outputs-" });
  try {
    const path = join(dir, "late.ipynb");
    await Deno.writeTextFile(path, notebookJson(cells.map(([source]) => source)));
    // A relative path, from another folder than the repository: the user's folder.
    const run = await runTask(["late.ipynb", "--html", "html"], dir);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    const nb = await readNotebook(path); // executed in place
    for (const [i, [, expected]] of cells.entries()) {
      const shown = (nb.cells[i].outputs ?? []).map((o) =>
        text(o.text) + text(o.data?.["text/plain"]) + text(o.data?.["text/html"])
      )
        .join("");
      assert.match(shown, expected, `cell ${i}: ${JSON.stringify(nb.cells[i].outputs)}`);
      assert.equal(nb.cells[i].execution_count, i + 1);
    }
    const html = await Deno.readTextFile(join(dir, "html", "late.html"));
    assert.match(html, /result 4/);
    assert.match(html, /line 5\.2/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task notebook fails on a cell error and on missing figures", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nerss-bad-notebooks-" });
  try {
    await Deno.writeTextFile(join(dir, "raises.ipynb"), notebookJson(['throw new Error("boom");']));
    await Deno.writeTextFile(join(dir, "no-figure.ipynb"), notebookJson(["1 + 1;"], 1));
    const out = join(dir, "out");
    const run = await runTask([
      "--out",
      out,
      join(dir, "raises.ipynb"),
      join(dir, "no-figure.ipynb"),
    ]);
    assert.equal(run.code, 1, `expected failure:\n${run.stdout}\n${run.stderr}`);
    assert.match(run.stderr, /raises\.ipynb: cell 0: Error: boom/);
    assert.match(run.stderr, /no-figure\.ipynb: 0 SVG figures, expected at least 1/);
    // --out leaves the notebooks as they were and writes the executed ones there.
    assert.equal((await readNotebook(join(dir, "raises.ipynb"))).cells[0].outputs?.length, 0);
    assert.equal(
      (await readNotebook(join(out, "raises.ipynb"))).cells[0].outputs?.[0].ename,
      "Error",
    );
    const missing = await runTask([join(dir, "nothing.ipynb")]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nothing\.ipynb is not a \.ipynb notebook/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("notebooks run top to bottom without errors, show their figures, print no colour codes", async () => {
  const paths = await notebooks();
  const out = await Deno.makeTempDir({ prefix: "nerss-notebooks-" });
  try {
    const run = await runTask(["--out", out, ...paths.map((p) => join(ROOT, p))]);
    assert.equal(run.code, 0, `deno task notebook failed:\n${run.stdout}\n${run.stderr}`);
    // Check the executed notebooks independently of the runner's own checks.
    for (const path of paths) {
      const name = path.split("/").pop()!;
      const nb = await readNotebook(join(out, name));
      let figures = 0;
      for (const [i, cell] of nb.cells.entries()) {
        if (cell.cell_type !== "code") continue;
        assert.equal(typeof cell.execution_count, "number", `${name}: cell ${i} did not run`);
        for (const o of cell.outputs ?? []) {
          assert.notEqual(o.output_type, "error", `${name}: cell ${i}: ${o.ename}: ${o.evalue}`);
          const plain = text(o.text) + text(o.data?.["text/plain"]);
          assert.ok(!plain.includes("\u001b["), `${name}: cell ${i}: colour codes in ${plain}`);
          assert.doesNotMatch(plain, /^\[(figure|html|table: \d+ rows)\]$/, `${name}: cell ${i}`);
          const svg = o.data?.["image/svg+xml"];
          if (svg === undefined) continue;
          figures++;
          // The figure is drawn (has marks) and also carries the inline HTML nbconvert keeps.
          assert.match(text(svg), /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
          assert.match(text(svg), /<(path|circle|rect|line)\b/, `${name}: cell ${i}: empty figure`);
          assert.match(
            text(o.data?.["text/html"]),
            /<svg xmlns=/,
            `${name}: cell ${i}: no text/html`,
          );
        }
      }
      assert.ok(
        figures >= nb.metadata.nerss!.expect_svg!,
        `${name}: ${figures} figures, expected ${nb.metadata.nerss!.expect_svg}`,
      );
    }
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
