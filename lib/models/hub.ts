/**
 * Hugging Face Hub downloads: resolve "org/name" into a local folder holding config.json,
 * the weights (model.safetensors, or its index and shards, or pytorch_model.bin) and the
 * tokenizer files. URLs follow the layout transformers.js uses,
 * `{host}/{model}/resolve/{revision}/{file}` (host https://huggingface.co, revision
 * "main"); the cache folder follows transformers.js' file cache: `{cacheDir}/{model}/` for
 * "main", `{cacheDir}/{model}/{revision}/` otherwise, so `env.localModelPath = cacheDir`
 * finds the tokenizer there. Files are written to a temporary name and renamed, so an
 * interrupted download never leaves a half file under the real name; files already in
 * the cache are not fetched again, and a finished model (marker `.download-complete`) is
 * used offline.
 *
 * @module
 */

/**
 * Where and how to download from.
 *
 * @example
 * ```ts
 * const o: HubOptions = { host: "http://localhost:8080", revision: "v1", cacheDir: "/tmp/models" };
 * ```
 */
export type HubOptions = {
  /** Hub address (default `https://huggingface.co`). */
  host?: string;
  /** Branch, tag or commit (default `main`). */
  revision?: string;
  /** Cache folder (default {@link defaultCacheDir}). */
  cacheDir?: string;
  /** Access token, sent as `Authorization: Bearer`. */
  token?: string;
};

/**
 * The tokenizer files fetched when the repository has them.
 *
 * @example
 * ```ts
 * for (const f of TOKENIZER_FILES) console.log(hubUrl("gpt2", f));
 * ```
 */
export const TOKENIZER_FILES: readonly string[] = [
  "tokenizer.json",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "vocab.txt",
  "vocab.json",
  "merges.txt",
];

/**
 * The default cache folder: `$NERSS_CACHE_DIR/models` (the dataset cache's variable), else `$XDG_CACHE_HOME/nerss/models`, else
 * `~/.cache/nerss/models` (environment access needs `--allow-env`; without it `.cache/nerss/models`).
 *
 * @example
 * ```ts
 * console.log(defaultCacheDir());
 * ```
 */
export function defaultCacheDir(): string {
  try {
    const own = Deno.env.get("NERSS_CACHE_DIR");
    if (own) return `${own}/models`;
    const xdg = Deno.env.get("XDG_CACHE_HOME");
    if (xdg) return `${xdg}/nerss/models`;
    const home = Deno.env.get("HOME");
    if (home) return `${home}/.cache/nerss/models`;
  } catch {
    // no --allow-env: fall through
  }
  return ".cache/nerss/models";
}

/**
 * Check a model id ("name" or "org/name").
 *
 * @example
 * ```ts
 * isModelId("FacebookAI/roberta-base"); // true
 * isModelId("../etc"); // false
 * ```
 */
export function isModelId(name: string): boolean {
  return /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/.test(name) && !name.includes("..");
}

/**
 * The download URL of one file of a model.
 *
 * @example
 * ```ts
 * hubUrl("gpt2", "config.json"); // "https://huggingface.co/gpt2/resolve/main/config.json"
 * ```
 */
export function hubUrl(model: string, file: string, options: HubOptions = {}): string {
  const host = (options.host ?? "https://huggingface.co").replace(/\/+$/, "");
  const rev = encodeURIComponent(options.revision ?? "main");
  return `${host}/${model}/resolve/${rev}/${file}`;
}

/**
 * The local folder a model is (or will be) cached in.
 *
 * @example
 * ```ts
 * modelCacheDir("org/name", { cacheDir: "/c", revision: "v2" }); // "/c/org/name/v2"
 * ```
 */
export function modelCacheDir(model: string, options: HubOptions = {}): string {
  const base = options.cacheDir ?? defaultCacheDir();
  const rev = options.revision ?? "main";
  return rev === "main" ? `${base}/${model}` : `${base}/${model}/${rev}`;
}

/** Marker written once every file of a model is in the cache: later calls do not fetch. */
const COMPLETE = ".download-complete";

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * Fetch one file into `dir` unless it is there already. Returns false when the server
 * answers 404; other failures throw with the URL and status.
 */
async function fetchFile(
  model: string,
  file: string,
  dir: string,
  options: HubOptions,
): Promise<boolean> {
  const path = `${dir}/${file}`;
  if (await exists(path)) return true;
  const url = hubUrl(model, file, options);
  const headers: Record<string, string> = {};
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let res: Response;
  try {
    res = await fetch(url, { headers });
  } catch (e) {
    throw new Error(`${url}: download failed (${(e as Error).message})`);
  }
  if (res.status === 404) {
    await res.body?.cancel();
    return false;
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new Error(`${url}: HTTP ${res.status} ${res.statusText}`);
  }
  await Deno.mkdir(dir, { recursive: true });
  const tmp = `${path}.part-${crypto.randomUUID()}`;
  try {
    const f = await Deno.open(tmp, { write: true, createNew: true });
    await res.body.pipeTo(f.writable);
    const length = res.headers.get("content-length");
    if (length !== null && (await Deno.stat(tmp)).size !== Number(length)) {
      throw new Error(`${url}: download ended early (expected ${length} bytes)`);
    }
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
  return true;
}

async function fetchIndexed(model: string, index: string, dir: string, options: HubOptions) {
  if (!(await fetchFile(model, index, dir, options))) return false;
  const json = JSON.parse(await Deno.readTextFile(`${dir}/${index}`));
  const shards = new Set<string>(Object.values(json.weight_map ?? {}));
  for (const shard of shards) {
    if (!/^[\w.-]+$/.test(shard)) {
      throw new Error(`${dir}/${index}: shard name ${JSON.stringify(shard)} is not a file name`);
    }
    if (!(await fetchFile(model, shard, dir, options))) {
      throw new Error(`${hubUrl(model, shard, options)}: shard listed in ${index} is missing`);
    }
  }
  return true;
}

/**
 * Download a model's config.json, weights and tokenizer files into its cache folder and
 * return that folder. Weights are taken in this order: model.safetensors, its sharded
 * index, pytorch_model.bin, its sharded index.
 *
 * @example
 * ```ts
 * const dir = await downloadModel("distilbert/distilbert-base-uncased");
 * const config = JSON.parse(await Deno.readTextFile(`${dir}/config.json`));
 * ```
 */
export async function downloadModel(model: string, options: HubOptions = {}): Promise<string> {
  if (!isModelId(model)) throw new Error(`"${model}" is not a Hugging Face model id (org/name)`);
  const dir = modelCacheDir(model, options);
  if (await exists(`${dir}/${COMPLETE}`)) return dir;
  if (!(await fetchFile(model, "config.json", dir, options))) {
    throw new Error(`${hubUrl(model, "config.json", options)}: not found (404); is the id right?`);
  }
  const found = (await fetchFile(model, "model.safetensors", dir, options)) ||
    (await fetchIndexed(model, "model.safetensors.index.json", dir, options)) ||
    (await fetchFile(model, "pytorch_model.bin", dir, options)) ||
    (await fetchIndexed(model, "pytorch_model.bin.index.json", dir, options));
  if (!found) {
    throw new Error(
      `${hubUrl(model, "", options)}: no model.safetensors, pytorch_model.bin or sharded index`,
    );
  }
  for (const f of TOKENIZER_FILES) await fetchFile(model, f, dir, options);
  await Deno.writeTextFile(`${dir}/${COMPLETE}`, new Date().toISOString() + "\n");
  return dir;
}
