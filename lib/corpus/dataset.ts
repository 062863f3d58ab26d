/**
 * Named public datasets and tokenizer files, described in `data/manifest.json`
 * (source pinned to a commit, sha256, licence, format, label mapping), read from a
 * local copy when there is one and downloaded otherwise.
 *
 * Where a file is looked for, in order:
 * 1. the data folder: `opts.dataDir`, else the environment variable `NERSS_DATA_DIR`,
 *    else `../shared/data` beside the repository root (skipped when `dataDir` is
 *    `null`);
 * 2. the download cache: `opts.cacheDir`, else `NERSS_CACHE_DIR`, else
 *    `~/.cache/nerss`;
 * 3. a download from the file's public URL (or from `opts.baseUrl` + its path, for a
 *    mirror laid out like the data folder), checked against its sha256 and written to
 *    the cache through a temporary file and a rename; a download whose checksum does
 *    not match is an error and is not kept.
 *
 * Every file found, local or cached, is checked against its sha256 too: a local copy
 * that differs is an error, a cached one is downloaded again.
 *
 * @module
 */

import { gunzipSync } from "../deps/fflate.ts";
import { dirname, join } from "node:path";
import { homedir } from "node:os";
import { fileURLToPath } from "node:url";
import manifestJson from "../../data/manifest.json" with { type: "json" };
import type { Doc } from "../core/types.ts";
import type { Scheme } from "../core/scheme.ts";
import { CorpusError } from "../core/errors.ts";
import { readTei } from "./tei.ts";
import { readConll } from "./conll.ts";
import { nearestName } from "./nearest.ts";

/**
 * One file of a manifest entry: its place under the data folder and the cache
 * (`path`), its public URL, its sha256 and, for a file inside a `.tgz` archive (an
 * npm tarball), the archive member's name.
 */
export type ManifestFile = { path: string; url: string; sha256: string; member?: string };

/**
 * A manifest entry: a dataset (read into documents by {@link loadDataset}) or an
 * asset (files such as a tokenizer, found by {@link datasetFile} / {@link datasetDir}).
 * `labels` maps the source's entity types to the toolkit's labels (TEI: element name
 * to label, unlisted elements are plain text; CoNLL: tag type to label, an unlisted
 * type is an error); a `null` label drops that type on purpose.
 */
export type ManifestEntry = {
  kind: "dataset" | "asset";
  description: string;
  source: string;
  licence: string;
  format?: "tei" | "conll";
  scheme?: Scheme;
  labels?: Record<string, string | null>;
  files: ManifestFile[];
};

/**
 * The manifest: entries by name.
 */
export type Manifest = { version: number; note?: string; datasets: Record<string, ManifestEntry> };

/**
 * The toolkit's manifest, `data/manifest.json`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MANIFEST } from "./dataset.ts";
 * assert.deepEqual(Object.keys(MANIFEST.datasets).slice(0, 2), [
 *   "grobid-acknowledgements",
 *   "grobid-fundings",
 * ]);
 * assert.equal(MANIFEST.datasets.wikigold.format, "conll");
 * ```
 */
export const MANIFEST: Manifest = manifestJson as Manifest;

/**
 * Options of {@link loadDataset}, {@link datasetFile} and {@link datasetDir}.
 */
export type DatasetOptions = {
  /** Manifest to use instead of `data/manifest.json`. */
  manifest?: Manifest;
  /** Folder of local copies; `null`: use none (default: see the module docs). */
  dataDir?: string | null;
  /** Download cache folder (default `$NERSS_CACHE_DIR`, else `~/.cache/nerss`). */
  cacheDir?: string;
  /** Download from `baseUrl` + each file's `path` (a mirror of the data folder,
   * archive members already extracted) instead of the manifest's URLs. */
  baseUrl?: string;
  /** Label mapping to use instead of the manifest's (see {@link ManifestEntry}). */
  labels?: Record<string, string | null>;
};

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined; // no --allow-env
  }
}

function defaultDataDir(): string | undefined {
  const fromEnv = env("NERSS_DATA_DIR");
  if (fromEnv) return fromEnv;
  const root = new URL("../../", import.meta.url);
  if (root.protocol !== "file:") return undefined;
  return join(fileURLToPath(root), "..", "shared", "data");
}

function cacheDirOf(opts: DatasetOptions): string {
  return opts.cacheDir ?? env("NERSS_CACHE_DIR") ?? join(homedir() ?? ".", ".cache", "nerss");
}

function entryOf(name: string, opts: DatasetOptions): ManifestEntry {
  const manifest = opts.manifest ?? MANIFEST;
  const entry = manifest.datasets[name];
  if (entry === undefined) {
    throw new Error(
      `unknown dataset ${JSON.stringify(name)}; the manifest has: ${
        Object.keys(manifest.datasets).join(", ")
      }`,
    );
  }
  return entry;
}

/**
 * The sha256 of some bytes, as lowercase hex.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sha256Hex } from "./dataset.ts";
 * assert.equal(await sha256Hex(new TextEncoder().encode("abc")),
 *   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
 * ```
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function readIfExists(path: string): Promise<Uint8Array | undefined> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/** The member `name` of a gzipped tar archive (ustar headers). */
function untarMember(tgz: Uint8Array, name: string, url: string): Uint8Array {
  const tar = gunzipSync(tgz);
  const text = (a: number, b: number) =>
    new TextDecoder().decode(tar.subarray(a, b)).replace(/\0.*$/s, "");
  const seen: string[] = [];
  for (let at = 0; at + 512 <= tar.length;) {
    if (tar.subarray(at, at + 512).every((b) => b === 0)) break;
    const prefix = text(at + 345, at + 500);
    const path = (prefix ? prefix + "/" : "") + text(at, at + 100);
    const size = parseInt(text(at + 124, at + 136).trim() || "0", 8);
    const type = text(at + 156, at + 157);
    if ((type === "0" || type === "") && path === name) {
      return tar.slice(at + 512, at + 512 + size);
    }
    seen.push(path);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${url}: the archive has no member ${name} (members: ${seen.join(", ")})`);
}

/** A manifest file's sha256 in lowercase (the manifest may write it in either case). */
function expectedSha(file: ManifestFile): string {
  const sha = file.sha256.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(sha)) {
    throw new Error(
      `manifest: ${file.path}: sha256 ${JSON.stringify(file.sha256)} is not 64 hex digits`,
    );
  }
  return sha;
}

async function download(file: ManifestFile, target: string, opts: DatasetOptions): Promise<void> {
  const url = opts.baseUrl !== undefined ? opts.baseUrl.replace(/\/*$/, "/") + file.path : file.url;
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new Error(`download of ${url} failed: ${(e as Error).message}`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`download of ${url} failed: HTTP ${response.status} ${response.statusText}`);
  }
  let bytes: Uint8Array = new Uint8Array(await response.arrayBuffer());
  if (file.member !== undefined && opts.baseUrl === undefined) {
    bytes = untarMember(bytes, file.member, url);
  }
  const got = await sha256Hex(bytes);
  if (got !== expectedSha(file)) {
    throw new Error(
      `download of ${url} has sha256 ${got} but the manifest expects ${file.sha256}; ` +
        `the file was not kept (a changed or corrupted download)`,
    );
  }
  await Deno.mkdir(dirname(target), { recursive: true });
  const temp = `${target}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeFile(temp, bytes);
    await Deno.rename(temp, target);
  } catch (e) {
    await Deno.remove(temp).catch(() => {});
    throw e;
  }
}

/** Local path of one manifest file: the data folder's copy, the cache's, or a download. */
async function resolveFile(
  file: ManifestFile,
  opts: DatasetOptions,
  useLocal = true,
): Promise<string> {
  const dataDir = opts.dataDir === null ? undefined : opts.dataDir ?? defaultDataDir();
  if (useLocal && dataDir !== undefined) {
    const local = join(dataDir, file.path);
    const bytes = await readIfExists(local);
    if (bytes !== undefined) {
      const got = await sha256Hex(bytes);
      if (got !== expectedSha(file)) {
        throw new Error(
          `${local}: sha256 ${got} differs from the manifest's ${file.sha256}; ` +
            `the local copy is not the pinned version`,
        );
      }
      return local;
    }
  }
  const cached = join(cacheDirOf(opts), file.path);
  const bytes = await readIfExists(cached);
  if (bytes !== undefined && await sha256Hex(bytes) === expectedSha(file)) return cached;
  if (bytes !== undefined) await Deno.remove(cached);
  await download(file, cached, opts);
  return cached;
}

/**
 * Local path of a file of a dataset or asset (downloading it when needed). `file`
 * picks one of an entry's files by its name (the last part of its path); it may be
 * left out when the entry has a single file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { datasetFile } from "./dataset.ts";
 * const path = await datasetFile("bert-base-uncased", { file: "tokenizer.json" });
 * assert.ok(path.endsWith("tokenizers/bert-base-uncased/tokenizer.json"));
 * const xml = await Deno.readTextFile(await datasetFile("grobid-acknowledgements"));
 * assert.ok(xml.includes("<acknowledgment>"));
 * ```
 */
export async function datasetFile(
  name: string,
  opts: DatasetOptions & { file?: string } = {},
): Promise<string> {
  const entry = entryOf(name, opts);
  const base = (p: string) => p.slice(p.lastIndexOf("/") + 1);
  let file: ManifestFile | undefined;
  if (opts.file !== undefined) file = entry.files.find((f) => base(f.path) === opts.file);
  else if (entry.files.length === 1) file = entry.files[0];
  if (file === undefined) {
    throw new Error(
      `${name}: ${
        opts.file === undefined ? "several files, name one with opts.file" : `no file ${opts.file}`
      } (files: ${entry.files.map((f) => base(f.path)).join(", ")})`,
    );
  }
  return await resolveFile(file, opts);
}

/**
 * Local folder holding all files of a dataset or asset (a tokenizer's files must sit
 * together): the data folder's when it has them all, else the cache's, downloading
 * what is missing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { datasetDir } from "./dataset.ts";
 * const dir = await datasetDir("bert-base-uncased");
 * const names = [...Deno.readDirSync(dir)].map((e) => e.name);
 * assert.ok(names.includes("tokenizer.json") && names.includes("vocab.txt"));
 * ```
 */
export async function datasetDir(name: string, opts: DatasetOptions = {}): Promise<string> {
  const entry = entryOf(name, opts);
  const dirs = new Set(entry.files.map((f) => dirname(f.path)));
  if (dirs.size !== 1) {
    throw new Error(`${name}: its files are in several folders (${[...dirs].join(", ")})`);
  }
  const paths: string[] = [];
  for (const f of entry.files) paths.push(await resolveFile(f, opts));
  if (new Set(paths.map((p) => dirname(p))).size === 1) return dirname(paths[0]);
  for (const f of entry.files) await resolveFile(f, opts, false);
  return join(cacheDirOf(opts), [...dirs][0]);
}

/**
 * Reads a dataset of the manifest into documents: finds its file (see the module
 * docs), parses it with the reader for its format (TEI inline XML or CoNLL) and
 * applies the label mapping (`opts.labels`, else the manifest's).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadDataset } from "./dataset.ts";
 * const docs = await loadDataset("grobid-acknowledgements");
 * assert.equal(docs.length, 1286);
 * const labels = new Set(docs.flatMap((d) => d.spans.map((s) => s.label)));
 * assert.deepEqual([...labels].sort(), ["ORG", "PERSON"]);
 * ```
 */
export async function loadDataset(name: string, opts: DatasetOptions = {}): Promise<Doc[]> {
  const entry = entryOf(name, opts);
  if (entry.kind !== "dataset" || entry.format === undefined) {
    throw new Error(`${name} is an asset, not a dataset: use datasetFile or datasetDir`);
  }
  if (entry.files.length !== 1) {
    throw new Error(`${name}: a dataset must have exactly one file`);
  }
  const path = await resolveFile(entry.files[0], opts);
  const text = await Deno.readTextFile(path);
  const labels = opts.labels ?? entry.labels ?? {};
  for (const key of Object.keys(opts.labels ?? {})) {
    const known = Object.keys(entry.labels ?? {});
    if (known.length > 0 && !known.includes(key)) {
      const near = nearestName(key, known);
      throw new Error(
        `${name}: labels: ${JSON.stringify(key)} is not an entity type of this dataset` +
          `${near ? ` (did you mean ${JSON.stringify(near)}?)` : ""}; it has ${known.join(", ")}`,
      );
    }
  }
  if (entry.format === "tei") {
    const map: Record<string, string> = {};
    for (const [k, v] of Object.entries(labels)) if (v !== null) map[k] = v;
    return readTei(text, { labels: map, file: path });
  }
  const docs = readConll(text, { scheme: entry.scheme, file: path });
  return docs.map((doc) => {
    const spans = [];
    for (const span of doc.spans) {
      const label = labels[span.label];
      if (label === undefined) {
        throw new CorpusError(
          `entity type ${JSON.stringify(span.label)} has no label in the mapping of ${name}`,
          { file: path, docId: doc.id, span },
        );
      }
      if (label !== null) spans.push({ ...span, label });
    }
    return { ...doc, spans };
  });
}
