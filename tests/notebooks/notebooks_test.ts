/**
 * The study's notebooks (notebooks/*.ipynb): committed without outputs and in sync with
 * tools/make_notebooks.py; executed with the Deno kernel by tools/run_notebooks.py they
 * raise no errors and show their figures. The runner itself is checked on notebooks made
 * to fail, so that a passing run means something.
 *
 * @module
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const PYTHON = "/usr/bin/python3";

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
  metadata: { kernelspec?: { name?: string }; nerss?: { expect_svg?: number } };
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

async function runNotebooks(out: string, paths: string[]) {
  const runtime = await Deno.makeTempDir({ prefix: "nerss-runtime-" });
  const { code, stdout, stderr } = await new Deno.Command(PYTHON, {
    args: ["tools/run_notebooks.py", "--out", out, ...paths],
    cwd: ROOT,
    env: { XDG_RUNTIME_DIR: runtime }, // a private runtime folder for Mesa's Vulkan driver
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(runtime, { recursive: true });
  const dec = new TextDecoder();
  return { code, stdout: dec.decode(stdout), stderr: dec.decode(stderr) };
}

const text = (s: string | string[] | undefined) => Array.isArray(s) ? s.join("") : s ?? "";

Deno.test("notebooks are committed without outputs, for the Deno kernel, with figures to expect", async () => {
  const paths = await notebooks();
  assert.ok(paths.length >= 3, `expected the study's notebooks, found ${paths.join(", ")}`);
  for (const path of paths) {
    const nb = await readNotebook(join(ROOT, path));
    assert.equal(nb.metadata.kernelspec?.name, "deno", `${path}: kernelspec`);
    const expected = nb.metadata.nerss?.expect_svg;
    assert.ok(
      typeof expected === "number" && expected >= 1,
      `${path}: metadata.nerss.expect_svg`,
    );
    for (const [i, cell] of nb.cells.entries()) {
      if (cell.cell_type !== "code") continue;
      assert.deepEqual(cell.outputs, [], `${path}: cell ${i} has outputs`);
      assert.equal(cell.execution_count, null, `${path}: cell ${i} has an execution count`);
    }
  }
});

Deno.test("notebooks are what tools/make_notebooks.py writes", async () => {
  const { code, stderr } = await new Deno.Command(PYTHON, {
    args: ["tools/make_notebooks.py", "--check"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
});

Deno.test("the notebooks' code type-checks", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nerss-notebook-code-" });
  try {
    const files: string[] = [];
    for (const path of await notebooks()) {
      const nb = await readNotebook(join(ROOT, path));
      const code = nb.cells.filter((c) => c.cell_type === "code").map((c) => text(c.source))
        .join("\n\n")
        // the notebooks import the toolkit relative to notebooks/
        .replaceAll('"../lib/', `"${pathToFileURL(join(ROOT, "lib")).href}/`);
      const file = join(dir, path.split("/").pop()!.replace(/\.ipynb$/, ".ts"));
      await Deno.writeTextFile(file, code);
      files.push(file);
    }
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--quiet", "--config", join(ROOT, "deno.json"), ...files],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("notebooks run top to bottom without errors and show their figures", async () => {
  const paths = await notebooks();
  const out = await Deno.makeTempDir({ prefix: "nerss-notebooks-" });
  try {
    const run = await runNotebooks(out, paths);
    assert.equal(run.code, 0, `run_notebooks.py failed:\n${run.stdout}\n${run.stderr}`);
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

Deno.test("run_notebooks.py fails on a cell error and on missing figures", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nerss-bad-notebooks-" });
  try {
    const notebook = (source: string, expectSvg: number) =>
      JSON.stringify({
        nbformat: 4,
        nbformat_minor: 5,
        metadata: {
          kernelspec: { name: "deno", display_name: "Deno", language: "typescript" },
          nerss: { expect_svg: expectSvg },
        },
        cells: [{
          cell_type: "code",
          id: "c0",
          metadata: {},
          execution_count: null,
          outputs: [],
          source,
        }],
      });
    await Deno.writeTextFile(join(dir, "raises.ipynb"), notebook('throw new Error("boom");', 0));
    await Deno.writeTextFile(join(dir, "no-figure.ipynb"), notebook("1 + 1;", 1));
    const out = join(dir, "out");
    const run = await runNotebooks(out, [join(dir, "raises.ipynb"), join(dir, "no-figure.ipynb")]);
    assert.equal(run.code, 1, `expected failure:\n${run.stdout}\n${run.stderr}`);
    assert.match(run.stderr, /raises\.ipynb: cell 0: Error: boom/);
    assert.match(run.stderr, /no-figure\.ipynb: 0 SVG figures, expected at least 1/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
