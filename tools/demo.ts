/**
 * `deno task demo`: a static web page that highlights the entities of a statement with a
 * classifier exported by `exportOnnx`, run in the browser by onnxruntime-web (wasm). The
 * page's script (tools/demo/page.ts) is bundled with `deno bundle --platform browser` from
 * the toolkit's own word splitting, tokenizer, alignment and tag decoding
 * (lib/train/predict_text.ts, which `predict` runs too), so the page and `predict` find the
 * same spans; tests/train/demo_page_test.ts checks that in headless Chromium.
 *
 * The folder (default `out/demo/`) holds index.html, demo.js, demo.json (the model files
 * to choose from, example statements), onnxruntime-web's ort-wasm-simd-threaded.wasm and
 * the model's files under model/; it works from any static HTTP server (WebAssembly does
 * not load from file://), e.g. `--serve PORT`. Without `--model`, a small BERT (2 layers
 * of 64, bert-base-uncased's vocabulary) is fine-tuned from scratch on the GROBID
 * acknowledgements of the default study's training split (about a minute on two CPU
 * cores with lavapipe; GROBID test micro F1 0.54) and exported with its int8 form into the
 * folder's model/, which a later run can take (`--model out/demo/model`) to skip training.
 *
 * Usage: `deno task demo [--model EXPORTED_DIR] [--out DIR] [--serve PORT]
 * [--screenshot FILE.png] [--time N]`; `--screenshot` and `--time` open the page in headless
 * Chromium: a PNG of the page with a GROBID test statement highlighted (docs/img/demo-page.png
 * is `deno task demo --screenshot docs/img/demo-page.png`), and the time per statement of
 * the first N GROBID test statements with each model file.
 *
 * @module
 */
import { dirname, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadDataset } from "../lib/corpus/dataset.ts";
import { replaceFolder } from "../lib/models/checkpoint.ts";
import { splitTestSet } from "../lib/sampling/split.ts";
import { labelsOf } from "../lib/tags/labels.ts";
import {
  type ClassifierOptions,
  createTokenClassifier,
  releaseClassifier,
} from "../lib/train/classifier.ts";
import { exportOnnx } from "../lib/train/export_onnx.ts";
import { fineTune } from "../lib/train/fine_tune.ts";
import { evaluate } from "../lib/train/predict.ts";
import type { Doc } from "../lib/core/types.ts";
import { openInChromium } from "./demo/chromium.ts";
import type { DemoSettings } from "./demo/page.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const PAGE = join(ROOT, "tools/demo/page.ts");
const HTML = join(ROOT, "tools/demo/index.html");
const WASM = "ort-wasm-simd-threaded.wasm";
const ORT_DIST = join(ROOT, "node_modules/onnxruntime-web/dist");

/** The exported model's files the page reads (the int8 graph only when there is one). */
const MODEL_FILES = ["config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model.onnx"];
const QUANTIZED = "onnx/model_quantized.onnx";

async function stat(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/**
 * Options of {@link writeDemo}: the folder `exportOnnx` wrote, the folder to write, and
 * statements the page offers as examples (the first is in the box when it opens).
 */
export type DemoOptions = { model: string; out: string; examples?: string[] };

/**
 * Writes the demo folder (into a temporary folder, then renamed into place; an earlier demo
 * there is replaced, any other folder with files in it is refused) and gives back its
 * demo.json.
 *
 * @example
 * ```ts ignore
 * await exportOnnx(classifier, "out/model", { quantize: true });
 * await writeDemo({ model: "out/model", out: "out/demo", examples: ["We thank the NIH."] });
 * ```
 */
export async function writeDemo(o: DemoOptions): Promise<DemoSettings> {
  const model = o.model.replace(/(?<=.)\/+$/, "");
  const out = o.out.replace(/(?<=.)\/+$/, "");
  for (const file of MODEL_FILES) {
    if (!(await stat(join(model, file)))?.isFile) {
      throw new Error(`writeDemo: ${model} has no ${file}; give a folder that exportOnnx wrote`);
    }
  }
  if (!(await stat(join(ORT_DIST, WASM)))?.isFile) {
    throw new Error(`writeDemo: ${join(ORT_DIST, WASM)} is missing; run \`deno install\``);
  }
  const there = await stat(out);
  if (there && !there.isDirectory) throw new Error(`writeDemo: ${out} is a file, not a folder`);
  if (there && !(await stat(join(out, "demo.json")))) {
    for await (const _ of Deno.readDir(out)) {
      throw new Error(
        `writeDemo: ${out} is a folder with other files in it and no demo.json; ` +
          "give a new or empty folder, or an earlier demo to replace",
      );
    }
  }
  const quantized = (await stat(join(model, QUANTIZED)))?.isFile ?? false;
  const settings: DemoSettings = {
    variants: [
      { name: "float32", file: "model/onnx/model.onnx" },
      ...quantized ? [{ name: "int8", file: `model/${QUANTIZED}` }] : [],
    ],
    examples: o.examples ?? [],
  };
  await replaceFolder(out, async (tmp) => {
    const bundle = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--platform",
        "browser",
        "--minify",
        "-o",
        `${tmp}/demo.js`,
        PAGE,
      ],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!bundle.success) {
      throw new Error(
        `writeDemo: deno bundle ${PAGE} failed: ${new TextDecoder().decode(bundle.stderr)}`,
      );
    }
    await Deno.copyFile(HTML, `${tmp}/index.html`);
    await Deno.copyFile(join(ORT_DIST, WASM), `${tmp}/${WASM}`);
    await Deno.mkdir(`${tmp}/model/onnx`, { recursive: true });
    for (const file of quantized ? [...MODEL_FILES, QUANTIZED] : MODEL_FILES) {
      await Deno.copyFile(join(model, file), `${tmp}/model/${file}`);
    }
    await Deno.writeTextFile(`${tmp}/demo.json`, JSON.stringify(settings, null, 2) + "\n");
  });
  return settings;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".png": "image/png",
};

/**
 * Serves a folder's files over HTTP (GET and HEAD; `/` is index.html), as any static
 * server would: port 0 (the default) takes a free one, see the server's `addr`.
 *
 * @example
 * ```ts ignore
 * const server = serveDemo("out/demo", { port: 8000 });
 * console.log(`http://127.0.0.1:${server.addr.port}/`);
 * ```
 */
export function serveDemo(
  dir: string,
  o: { port?: number; hostname?: string } = {},
): Deno.HttpServer<Deno.NetAddr> {
  const root = resolve(dir);
  const notFound = () => new Response("not found", { status: 404 });
  return Deno.serve(
    { port: o.port ?? 0, hostname: o.hostname ?? "127.0.0.1", onListen: () => {} },
    async (req) => {
      if (req.method !== "GET" && req.method !== "HEAD") {
        return new Response("method not allowed", { status: 405 });
      }
      let path: string;
      try {
        path = decodeURIComponent(new URL(req.url).pathname);
      } catch {
        return new Response("bad path", { status: 400 });
      }
      const file = resolve(root, "." + (path.endsWith("/") ? `${path}index.html` : path));
      if (!file.startsWith(root + "/")) return notFound();
      let f: Deno.FsFile;
      try {
        f = await Deno.open(file);
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) return notFound();
        throw e;
      }
      const info = await f.stat();
      if (!info.isFile || req.method === "HEAD") f.close();
      if (!info.isFile) return notFound();
      return new Response(req.method === "HEAD" ? null : f.readable, {
        headers: {
          "content-type": TYPES[extname(file)] ?? "application/octet-stream",
          "content-length": String(info.size),
          "cache-control": "no-cache",
        },
      });
    },
  );
}

/** The classifier the demo trains when given no model (see the module docs). */
export const DEMO_CLASSIFIER: Omit<ClassifierOptions, "entityTypes"> = {
  source: "random",
  family: "bert",
  hiddenSize: 64,
  numLayers: 2,
  numHeads: 2,
  intermediateSize: 256,
  maxPositions: 128,
  hiddenDropout: 0,
  tokenizer: "bert-base-uncased",
  seed: 1,
};

/**
 * The GROBID acknowledgements split as the default study splits them (a fifth for
 * testing, seed 1).
 */
export async function grobidSplit(): Promise<{ train: Doc[]; test: Doc[] }> {
  const docs = await loadDataset("grobid-acknowledgements");
  return splitTestSet(docs, { testFraction: 0.2, seed: 1 });
}

/**
 * Fine-tunes {@link DEMO_CLASSIFIER} on the GROBID training statements (4 epochs) and
 * exports it with its int8 form to `dir`; gives back its test micro F1.
 *
 * @example
 * ```ts ignore
 * const { f1 } = await trainDemoModel("out/demo-model");
 * ```
 */
export async function trainDemoModel(dir: string): Promise<{ f1: number }> {
  const { train, test } = await grobidSplit();
  const classifier = await createTokenClassifier({
    ...DEMO_CLASSIFIER,
    entityTypes: labelsOf(train),
  });
  try {
    await fineTune(classifier, train, { epochs: 4, learningRate: 5e-3, batchSize: 8 });
    const { micro } = await evaluate(classifier, test);
    await exportOnnx(classifier, dir, { quantize: true });
    return { f1: micro.f1 };
  } finally {
    releaseClassifier(classifier);
  }
}

/**
 * Times the page's `predict` in headless Chromium: for each model file, `warmup`
 * statements (default 5) first, then each of `texts` alone, `repeats` times (default 3; a
 * shared machine stalls now and then), keeping its fastest, in milliseconds.
 *
 * @example
 * ```ts ignore
 * const times = await timeDemo("http://127.0.0.1:8000/", ["We thank the NIH."]);
 * ```
 */
export async function timeDemo(
  url: string,
  texts: readonly string[],
  o: { warmup?: number; repeats?: number } = {},
): Promise<{ variant: string; ms: number[] }[]> {
  const page = await openInChromium(url);
  try {
    return await page.evaluate(`(async () => {
      await demo.ready;
      const texts = ${JSON.stringify(texts)}, out = [];
      for (const variant of demo.variants) {
        await demo.use(variant);
        for (const t of texts.slice(0, ${o.warmup ?? 5})) await demo.predict([t]);
        const ms = [];
        for (const t of texts) {
          let best = Infinity;
          for (let r = 0; r < ${o.repeats ?? 3}; r++) {
            const t0 = performance.now();
            await demo.predict([t]);
            best = Math.min(best, performance.now() - t0);
          }
          ms.push(best);
        }
        out.push({ variant, ms });
      }
      return out;
    })()`);
  } finally {
    await page.close();
  }
}

/**
 * A PNG of the page (`width` x `height`, default 900 x 460) with a statement highlighted and
 * the pointer on its first entity (showing its score): of the `candidates` (default: the
 * page's examples) under 160 characters, the one with the most entity types, then entities,
 * the model finds. Written to `png` through a temporary file.
 *
 * @example
 * ```ts ignore
 * await screenshotDemo("http://127.0.0.1:8000/", "docs/img/demo-page.png");
 * ```
 */
export async function screenshotDemo(
  url: string,
  png: string,
  o: { width?: number; height?: number; candidates?: readonly string[] } = {},
): Promise<void> {
  const page = await openInChromium(url, { width: o.width ?? 900, height: o.height ?? 460 });
  try {
    const at = await page.evaluate<{ x: number; y: number } | null>(`(async () => {
      await demo.ready;
      const candidates = (${JSON.stringify(o.candidates ?? null)} ??
        (await (await fetch("demo.json")).json()).examples).filter((t) => t.length < 160);
      if (candidates.length === 0) return null;
      const found = await demo.predict(candidates);
      const rank = (spans) => new Set(spans.map((s) => s.label)).size * 1000 + spans.length;
      let best = 0;
      found.forEach((spans, i) => { if (rank(spans) > rank(found[best])) best = i; });
      await demo.show(candidates[best]);
      const mark = document.querySelector("#result mark");
      if (!mark) return null;
      const box = mark.getClientRects()[0];
      return { x: box.left + 8, y: box.top + box.height / 2 };
    })()`);
    if (at) await page.moveMouse(at.x, at.y);
    const bytes = await page.screenshot();
    await Deno.mkdir(dirname(resolve(png)), { recursive: true });
    const tmp = `${png}.tmp-${crypto.randomUUID()}`;
    await Deno.writeFile(tmp, bytes);
    await Deno.rename(tmp, png);
  } finally {
    await page.close();
  }
}

type Cli = { model?: string; out: string; serve?: number; screenshot?: string; time?: number };

function parseArgs(args: string[]): Cli {
  const usage = "usage: deno task demo [--model EXPORTED_DIR] [--out DIR] [--serve PORT] " +
    "[--screenshot FILE.png] [--time N]";
  const cli: Cli = { out: join(ROOT, "out/demo") };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i], value = args[i + 1];
    const need = (what: string) => {
      if (value === undefined) throw new Error(`demo: ${flag} needs ${what} (${usage})`);
      i++;
      return value;
    };
    const count = (what: string) => {
      const n = Number(need(what));
      if (!Number.isInteger(n) || n < 0) {
        throw new Error(`demo: ${flag} needs ${what}, got ${value}`);
      }
      return n;
    };
    if (flag === "--model") cli.model = need("a folder");
    else if (flag === "--out") cli.out = need("a folder");
    else if (flag === "--serve") cli.serve = count("a port number");
    else if (flag === "--screenshot") cli.screenshot = need("a file name");
    else if (flag === "--time") cli.time = count("a number of statements");
    else throw new Error(`demo: unknown argument ${flag} (${usage})`);
  }
  return cli;
}

if (import.meta.main) {
  const cli = parseArgs(Deno.args);
  const { test } = await grobidSplit();
  const texts = test.map((d) => d.text);
  let model = cli.model, trainedIn: string | undefined;
  if (!model) {
    trainedIn = await Deno.makeTempDir({ prefix: "nerss-demo-model-" });
    model = join(trainedIn, "model");
    const t0 = performance.now();
    const { f1 } = await trainDemoModel(model);
    console.log(
      `demo: trained a ${DEMO_CLASSIFIER.numLayers} x ${DEMO_CLASSIFIER.hiddenSize} BERT in ` +
        `${((performance.now() - t0) / 1000).toFixed(0)} s (GROBID test micro F1 ${f1.toFixed(3)})`,
    );
  }
  try {
    const settings = await writeDemo({ model, out: cli.out, examples: texts.slice(0, 6) });
    console.log(`demo: wrote ${cli.out} (${settings.variants.map((v) => v.name).join(", ")})`);
  } finally {
    if (trainedIn) await Deno.remove(trainedIn, { recursive: true });
  }
  const server = serveDemo(cli.out, { port: cli.serve ?? 0 });
  const url = `http://127.0.0.1:${server.addr.port}/`;
  if (cli.screenshot) {
    await screenshotDemo(url, cli.screenshot, { candidates: texts });
    console.log(`demo: wrote ${cli.screenshot} (${(await Deno.stat(cli.screenshot)).size} bytes)`);
  }
  if (cli.time) {
    const sample = texts.slice(0, cli.time);
    for (const { variant, ms } of await timeDemo(url, sample)) {
      const sorted = [...ms].sort((a, b) => a - b);
      const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
      console.log(
        `demo: ${variant}: ${mean.toFixed(2)} ms per statement (median ` +
          `${sorted[sorted.length >> 1].toFixed(2)}; ${ms.length} GROBID test statements, the ` +
          "fastest of 3 runs each; Chromium, onnxruntime-web wasm, 1 thread)",
      );
    }
  }
  if (cli.serve === undefined) await server.shutdown();
  else console.log(`demo: serving ${cli.out} at ${url} (Ctrl-C stops)`);
}
