import assert from "node:assert/strict";
import { gzipSync } from "fflate";
import { join } from "node:path";
import {
  datasetDir,
  datasetFile,
  loadDataset,
  MANIFEST,
  type Manifest,
} from "../../lib/corpus/dataset.ts";

// A tiny CoNLL file and its sha256, computed outside the test with
// `printf 'Alice B-PER\nSmith I-PER\nwins O\n\nNIH B-ORG\nfunds O\n' | sha256sum`.
const TINY = "Alice B-PER\nSmith I-PER\nwins O\n\nNIH B-ORG\nfunds O\n";
const TINY_SHA = "b2f799085baf8e69fa24d9b94d62b3784a46f2393c0e765de5e83c9fec4a42e2";
// the same with one letter changed ("fundz"), which `sha256sum` gives as 729958e9...
const CORRUPT = TINY.replace("funds", "fundz");

/** A ustar archive holding one file, gzipped (as npm tarballs are). */
function tgz(name: string, body: string): Uint8Array<ArrayBuffer> {
  const data = new TextEncoder().encode(body);
  const header = new Uint8Array(512);
  const put = (at: number, s: string) => header.set(new TextEncoder().encode(s), at);
  put(0, name);
  put(100, "0000644\0");
  put(108, "0000000\0");
  put(116, "0000000\0");
  put(124, data.length.toString(8).padStart(11, "0") + "\0");
  put(136, "00000000000\0");
  put(148, "        ");
  put(156, "0");
  put(257, "ustar\0" + "00");
  let sum = 0;
  for (const b of header) sum += b;
  put(148, sum.toString(8).padStart(6, "0") + "\0 ");
  const padded = new Uint8Array(Math.ceil(data.length / 512) * 512);
  padded.set(data);
  const tar = new Uint8Array(512 + padded.length + 1024);
  tar.set(header);
  tar.set(padded, 512);
  return new Uint8Array(gzipSync(tar));
}

function serve(files: Record<string, string | Uint8Array<ArrayBuffer>>) {
  let hits = 0;
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (req) => {
    hits++;
    const body = files[new URL(req.url).pathname];
    return body === undefined ? new Response("no", { status: 404 }) : new Response(body);
  });
  return { server, base: `http://127.0.0.1:${server.addr.port}`, hits: () => hits };
}

function tinyManifest(base: string): Manifest {
  const entry = (path: string, url: string, extra: Record<string, string> = {}) => ({
    kind: "dataset" as const,
    description: "tiny",
    source: "test",
    licence: "CC0",
    format: "conll" as const,
    scheme: "IOB2" as const,
    labels: { PER: "PERSON", ORG: "ORG" },
    files: [{ path, url, sha256: TINY_SHA, ...extra }],
  });
  return {
    version: 1,
    datasets: {
      tiny: entry("tiny/a.conll", `${base}/files/a.conll`),
      corrupt: entry("tiny/b.conll", `${base}/files/b.conll`),
      missing: entry("tiny/c.conll", `${base}/files/none.conll`),
      packed: entry("tiny/d.conll", `${base}/pkg.tgz`, { member: "package/a.conll" }),
      mirrored: entry("tiny/a.conll", "http://127.0.0.1:9/unreachable/a.conll"),
    },
  };
}

Deno.test("loadDataset: downloads, verifies, caches; corrupted and missing downloads fail", async () => {
  const { server, base, hits } = serve({
    "/files/a.conll": TINY,
    "/files/b.conll": CORRUPT,
    "/pkg.tgz": tgz("package/a.conll", TINY),
    "/mirror/tiny/a.conll": TINY,
  });
  const cacheDir = await Deno.makeTempDir();
  try {
    const manifest = tinyManifest(base);
    const opts = { manifest, dataDir: null, cacheDir };
    const docs = await loadDataset("tiny", opts);
    assert.deepEqual(docs.map((d) => [d.text, d.spans]), [
      ["Alice Smith wins", [{ start: 0, end: 11, label: "PERSON" }]],
      ["NIH funds", [{ start: 0, end: 3, label: "ORG" }]],
    ]);
    assert.equal(await Deno.readTextFile(join(cacheDir, "tiny/a.conll")), TINY);
    assert.equal(hits(), 1);
    // second time from the cache, no request
    assert.equal((await loadDataset("tiny", opts)).length, 2);
    assert.equal(hits(), 1);
    assert.deepEqual([...Deno.readDirSync(join(cacheDir, "tiny"))].map((e) => e.name), [
      "a.conll",
    ]);

    await assert.rejects(
      () => loadDataset("corrupt", opts),
      /files\/b\.conll has sha256 729958e9ad6b8a4d32ffb117d9fd39eddce5d454a6d243643c10dd5bc431862d but the manifest expects b2f79908.*not kept/,
    );
    await assert.rejects(() => Deno.stat(join(cacheDir, "tiny/b.conll")), Deno.errors.NotFound);
    await assert.rejects(() => loadDataset("missing", opts), /HTTP 404/);

    // a member of a .tgz archive
    assert.equal((await loadDataset("packed", opts))[1].text, "NIH funds");
    assert.equal(await Deno.readTextFile(join(cacheDir, "tiny/d.conll")), TINY);

    // a mirror through baseUrl (the manifest URL is unreachable), into a fresh cache
    const cache2 = await Deno.makeTempDir();
    const viaMirror = await loadDataset("mirrored", {
      manifest,
      dataDir: null,
      cacheDir: cache2,
      baseUrl: `${base}/mirror/`,
    });
    assert.equal(viaMirror.length, 2);
    // a corrupted cached file is fetched again
    await Deno.writeTextFile(join(cache2, "tiny/a.conll"), CORRUPT);
    await loadDataset("mirrored", {
      manifest,
      dataDir: null,
      cacheDir: cache2,
      baseUrl: base + "/mirror",
    });
    assert.equal(await Deno.readTextFile(join(cache2, "tiny/a.conll")), TINY);
    await Deno.remove(cache2, { recursive: true });
  } finally {
    await server.shutdown();
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("loadDataset: a local copy is used, and must match its checksum", async () => {
  const dataDir = await Deno.makeTempDir();
  const cacheDir = await Deno.makeTempDir();
  try {
    const manifest = tinyManifest("http://127.0.0.1:9");
    await Deno.mkdir(join(dataDir, "tiny"));
    await Deno.writeTextFile(join(dataDir, "tiny/a.conll"), TINY);
    assert.equal(
      await datasetFile("tiny", { manifest, dataDir, cacheDir }),
      join(dataDir, "tiny/a.conll"),
    );
    await Deno.writeTextFile(join(dataDir, "tiny/a.conll"), CORRUPT);
    await assert.rejects(
      () => loadDataset("tiny", { manifest, dataDir, cacheDir }),
      /a\.conll: sha256 729958e9.* differs from the manifest's b2f79908/,
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true });
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("loadDataset: a manifest sha256 in upper case is the same checksum; a malformed one is an error", async () => {
  const { server, base, hits } = serve({ "/files/a.conll": TINY });
  const dataDir = await Deno.makeTempDir();
  const cacheDir = await Deno.makeTempDir();
  try {
    const upper = tinyManifest(base);
    upper.datasets.tiny.files[0].sha256 = TINY_SHA.toUpperCase();
    // downloaded and checked, then found again in the cache without a request
    assert.equal(
      (await loadDataset("tiny", { manifest: upper, dataDir: null, cacheDir })).length,
      2,
    );
    assert.equal(
      (await loadDataset("tiny", { manifest: upper, dataDir: null, cacheDir })).length,
      2,
    );
    assert.equal(hits(), 1);
    // a local copy
    await Deno.mkdir(join(dataDir, "tiny"));
    await Deno.writeTextFile(join(dataDir, "tiny/a.conll"), TINY);
    assert.equal(
      await datasetFile("tiny", { manifest: upper, dataDir, cacheDir }),
      join(dataDir, "tiny/a.conll"),
    );
    const short = tinyManifest(base);
    short.datasets.tiny.files[0].sha256 = TINY_SHA.slice(0, 63);
    await assert.rejects(
      () => loadDataset("tiny", { manifest: short, dataDir, cacheDir }),
      /manifest: tiny\/a\.conll: sha256 "b2f7.*" is not 64 hex digits/,
    );
  } finally {
    await server.shutdown();
    await Deno.remove(dataDir, { recursive: true });
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("loadDataset: label mapping, null drops a type, unmapped type is an error", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    const manifest = tinyManifest("http://127.0.0.1:9");
    await Deno.mkdir(join(dataDir, "tiny"));
    await Deno.writeTextFile(join(dataDir, "tiny/a.conll"), TINY);
    const opts = { manifest, dataDir, cacheDir: dataDir };
    const dropped = await loadDataset("tiny", { ...opts, labels: { PER: "P", ORG: null } });
    assert.deepEqual(dropped.map((d) => d.spans), [[{ start: 0, end: 11, label: "P" }], []]);
    await assert.rejects(
      () => loadDataset("tiny", { ...opts, labels: { PER: "PERSON" } }),
      /document doc-2: span \[0, 3\) ORG: entity type "ORG" has no label in the mapping of tiny/,
    );
    await assert.rejects(
      () => loadDataset("nope", opts),
      /unknown dataset "nope"; the manifest has: tiny/,
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

// The published corpus counts (SOURCES.md): 1,286 acknowledgement statements.
Deno.test("loadDataset: grobid-acknowledgements from the shared data", async () => {
  const docs = await loadDataset("grobid-acknowledgements");
  assert.equal(docs.length, 1286);
  assert.ok(docs[0].text.startsWith("This research was supported by the Deutsche"));
  const first = docs[0].spans[0];
  assert.equal(docs[0].text.slice(first.start, first.end), "Deutsche Forschungsgemeinschaft");
  assert.equal(first.label, "ORG");
  const labels = new Set(docs.flatMap((d) => d.spans.map((s) => s.label)));
  assert.deepEqual([...labels].sort(), ["ORG", "PERSON"]);
  assert.equal(docs.flatMap((d) => d.spans).filter((s) => s.label === "PERSON").length, 2961);
});

Deno.test("manifest: every file of the shared data matches its sha256; tokenizer folders", async () => {
  for (const [name, entry] of Object.entries(MANIFEST.datasets)) {
    for (const f of entry.files) {
      const file = f.path.slice(f.path.lastIndexOf("/") + 1);
      const path = await datasetFile(name, { file, cacheDir: "/nonexistent-cache" });
      assert.ok(path.endsWith(f.path), path);
    }
    assert.match(entry.licence, /CC BY 4\.0|Apache-2\.0|MIT/);
    for (const f of entry.files) {
      assert.ok(f.url.startsWith("https://"), f.url);
      if (f.url.startsWith("https://raw.githubusercontent.com/")) {
        assert.match(f.url, /^https:\/\/raw\.githubusercontent\.com\/[^/]+\/[^/]+\/[0-9a-f]{40}\//);
      }
    }
  }
  const dir = await datasetDir("bert-base-uncased");
  assert.ok(dir.endsWith("tokenizers/bert-base-uncased"));
  await assert.rejects(() => datasetFile("bert-base-uncased"), /several files.*tokenizer\.json/);
  await assert.rejects(() => loadDataset("gpt2"), /is an asset/);
});
