/// <reference lib="dom" />
/**
 * The demo page's script, bundled for the browser by tools/demo.ts: it reads the exported
 * model beside it (`model/`, see `exportOnnx`) with the toolkit's own `readExported`, runs
 * onnxruntime-web's wasm backend (one thread: a plain static server gives no cross-origin
 * isolation) and predicts with `predictExported`, so its words, subtokens, tags and scores
 * are `predict`'s. The page also answers to a small API, `globalThis.demo`, for scripts
 * (tests/train/demo_page_test.ts and `deno task demo --time` drive it in Chromium).
 *
 * @module
 */
import * as ort from "onnxruntime-web/wasm";
import {
  type ExportedModel,
  type PredictedSpan,
  predictExported,
  readExported,
} from "../../lib/train/predict_text.ts";

/** demo.json, written beside the page: the model files to choose from, and examples. */
export type DemoSettings = {
  /** The first is the default, e.g. `{ name: "float32", file: "model/onnx/model.onnx" }`. */
  variants: { name: string; file: string }[];
  examples: string[];
};

/**
 * The page's API for scripts: `ready` settles when the model is loaded (rejects with what
 * went wrong); `use` switches the model file; `predict` gives the spans of texts without
 * touching the page; `show` puts a text in the box, highlights its entities and gives
 * their spans.
 */
export type DemoApi = {
  ready: Promise<void>;
  variants: string[];
  use(variant: string): Promise<void>;
  predict(texts: string[]): Promise<PredictedSpan[][]>;
  show(text: string): Promise<PredictedSpan[]>;
};

ort.env.wasm.numThreads = 1;
ort.env.wasm.wasmPaths = { wasm: new URL("ort-wasm-simd-threaded.wasm", import.meta.url).href };

const PALETTE = ["#ffd966", "#9fd3f5", "#b6e3a8", "#f4b6c2", "#d5c3f0", "#f9c98b", "#a8e6de"];

function element<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page has no #${id}`);
  return e as T;
}

async function fetchJson<T>(path: string): Promise<T> {
  const r = await fetch(path);
  if (!r.ok) throw new Error(`cannot load ${path}: HTTP ${r.status}`);
  return await r.json() as T;
}

const text = element<HTMLTextAreaElement>("text");
const runButton = element<HTMLButtonElement>("run");
const select = element<HTMLSelectElement>("variant");
const status = element<HTMLDivElement>("status");
const result = element<HTMLDivElement>("result");

let model: ExportedModel | undefined;
let settings: DemoSettings = { variants: [], examples: [] };
let current: { name: string; session: Promise<ort.InferenceSession> } | undefined;
const sessions = new Map<string, Promise<ort.InferenceSession>>();
const colours = new Map<string, string>();

/** The session of a variant's file, created once. */
function sessionOf(name: string): Promise<ort.InferenceSession> {
  const variant = settings.variants.find((v) => v.name === name);
  if (!variant) {
    const names = settings.variants.map((v) => v.name).join(", ");
    return Promise.reject(new Error(`no model "${name}" (the page has: ${names})`));
  }
  let s = sessions.get(name);
  if (!s) {
    s = fetch(variant.file).then(async (r) => {
      if (!r.ok) throw new Error(`cannot load ${variant.file}: HTTP ${r.status}`);
      const bytes = new Uint8Array(await r.arrayBuffer());
      return ort.InferenceSession.create(bytes, { executionProviders: ["wasm"] });
    });
    sessions.set(name, s);
  }
  return s;
}

/** One example's logits (`[length, labels]` flat) from the current model. */
async function logitsOf(inputIds: readonly number[]): Promise<Float32Array> {
  if (!current) throw new Error("no model loaded");
  const session = await current.session;
  const n = inputIds.length;
  const tensor = (values: readonly number[]) =>
    new ort.Tensor("int64", BigInt64Array.from(values, BigInt), [1, n]);
  const feeds: Record<string, ort.Tensor> = {};
  for (const name of session.inputNames) {
    if (name === "input_ids") feeds[name] = tensor(inputIds);
    else if (name === "attention_mask") feeds[name] = tensor(inputIds.map(() => 1));
    else if (name === "token_type_ids") feeds[name] = tensor(inputIds.map(() => 0));
    else throw new Error(`the model takes an input "${name}" that the page cannot give`);
  }
  const out = await session.run(feeds);
  if (!out.logits) throw new Error(`the model gives no "logits" (it gives ${session.outputNames})`);
  return out.logits.data as Float32Array;
}

function predict(texts: string[]): Promise<PredictedSpan[][]> {
  if (!model) return Promise.reject(new Error("the model is not loaded yet"));
  return predictExported(model, texts, logitsOf);
}

function render(source: string, spans: readonly PredictedSpan[]): void {
  result.replaceChildren();
  let at = 0;
  for (const s of spans) {
    result.append(source.slice(at, s.start));
    const mark = document.createElement("mark");
    mark.textContent = source.slice(s.start, s.end);
    Object.assign(mark.dataset, {
      label: s.label,
      start: String(s.start),
      end: String(s.end),
      score: String(s.score),
    });
    mark.dataset.tip = `${s.label}, score ${s.score.toFixed(3)}`;
    mark.style.setProperty("--colour", colours.get(s.label) ?? "#ddd");
    result.append(mark);
    at = s.end;
  }
  result.append(source.slice(at));
}

async function highlight(): Promise<PredictedSpan[]> {
  const source = text.value;
  const t0 = performance.now();
  const [spans] = await predict([source]);
  const ms = performance.now() - t0;
  render(source, spans);
  const n = spans.length;
  status.textContent = `${n} ${n === 1 ? "entity" : "entities"} in ${ms.toFixed(1)} ms ` +
    `(${current?.name} model, onnxruntime-web ${ort.env.versions.web}, wasm)`;
  return spans;
}

async function use(name: string): Promise<void> {
  const session = sessionOf(name);
  current = { name, session };
  select.value = name;
  await session;
}

function showError(e: unknown): void {
  status.textContent = `Error: ${(e as Error).message}`;
  status.style.color = "#b00";
}

async function load(): Promise<void> {
  settings = await fetchJson<DemoSettings>("demo.json");
  const [config, tokenizer, tokenizerConfig] = await Promise.all(
    ["config.json", "tokenizer.json", "tokenizer_config.json"].map((f) =>
      fetchJson<Record<string, unknown>>(`model/${f}`)
    ),
  );
  model = readExported({ config, tokenizer, tokenizerConfig });
  const legend = element<HTMLSpanElement>("legend");
  for (const label of model.labels) {
    const type = label.replace(/^[A-Z]-/, "");
    if (label === "O" || colours.has(type)) continue;
    colours.set(type, PALETTE[colours.size % PALETTE.length]);
    const key = document.createElement("span");
    key.textContent = type;
    key.style.setProperty("--colour", colours.get(type)!);
    legend.append(key);
  }
  for (const v of settings.variants) select.append(new Option(v.name, v.name));
  const examples = element<HTMLSpanElement>("examples");
  settings.examples.forEach((example, i) => {
    const b = document.createElement("button");
    b.textContent = `example ${i + 1}`;
    b.title = example;
    b.onclick = () => {
      text.value = example;
      highlight().catch(showError);
    };
    examples.append(b);
  });
  const query = new URLSearchParams(location.search);
  await use(query.get("variant") ?? settings.variants[0].name);
  api.variants.push(...settings.variants.map((v) => v.name));
  text.value = query.get("text") ?? settings.examples[0] ?? "";
  runButton.disabled = false;
  runButton.onclick = () => void highlight().catch(showError);
  select.onchange = () => void use(select.value).then(highlight).catch(showError);
  await highlight();
}

const api: DemoApi = {
  ready: Promise.resolve(),
  variants: [],
  use,
  predict,
  show: (source) => {
    text.value = source;
    return highlight();
  },
};
api.ready = load().catch((e) => {
  showError(e);
  throw e;
});
api.ready.catch(() => {}); // the status line shows it; scripts awaiting `ready` get it too
(globalThis as { demo?: DemoApi }).demo = api;
