/**
 * Hugging Face Hub downloads: resolve "org/name" into a local folder holding config.json,
 * the weights (model.safetensors, or its index and shards, or pytorch_model.bin) and the
 * tokenizer files, in the standard Hugging Face hub cache that Python's `huggingface_hub`
 * (and so transformers) reads and writes (https://huggingface.co/docs/hub/local-cache):
 *
 * ```
 * {cache}/models--{org}--{name}/blobs/{etag}              the files' bytes, named by hash
 *                              /refs/{revision}           the revision's commit hash
 *                              /snapshots/{commit}/{file} -> ../../blobs/{etag}
 *                              /.no_exist/{commit}/{file} empty: the Hub answered 404
 * ```
 *
 * URLs are `{host}/{model}/resolve/{revision}/{file}`; the commit comes from the first
 * answer's `X-Repo-Commit` header and later files are asked for at that commit. Each
 * file's ETag is its hash, as huggingface_hub reads it: `X-Linked-Etag` (the sha256 of an
 * LFS file, sent on the redirect to the CDN) else `ETag` (the git object id of a small
 * file), and the size `X-Linked-Size` else `Content-Length`. A download is written to a
 * temporary name, checked against both, and only then renamed to `blobs/{etag}`: a cached
 * blob was verified when written, so a model whose snapshot holds every file (or a
 * `.no_exist` mark for it) is used offline without a request. Model ids, revisions,
 * file names and ETags must be single path segments, and every path written is proven
 * inside the cache folder first.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { isAbsolute, relative, resolve } from "node:path";

/**
 * Where and how to download from.
 */
export type HubOptions = {
  /** Hub address (default `https://huggingface.co`). */
  host?: string;
  /** Branch, tag or commit (default `main`); a single path segment. */
  revision?: string;
  /** Hub cache folder (default {@link defaultCacheDir}). */
  cacheDir?: string;
  /** Access token, sent as `Authorization: Bearer` to the Hub (not to a CDN it redirects to). */
  token?: string;
};

/**
 * The tokenizer files fetched when the repository has them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.ok(TOKENIZER_FILES.includes("tokenizer.json"));
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

/** Weights in the order tried; `true` marks a sharded index. */
const WEIGHTS: readonly (readonly [string, boolean])[] = [
  ["model.safetensors", false],
  ["model.safetensors.index.json", true],
  ["pytorch_model.bin", false],
  ["pytorch_model.bin.index.json", true],
];

/**
 * The Hugging Face hub cache, found as huggingface_hub finds it: `$HF_HUB_CACHE`, else
 * `$HUGGINGFACE_HUB_CACHE`, else `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`,
 * else `~/.cache/huggingface/hub` (without `--allow-env`: `.cache/huggingface/hub`).
 * `NERSS_CACHE_DIR` names the dataset and tokenizer cache only.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * for (const name of ["HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"]) Deno.env.delete(name);
 * Deno.env.set("HF_HOME", "/data/hf");
 * assert.equal(defaultCacheDir(), "/data/hf/hub");
 * Deno.env.set("HF_HUB_CACHE", "/scratch/hub");
 * assert.equal(defaultCacheDir(), "/scratch/hub");
 * ```
 */
export function defaultCacheDir(): string {
  try {
    const get = (name: string) => Deno.env.get(name) || undefined;
    const direct = get("HF_HUB_CACHE") ?? get("HUGGINGFACE_HUB_CACHE");
    if (direct) return direct;
    const home = get("HF_HOME") ??
      `${get("XDG_CACHE_HOME") ?? `${get("HOME") ?? "."}/.cache`}/huggingface`;
    return `${home}/hub`;
  } catch {
    return ".cache/huggingface/hub"; // no --allow-env
  }
}

/** A name usable as one path segment: no separators, not `.`/`..`, no leading dot. */
const SEGMENT = /^[A-Za-z0-9_-][\w.-]*$/;

function isSegment(s: string): boolean {
  return SEGMENT.test(s) && !s.includes("..") && s.length <= 255;
}

/**
 * Check a model id ("name" or "org/name"), as the Hub allows them: each part a single path
 * segment, no `..`, no `--` (the cache folder's separator, so two ids never share a folder).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.ok(isModelId("FacebookAI/roberta-base"));
 * assert.ok(!isModelId("../etc") && !isModelId("a/b/c") && !isModelId("a--b/c"));
 * ```
 */
export function isModelId(name: string): boolean {
  const parts = name.split("/");
  return parts.length <= 2 && parts.every(isSegment) && !name.includes("--");
}

function checkSegment(what: string, value: string): string {
  if (!isSegment(value)) {
    throw new Error(`Hub: ${what} ${JSON.stringify(value)} is not a single path segment`);
  }
  return value;
}

/**
 * The download URL of one file of a model.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(hubUrl("gpt2", "config.json"), "https://huggingface.co/gpt2/resolve/main/config.json");
 * ```
 */
export function hubUrl(model: string, file: string, options: HubOptions = {}): string {
  const host = (options.host ?? "https://huggingface.co").replace(/\/+$/, "");
  const rev = encodeURIComponent(options.revision ?? "main");
  return `${host}/${model}/resolve/${rev}/${encodeURIComponent(file)}`;
}

/** `parts` joined under `root`, refused unless the result is strictly inside it. */
function inside(root: string, ...parts: string[]): string {
  const path = resolve(root, ...parts);
  const rel = relative(root, path);
  if (rel === "" || rel === ".." || rel.startsWith("../") || isAbsolute(rel)) {
    throw new Error(`Hub: ${path} is not inside the cache folder ${root}`);
  }
  return path;
}

/**
 * The cache folder of a model (`{cache}/models--{org}--{name}`); the model id and the
 * revision are checked (an unsafe one is an error naming it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(modelCacheDir("org/name", { cacheDir: "/c" }), "/c/models--org--name");
 * assert.throws(() => modelCacheDir("org/name", { revision: "../x" }), /not a single path segment/);
 * ```
 */
export function modelCacheDir(model: string, options: HubOptions = {}): string {
  if (!isModelId(model)) {
    throw new Error(`"${model}" is not a Hugging Face model id (org/name)`);
  }
  checkSegment("revision", options.revision ?? "main");
  const root = resolve(options.cacheDir ?? defaultCacheDir());
  return inside(root, `models--${model.split("/").join("--")}`);
}

/** One model being resolved: where its cache is and, once known, the commit. */
type Repo = {
  model: string;
  revision: string;
  dir: string;
  options: HubOptions;
  commit: string | null;
};

const COMMIT = /^[0-9a-f]{40}$/;

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** Write `text` at `path` through a temporary sibling and a rename. */
async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeTextFile(tmp, text);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}

/** What the cache says of `file` at `commit`: there, known missing, or unknown. */
async function cached(repo: Repo, commit: string, file: string): Promise<boolean | undefined> {
  if (await exists(inside(repo.dir, "snapshots", commit, file))) return true;
  if (await exists(inside(repo.dir, ".no_exist", commit, file))) return false;
  return undefined;
}

/** Record the commit of the revision (refs/{revision}), or refuse a second, different one. */
async function setCommit(repo: Repo, commit: string, url: string): Promise<void> {
  if (!COMMIT.test(commit)) throw new Error(`${url}: X-Repo-Commit "${commit}" is not a commit`);
  if (repo.commit !== null && repo.commit !== commit) {
    throw new Error(`${url}: answered for commit ${commit}, expected ${repo.commit}`);
  }
  if (repo.commit === commit) return;
  repo.commit = commit;
  if (repo.revision === commit) return;
  const ref = inside(repo.dir, "refs", repo.revision);
  const old = await Deno.readTextFile(ref).catch(() => null);
  if (old?.trim() === commit) return;
  await Deno.mkdir(inside(repo.dir, "refs"), { recursive: true });
  await writeAtomic(ref, commit);
}

/** The hash an ETag names: a sha256 (LFS) or a git blob id (a file kept in git). */
function hashOf(etag: string, url: string): "sha256" | "git-sha1" {
  if (/^[0-9a-f]{64}$/.test(etag)) return "sha256";
  if (COMMIT.test(etag)) return "git-sha1";
  throw new Error(
    `${url}: ETag "${etag}" is neither a sha256 nor a git object id; the download cannot be checked`,
  );
}

/** The hash of a file as the Hub names it (git's blob id is sha1 of "blob {size}\0" + bytes). */
async function hashFile(path: string, kind: "sha256" | "git-sha1", size: number) {
  const h = createHash(kind === "sha256" ? "sha256" : "sha1");
  if (kind === "git-sha1") h.update(`blob ${size}\0`);
  const f = await Deno.open(path);
  for await (const chunk of f.readable) h.update(chunk);
  return h.digest("hex");
}

function bytes(header: string | null): number | null {
  return header !== null && /^\d+$/.test(header.trim()) ? Number(header) : null;
}

type Answer = {
  res: Response;
  commit: string | null;
  etag: string | null;
  size: number | null;
};

/**
 * GET `url`, following redirects by hand so that the Hub's own headers are read from its
 * last answer before a CDN's (commit, `X-Linked-Etag` else `ETag`, `X-Linked-Size`, as
 * huggingface_hub reads them); the token goes to the Hub's origin only.
 */
async function request(url: string, token: string | undefined): Promise<Answer> {
  const origin = new URL(url).origin;
  let at = url;
  let hubSays: Omit<Answer, "res"> = { commit: null, etag: null, size: null };
  for (let hop = 0; hop < 10; hop++) {
    const hub = new URL(at).origin === origin;
    const headers: Record<string, string> = { "Accept-Encoding": "identity" };
    if (token && hub) headers.Authorization = `Bearer ${token}`;
    let res: Response;
    try {
      res = await fetch(at, { headers, redirect: "manual" });
    } catch (e) {
      throw new Error(`${url}: download failed (${(e as Error).message})`);
    }
    const h = res.headers;
    if (hub) {
      const etag = h.get("x-linked-etag") ?? h.get("etag");
      hubSays = {
        commit: h.get("x-repo-commit"),
        etag: etag?.replace(/^W\//, "").replace(/^"(.*)"$/, "$1") ?? null,
        size: bytes(h.get("x-linked-size")),
      };
    }
    const location = h.get("location");
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      at = new URL(location, at).href;
      continue;
    }
    return { res, ...hubSays, size: hubSays.size ?? bytes(h.get("content-length")) };
  }
  throw new Error(`${url}: too many redirects`);
}

/**
 * Stream `res` into a temporary file beside `blob`, check its size and hash, and rename it
 * to `blob`; anything wrong removes the temporary file and throws naming `url`.
 */
async function saveVerified(
  res: Response,
  blob: string,
  etag: string,
  size: number | null,
  url: string,
) {
  const kind = hashOf(etag, url);
  const tmp = `${blob}.${crypto.randomUUID()}.incomplete`;
  let got = 0;
  try {
    const f = await Deno.open(tmp, { write: true, createNew: true });
    const count = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, c) {
        got += chunk.length;
        c.enqueue(chunk);
      },
    });
    try {
      await res.body!.pipeThrough(count).pipeTo(f.writable);
    } catch (e) {
      throw new Error(
        `${url}: download broke off after ${got} bytes${size === null ? "" : ` of ${size}`} (${
          (e as Error).message
        }); nothing was cached`,
      );
    }
    if (size !== null && got !== size) {
      throw new Error(`${url}: got ${got} bytes, the Hub announced ${size}; nothing was cached`);
    }
    const actual = await hashFile(tmp, kind, got);
    if (actual !== etag) {
      throw new Error(
        `${url}: ${kind} of the download is ${actual}, the Hub's ETag says ${etag}; ` +
          `nothing was cached (a tampered or corrupted download)`,
      );
    }
    await Deno.rename(tmp, blob);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}

/** Point `snapshots/{commit}/{file}` at `blobs/{etag}` (relative link, made atomically). */
async function link(repo: Repo, file: string, etag: string): Promise<void> {
  const snapshot = inside(repo.dir, "snapshots", repo.commit!);
  const path = inside(snapshot, file);
  await Deno.mkdir(snapshot, { recursive: true });
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  await Deno.symlink(`../../blobs/${etag}`, tmp);
  await Deno.rename(tmp, path);
}

/**
 * Make `file` present in the snapshot, downloading and verifying it unless the cache
 * already has it. Returns false when the Hub answers 404 (remembered in `.no_exist`).
 */
async function fetchFile(repo: Repo, file: string): Promise<boolean> {
  checkSegment("file name", file);
  if (repo.commit !== null) {
    const known = await cached(repo, repo.commit, file);
    if (known !== undefined) return known;
  }
  const url = hubUrl(repo.model, file, { ...repo.options, revision: repo.commit ?? repo.revision });
  const { res, commit, etag, size } = await request(url, repo.options.token);
  if (res.status === 404) {
    await res.body?.cancel();
    if (commit !== null) await setCommit(repo, commit, url);
    if (repo.commit !== null) {
      const mark = inside(repo.dir, ".no_exist", repo.commit, file);
      await Deno.mkdir(inside(repo.dir, ".no_exist", repo.commit), { recursive: true });
      await Deno.writeFile(mark, new Uint8Array());
    }
    return false;
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new Error(`${url}: HTTP ${res.status} ${res.statusText}`);
  }
  try {
    const sha = commit ?? (COMMIT.test(repo.revision) ? repo.revision : null);
    if (sha === null) {
      throw new Error(
        `${url}: no X-Repo-Commit header; is ${new URL(url).origin} a Hugging Face Hub?`,
      );
    }
    await setCommit(repo, sha, url);
    if (etag === null) throw new Error(`${url}: no ETag; the download cannot be checked`);
    hashOf(etag, url);
    const blob = inside(repo.dir, "blobs", etag);
    if (await exists(blob)) {
      await res.body.cancel();
    } else {
      await Deno.mkdir(inside(repo.dir, "blobs"), { recursive: true });
      await saveVerified(res, blob, etag, size, url);
    }
  } catch (e) {
    await res.body.cancel().catch(() => {});
    throw e;
  }
  await link(repo, file, etag);
  return true;
}

/**
 * Walk the files a model needs with `get` (true: there, false: 404, undefined: unknown
 * offline). Returns false as soon as one is unknown; throws when config.json, every
 * weights file, or a shard is missing.
 */
async function walk(repo: Repo, get: (f: string) => Promise<boolean | undefined>) {
  const url = (f: string) => hubUrl(repo.model, f, repo.options);
  const config = await get("config.json");
  if (config === undefined) return false;
  if (!config) throw new Error(`${url("config.json")}: not found (404); is the id right?`);
  let found = false;
  for (const [file, indexed] of WEIGHTS) {
    const has = await get(file);
    if (has === undefined) return false;
    if (!has) continue;
    if (indexed) {
      const index = inside(repo.dir, "snapshots", repo.commit!, file);
      let json: { weight_map?: Record<string, string> };
      try {
        json = JSON.parse(await Deno.readTextFile(index));
      } catch (e) {
        throw new Error(`${url(file)}: the index is not JSON (${(e as Error).message})`);
      }
      for (const shard of new Set(Object.values(json.weight_map ?? {}))) {
        if (typeof shard !== "string" || !isSegment(shard)) {
          throw new Error(`${index}: shard name ${JSON.stringify(shard)} is not a file name`);
        }
        const got = await get(shard);
        if (got === undefined) return false;
        if (!got) throw new Error(`${url(shard)}: shard listed in ${file} is missing`);
      }
    }
    found = true;
    break;
  }
  if (!found) {
    throw new Error(`${url("")}: no model.safetensors, pytorch_model.bin or sharded index`);
  }
  for (const f of TOKENIZER_FILES) if ((await get(f)) === undefined) return false;
  return true;
}

/**
 * Download a model's config.json, weights and tokenizer files into the Hugging Face hub
 * cache and return its snapshot folder (`.../snapshots/{commit}`). Weights are taken in
 * this order: model.safetensors, its sharded index, pytorch_model.bin, its sharded index.
 * When the revision's snapshot already holds every file, nothing is requested; otherwise
 * the revision is resolved anew (so a moved branch is followed) and the missing files
 * downloaded at its commit.
 *
 * @example
 * ```ts ignore
 * // Needs the network: the Hub, or a mirror given as `host`.
 * const dir = await downloadModel("distilbert/distilbert-base-uncased");
 * const config = JSON.parse(await Deno.readTextFile(`${dir}/config.json`));
 * ```
 */
export async function downloadModel(model: string, options: HubOptions = {}): Promise<string> {
  const revision = options.revision ?? "main";
  const repo: Repo = { model, revision, dir: modelCacheDir(model, options), options, commit: null };
  const snapshot = () => inside(repo.dir, "snapshots", repo.commit!);
  let known: string | null = COMMIT.test(revision) ? revision : null;
  if (known === null) {
    const ref = await Deno.readTextFile(inside(repo.dir, "refs", revision)).catch(() => "");
    if (COMMIT.test(ref.trim())) known = ref.trim();
  }
  if (known !== null) {
    repo.commit = known;
    if (await walk(repo, (f) => cached(repo, known!, f))) return snapshot();
  }
  repo.commit = COMMIT.test(revision) ? revision : null;
  await walk(repo, (f) => fetchFile(repo, f));
  return snapshot();
}
