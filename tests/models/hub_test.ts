/**
 * Tests of lib/models/hub.ts against local HTTP servers (Deno.serve on port 0) that answer
 * like the Hugging Face Hub: `/{model}/resolve/{revision}/{file}` with `X-Repo-Commit`;
 * a small file directly, with its git blob id as ETag; a large (LFS) file by a redirect
 * to a second server (the CDN) carrying `X-Linked-Etag` (its sha256) and `X-Linked-Size`;
 * a missing file as 404 with `X-Repo-Commit`.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { configToJson, createConfig } from "../../lib/models/config.ts";
import { initWeights, loadCheckpoint } from "../../lib/models/checkpoint.ts";
import {
  defaultCacheDir,
  downloadModel,
  hubUrl,
  isModelId,
  modelCacheDir,
} from "../../lib/models/hub.ts";
import { encodeSafetensors, encodeShards } from "../../lib/models/safetensors.ts";

/** A served file; `lfs` files go through the CDN; the rest override what the Hub says. */
type Served = {
  body: Uint8Array;
  lfs?: boolean;
  etag?: string;
  size?: number;
  /** Send only this many bytes, though Content-Length says the full size. */
  breakAt?: number;
};
type Repo = { commit: string; revisions: string[]; files: Record<string, Served> };

const text = (s: string) => new TextEncoder().encode(s);
const hex = (algo: string, ...parts: (string | Uint8Array)[]) => {
  const h = createHash(algo);
  for (const p of parts) h.update(p);
  return h.digest("hex");
};
/** What the Hub sends as ETag of a file kept in git: git's blob id (`git hash-object`). */
const gitId = (b: Uint8Array) => hex("sha1", `blob ${b.length}\0`, b);
const sha256 = (b: Uint8Array) => hex("sha256", b);

type Hub = { host: string; log: string[]; cache: string; stop: () => Promise<void> };

async function withHub(repos: Record<string, Repo>, f: (hub: Hub) => Promise<void>) {
  const log: string[] = [];
  const blobs = new Map<string, Served>();
  const stream = (s: Served) => {
    if (s.breakAt === undefined) return s.body.slice();
    return new ReadableStream({
      start(c) {
        c.enqueue(s.body.slice(0, s.breakAt));
        c.close();
      },
    });
  };
  const cdn = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (req) => {
    const path = new URL(req.url).pathname;
    log.push(`cdn ${path}${req.headers.has("authorization") ? " (token)" : ""}`);
    const s = blobs.get(path.slice(1));
    if (!s) return new Response("no", { status: 404 });
    return new Response(stream(s), {
      headers: { "content-length": String(s.body.length), etag: '"0123-not-a-hash"' },
    });
  });
  const hub = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    log.push(`${path}${req.headers.has("authorization") ? " (token)" : ""}`);
    const m = path.match(/^\/(.+)\/resolve\/([^/]+)\/([^/]+)$/);
    const repo = m ? repos[m[1]] : undefined;
    if (m?.[1] === "org/secret") {
      return new Response("no", { status: 401, statusText: "Unauthorized" });
    }
    if (!m || !repo || ![...repo.revisions, repo.commit].includes(m[2])) {
      return new Response("Repository not found", { status: 404 });
    }
    const headers: Record<string, string> = { "x-repo-commit": repo.commit };
    const s = repo.files[m[3]];
    if (!s) return new Response("Entry not found", { status: 404, headers });
    if (s.lfs) {
      const id = crypto.randomUUID();
      blobs.set(id, s);
      headers.location = `http://127.0.0.1:${cdn.addr.port}/${id}`;
      headers["x-linked-etag"] = `"${s.etag ?? sha256(s.body)}"`;
      headers["x-linked-size"] = String(s.size ?? s.body.length);
      headers.etag = '"a-different-etag-of-the-pointer"';
      return new Response(null, { status: 302, headers });
    }
    headers.etag = `"${s.etag ?? gitId(s.body)}"`;
    headers["content-length"] = String(s.size ?? s.body.length);
    return new Response(stream(s), { headers });
  });
  const cache = await Deno.makeTempDir();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await hub.shutdown();
    await cdn.shutdown();
  };
  try {
    await f({ host: `http://127.0.0.1:${hub.addr.port}`, log, cache, stop });
  } finally {
    await stop();
    await Deno.remove(cache, { recursive: true });
  }
}

/** Every path under `dir` (links shown with their target), sorted. */
async function tree(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const path = `${prefix}${e.name}`;
    if (e.isDirectory) out.push(...await tree(`${dir}/${e.name}`, `${path}/`));
    else if (e.isSymlink) out.push(`${path} -> ${await Deno.readLink(`${dir}/${e.name}`)}`);
    else out.push(path);
  }
  return out.sort();
}

const config = createConfig({
  family: "bert",
  vocabSize: 20,
  hiddenSize: 8,
  numHeads: 2,
  numLayers: 1,
  intermediateSize: 8,
  maxPositions: 8,
  labels: ["O", "B-ORG"],
});
const tensors = initWeights(config, 1);
const configJson = text(JSON.stringify(configToJson(config)));
const weights = encodeSafetensors(tensors);
const vocab = text("[PAD]\n[UNK]\n");
const C1 = "1".repeat(40);
const C2 = "2".repeat(40);

/** A small model at commit C1 of "main"; `files` adds, replaces or (null) removes files. */
const tiny = (files: Record<string, Served | null> = {}): Repo => {
  const all: Record<string, Served | null> = {
    "config.json": { body: configJson },
    "model.safetensors": { body: weights, lfs: true },
    "vocab.txt": { body: vocab },
    ...files,
  };
  const kept = Object.entries(all).filter((e): e is [string, Served] => e[1] !== null);
  return { commit: C1, revisions: ["main"], files: Object.fromEntries(kept) };
};

Deno.test("hubUrl, modelCacheDir and isModelId: the Hub's URLs and cache names, unsafe names refused", () => {
  assert.equal(
    hubUrl("org/m", "config.json"),
    "https://huggingface.co/org/m/resolve/main/config.json",
  );
  assert.equal(
    hubUrl("m", "a.bin", { host: "http://h:1/", revision: "v2" }),
    "http://h:1/m/resolve/v2/a.bin",
  );
  assert.equal(modelCacheDir("org/m", { cacheDir: "/c" }), "/c/models--org--m");
  assert.equal(modelCacheDir("gpt2", { cacheDir: "/c/" }), "/c/models--gpt2");
  assert.ok(isModelId("bert-base-uncased") && isModelId("FacebookAI/roberta-base"));
  for (const bad of ["../x", "a/b/c", "/abs", "org/..", "org/.hidden", "a--b/c", "", "org/"]) {
    assert.ok(!isModelId(bad), bad);
  }
  for (const revision of ["../../../../tmp/x", "..", "a/b", ".", "", "x\\..\\y"]) {
    assert.throws(
      () => modelCacheDir("org/tiny", { cacheDir: "/c", revision }),
      /Hub: revision ".*" is not a single path segment/,
      revision,
    );
  }
});

Deno.test("defaultCacheDir: huggingface_hub's variables, in its order", () => {
  const names = ["HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME", "HOME"];
  const all = [...names, "NERSS_CACHE_DIR"];
  const saved = all.map((n) => Deno.env.get(n));
  const set = (values: (string | undefined)[], keys = names) =>
    keys.forEach((n, i) =>
      values[i] === undefined ? Deno.env.delete(n) : Deno.env.set(n, values[i]!)
    );
  try {
    Deno.env.set("NERSS_CACHE_DIR", "/n"); // the dataset cache's variable moves no model
    const cases: [(string | undefined)[], string][] = [
      [["/a", "/b", "/c", "/d", "/e"], "/a"],
      [[undefined, "/b", "/c", "/d", "/e"], "/b"],
      [[undefined, undefined, "/c", "/d", "/e"], "/c/hub"],
      [[undefined, undefined, undefined, "/d", "/e"], "/d/huggingface/hub"],
      [[undefined, undefined, undefined, undefined, "/e"], "/e/.cache/huggingface/hub"],
    ];
    for (const [values, expected] of cases) {
      set(values);
      assert.equal(defaultCacheDir(), expected);
    }
  } finally {
    set(saved, all);
  }
});

Deno.test("downloadModel: the standard cache layout (blobs by hash, ref, snapshot links), then offline", async () => {
  await withHub({ "org/tiny": tiny() }, async ({ host, log, cache, stop }) => {
    const dir = await downloadModel("org/tiny", { host, cacheDir: cache });
    const repo = `${cache}/models--org--tiny`;
    assert.equal(dir, `${repo}/snapshots/${C1}`);
    // the first file at the branch, the rest at the commit it answered with
    assert.equal(log[0], "/org/tiny/resolve/main/config.json");
    assert.equal(log[1], `/org/tiny/resolve/${C1}/model.safetensors`);
    assert.match(log[2], /^cdn \//);
    const [w, c, v] = [sha256(weights), gitId(configJson), gitId(vocab)];
    assert.deepEqual(await tree(repo), [
      ...[
        "merges.txt",
        "special_tokens_map.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "vocab.json",
      ].map((f) => `.no_exist/${C1}/${f}`),
      ...[c, v, w].sort().map((h) => `blobs/${h}`),
      "refs/main",
      `snapshots/${C1}/config.json -> ../../blobs/${c}`,
      `snapshots/${C1}/model.safetensors -> ../../blobs/${w}`,
      `snapshots/${C1}/vocab.txt -> ../../blobs/${v}`,
    ]);
    assert.equal(await Deno.readTextFile(`${repo}/refs/main`), C1);
    assert.deepEqual(await Deno.readFile(`${dir}/model.safetensors`), weights);

    // the Hub gone: the finished download is used without a request
    await stop();
    const n = log.length;
    assert.equal(await downloadModel("org/tiny", { host, cacheDir: cache }), dir);
    const ck = await loadCheckpoint("org/tiny", { host, cacheDir: cache });
    assert.equal(log.length, n);
    assert.deepEqual(ck.tensors, tensors);
    assert.equal(ck.dir, dir);
    assert.equal(ck.tokenizerDir, dir);
  });
});

Deno.test("downloadModel: a file kept in git is checked against its git blob id, as the Hub sends it", async () => {
  // bert-base-uncased's tokenizer_config.json (28 bytes) and the ETag the Hub sends for it,
  // as recorded in @huggingface/hub's tests of the real Hub (fileDownloadInfo).
  const real = text('{\n  "do_lower_case": true\n}\n');
  const etag = "a661b1a138dac6dc5590367402d100765010ffd6";
  const changed = text('{\n  "do_lower_case": fals\n}\n');
  await withHub({
    "org/good": tiny({ "tokenizer_config.json": { body: real, etag } }),
    "org/bad": tiny({ "tokenizer_config.json": { body: changed, etag } }),
  }, async ({ host, cache }) => {
    const dir = await downloadModel("org/good", { host, cacheDir: cache });
    assert.deepEqual(await Deno.readFile(`${dir}/tokenizer_config.json`), real);
    assert.equal(await Deno.readLink(`${dir}/tokenizer_config.json`), `../../blobs/${etag}`);
    await assert.rejects(
      () => downloadModel("org/bad", { host, cacheDir: cache }),
      (e: Error) =>
        e.message.includes(`${host}/org/bad/resolve/${C1}/tokenizer_config.json`) &&
        e.message.includes(`is ${gitId(changed)}, the Hub's ETag says ${etag}`),
    );
  });
});

Deno.test("downloadModel: a tampered LFS download is refused and nothing is cached", async () => {
  const tampered = weights.slice();
  tampered[tampered.length - 1] ^= 1;
  const files = (body: Uint8Array) => ({
    "model.safetensors": { body, lfs: true, etag: sha256(weights) },
  });
  await withHub({ "org/tiny": tiny(files(tampered)) }, async ({ host, cache }) => {
    const url = `${host}/org/tiny/resolve/${C1}/model.safetensors`;
    await assert.rejects(
      () => downloadModel("org/tiny", { host, cacheDir: cache }),
      (e: Error) =>
        e.message.startsWith(`${url}: sha256 of the download is ${sha256(tampered)}, `) &&
        e.message.includes(`the Hub's ETag says ${sha256(weights)}; nothing was cached`),
    );
    const repo = `${cache}/models--org--tiny`;
    assert.deepEqual(await tree(`${repo}/blobs`), [gitId(configJson)]);
    assert.deepEqual(await tree(`${repo}/snapshots`), [
      `${C1}/config.json -> ../../blobs/${gitId(configJson)}`,
    ]);
    // and asked again, it is fetched again (still refused), never taken from the cache
    await assert.rejects(() => downloadModel("org/tiny", { host, cacheDir: cache }), /sha256/);
  });
});

Deno.test("downloadModel: a truncated download names the URL and leaves no file", async () => {
  await withHub({
    "org/cut": tiny({ "model.safetensors": { body: weights, lfs: true, breakAt: 100 } }),
    "org/short": tiny({ "model.safetensors": { body: weights, lfs: true, size: 1e6 } }),
    "org/small": tiny({ "vocab.txt": { body: vocab, breakAt: 3 } }),
  }, async ({ host, cache }) => {
    const cases = [
      ["org/cut", "model.safetensors", `download broke off after \\d+ bytes of ${weights.length}`],
      ["org/short", "model.safetensors", `got ${weights.length} bytes, the Hub announced 1000000`],
      ["org/small", "vocab.txt", "download broke off after \\d+ bytes of 12"],
    ];
    for (const [model, file, message] of cases) {
      const url = `${host}/${model}/resolve/${C1}/${file}`.replaceAll(/[./]/g, "\\$&");
      await assert.rejects(
        () => downloadModel(model, { host, cacheDir: cache }),
        new RegExp(`^Error: ${url}: ${message}.*; nothing was cached$`),
      );
      // no partial blob, no .incomplete file: only the files that came whole
      const blobs = await tree(`${cache}/models--${model.replace("/", "--")}/blobs`);
      const whole = file === "vocab.txt" ? [configJson, weights] : [configJson];
      assert.deepEqual(blobs, whole.map((b) => b === weights ? sha256(b) : gitId(b)).sort());
    }
  });
});

Deno.test("downloadModel: traversal through a revision, a model id, a shard name or the Hub's headers is refused", async () => {
  const { index, shards } = encodeShards(tensors, 1500);
  const evil = { ...index, weight_map: { ...index.weight_map, x: "../../../../evil.safetensors" } };
  await withHub({
    "org/tiny": tiny(),
    "org/shards": {
      commit: C1,
      revisions: ["main"],
      files: {
        "config.json": { body: configJson },
        "model.safetensors.index.json": { body: text(JSON.stringify(evil)) },
        ...Object.fromEntries([...shards].map(([k, v]) => [k, { body: v, lfs: true }])),
      },
    },
    "org/commit": { ...tiny(), commit: "../../../../../evil" },
    "org/etag": tiny({ "model.safetensors": { body: weights, lfs: true, etag: "../../evil" } }),
  }, async ({ host, log, cache }) => {
    const root = `${cache}/a/b/c/d/hub`;
    const o = { host, cacheDir: root };
    await assert.rejects(
      () => downloadModel("org/tiny", { ...o, revision: "../../../../x" }),
      /Hub: revision "..\/..\/..\/..\/x" is not a single path segment/,
    );
    await assert.rejects(() => downloadModel("org/../x", o), /not a Hugging Face model id/);
    assert.deepEqual(log, [], "refused before any request");
    await assert.rejects(
      () => downloadModel("org/shards", o),
      /model.safetensors.index.json: shard name "..\/..\/..\/..\/evil.safetensors" is not a file name/,
    );
    await assert.rejects(
      () => downloadModel("org/commit", o),
      /org\/commit\/resolve\/main\/config.json: X-Repo-Commit "..\/..\/..\/..\/..\/evil" is not a commit/,
    );
    await assert.rejects(
      () => downloadModel("org/etag", o),
      /ETag "..\/..\/evil" is neither a sha256 nor a git object id/,
    );
    assert.deepEqual((await tree(cache)).filter((p) => !p.startsWith("a/b/c/d/hub/")), []);
  });
});

Deno.test("downloadModel: sharded safetensors and pytorch_model.bin fallbacks, other revisions", async () => {
  const { index, shards } = encodeShards(tensors, 1500);
  const files: Record<string, Served> = {
    "config.json": { body: configJson },
    "model.safetensors.index.json": { body: text(JSON.stringify(index)) },
  };
  for (const [k, v] of shards) files[k] = { body: v, lfs: true };
  const bin = new Uint8Array([1, 2, 3]);
  await withHub({
    "org/sharded": { commit: C2, revisions: ["v1"], files },
    "org/bin": tiny({ "model.safetensors": null, "pytorch_model.bin": { body: bin } }),
  }, async ({ host, log, cache }) => {
    const ck = await loadCheckpoint("org/sharded", { host, cacheDir: cache, revision: "v1" });
    assert.equal(ck.dir, `${cache}/models--org--sharded/snapshots/${C2}`);
    assert.equal(await Deno.readTextFile(`${cache}/models--org--sharded/refs/v1`), C2);
    assert.deepEqual(ck.tensors, tensors);
    assert.ok(log.includes(`/org/sharded/resolve/${C2}/${[...shards.keys()][1]}`));
    const dir = await downloadModel("org/bin", { host, cacheDir: cache });
    assert.deepEqual(await Deno.readFile(`${dir}/pytorch_model.bin`), bin);
    assert.ok(
      log.indexOf(`/org/bin/resolve/${C1}/model.safetensors`) <
        log.indexOf(`/org/bin/resolve/${C1}/pytorch_model.bin`),
    );
    // a commit as revision: no ref written, files asked for at that commit
    const at = await downloadModel("org/sharded", { host, cacheDir: cache, revision: C2 });
    assert.equal(at, ck.dir);
  });
});

Deno.test("downloadModel: missing models and HTTP errors are reported; the token goes to the Hub only", async () => {
  await withHub({
    "org/noweights": tiny({ "model.safetensors": null }),
    "org/secret": tiny(),
    "org/tiny": tiny(),
  }, async ({ host, log, cache }) => {
    await assert.rejects(
      () => downloadModel("org/none", { host, cacheDir: cache }),
      /org\/none\/resolve\/main\/config.json: not found \(404\)/,
    );
    await assert.rejects(
      () => downloadModel("org/noweights", { host, cacheDir: cache }),
      /no model.safetensors, pytorch_model.bin/,
    );
    await assert.rejects(
      () => downloadModel("org/secret", { host, cacheDir: cache }),
      /org\/secret\/resolve\/main\/config.json: HTTP 401 Unauthorized/,
    );
    log.length = 0;
    await downloadModel("org/tiny", { host, cacheDir: cache, token: "hf_x" });
    assert.equal(log[0], "/org/tiny/resolve/main/config.json (token)");
    assert.ok(log.some((l) => /^cdn \/[\w-]+$/.test(l)), "the CDN is asked without the token");
  });
});
