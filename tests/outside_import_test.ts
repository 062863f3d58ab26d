/**
 * The toolkit imported from a folder outside the repository with no deno.json of its own
 * (a user's script or notebook): its npm dependencies resolve from lib/deps' versioned
 * `npm:` specifiers (not deno.json's import map), data/manifest.json is imported and the
 * datasets are found relative to the module. The scripts run with `deno run --no-config`
 * in a temporary folder, so no configuration can help them; the first run on a machine
 * fetches the packages into Deno's global cache from the npm registry.
 */
import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";

const ROOT = new URL("../", import.meta.url);
const MOD = new URL("mod.ts", ROOT);

async function runOutside(dir: string, script: string, perms: string[]) {
  await Deno.writeTextFile(`${dir}/main.ts`, script);
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-config", ...perms, "main.ts"],
    cwd: dir,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(stderr);
  assert.equal(code, 0, err);
  return { out: new TextDecoder().decode(stdout).trim().split("\n"), err };
}

Deno.test("a script in a folder outside the repository imports mod.ts by path and scores F1", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nerss-outside-" });
  try {
    assert.ok(!dir.startsWith(fromFileUrl(ROOT)));
    // Gold: Ann Lee (PER), NIH (ORG), Bob (PER), WHO (ORG). The prediction finds "Ann"
    // alone (a miss), NIH and Bob: P = 2/3, R = 2/4, F1 = 2PR / (P + R) = 4/7.
    await Deno.writeTextFile(
      `${dir}/gold.conll`,
      "Ann B-PER\nLee I-PER\nthanks O\nNIH B-ORG\n\nBob B-PER\nand O\nWHO B-ORG\n",
    );
    await Deno.writeTextFile(
      `${dir}/pred.conll`,
      "Ann B-PER\nLee O\nthanks O\nNIH B-ORG\n\nBob B-PER\nand O\nWHO O\n",
    );
    const { out, err } = await runOutside(
      dir,
      `import { corpusStats, f1Score, loadDataset, readConll, spansToTags, splitWords } from ${
        JSON.stringify(fromFileUrl(MOD))
      };
const tags = (file: string) =>
  readConll(Deno.readTextFileSync(file)).map((d) => spansToTags(splitWords(d.text), d.spans, "IOB2"));
console.log(f1Score(tags("gold.conll"), tags("pred.conll")));
const docs = await loadDataset("grobid-acknowledgements"); // manifest JSON import, data beside the module
console.log(JSON.stringify(corpusStats(docs).byLabel));
`,
      ["--allow-read", "--allow-env"],
    );
    assert.ok(Math.abs(Number(out[0]) - 4 / 7) < 1e-12, out[0]);
    const byLabel = JSON.parse(out[1]);
    assert.deepEqual(Object.keys(byLabel).sort(), ["ORG", "PERSON"]);
    // (a first run on a machine lists its npm downloads, some named error-something); no
    // box about packages' build scripts (protobufjs's, when ONNX export was imported statically)
    const messages = err.split("\n").filter((line) => !line.startsWith("Download "));
    assert.doesNotMatch(messages.join("\n"), /not a dependency|error|build scripts/i);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a script outside imports mod.ts by file URL, with the toolkit's Plot and arquero", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nerss-outside-" });
  try {
    const { out } = await runOutside(
      dir,
      `import { aq, Plot, plotFigure, tableDisplay } from ${JSON.stringify(MOD.href)};
const fig = plotFigure({ marks: [Plot.dot([{ x: 1, y: 2 }], { x: "x", y: "y" })] });
console.log(fig.svg.startsWith("<svg"));
console.log(tableDisplay(aq.table({ model: ["bert"], f1: [0.5] })).html.includes("<table"));
`,
      ["--allow-read", "--allow-env"],
    );
    assert.deepEqual(out, ["true", "true"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lib names npm packages only in lib/deps, at the versions deno.json installs", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const imports: Record<string, string> = config.imports;
  const pinned = new Map<string, string>(); // package -> npm: specifier
  const check = async (url: URL) => {
    const text = await Deno.readTextFile(url);
    const inDeps = url.pathname.includes("/lib/deps/");
    const clause = String.raw`(?:type\s+)?(?:[\w$\s,]*\{[^}]*\}|\*(?:\s+as\s+[\w$]+)?|[\w$]+)`;
    const re = new RegExp(
      `^(?:(?:import|export)\\s+${clause}\\s*from|import)\\s*["']([^"']+)["']`,
      "gm",
    );
    for (const m of text.matchAll(re)) {
      const spec = m[1];
      if (spec.startsWith(".") || spec.startsWith("node:")) continue;
      assert.ok(inDeps && spec.startsWith("npm:"), `${url.pathname}: imports "${spec}"`);
      pinned.set(spec.slice(4).replace(/(?<=.)@[^@/]+$/, ""), spec);
    }
  };
  const walk = async (dir: URL): Promise<void> => {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isDirectory) await walk(new URL(entry.name + "/", dir));
      else if (entry.name.endsWith(".ts")) await check(new URL(entry.name, dir));
    }
  };
  await walk(new URL("lib/", ROOT));
  await check(MOD);
  for (
    const name of ["arquero", "@uwdata/flechette", "@observablehq/plot", "@huggingface/tokenizers"]
  ) {
    assert.ok(pinned.has(name), `${name} is not in lib/deps`);
  }
  for (const [name, spec] of pinned) assert.equal(imports[name], spec, name);
});
