/**
 * Tests of lib/models/hub.ts against a local HTTP server (Deno.serve on port 0) that
 * answers `/{model}/resolve/{revision}/{file}` like the Hugging Face Hub.
 */
import assert from "node:assert/strict";
import { configToJson, createConfig } from "../../lib/models/config.ts";
import { initWeights, loadCheckpoint } from "../../lib/models/checkpoint.ts";
import { downloadModel, hubUrl, isModelId, modelCacheDir } from "../../lib/models/hub.ts";
import { encodeSafetensors, encodeShards } from "../../lib/models/safetensors.ts";

type Files = Record<string, string | Uint8Array | "broken">;

async function withHub(
  repos: Record<string, Files>,
  f: (host: string, log: string[], cache: string) => Promise<void>,
) {
  const log: string[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    log.push(path);
    const m = path.match(/^\/(.+)\/resolve\/([^/]+)\/([^/]+)$/);
    const body = m ? repos[`${m[1]}@${m[2]}`]?.[m[3]] : undefined;
    if (body === "broken") {
      const stream = new ReadableStream({
        start(c) {
          c.enqueue(new Uint8Array(10));
          c.error(new Error("connection lost"));
        },
      });
      return new Response(stream, { headers: { "content-length": "1000" } });
    }
    if (m?.[1] === "org/secret") {
      return new Response("no", { status: 401, statusText: "Unauthorized" });
    }
    return body === undefined
      ? new Response("Entry not found", { status: 404 })
      : new Response(typeof body === "string" ? body : body.slice());
  });
  const cache = await Deno.makeTempDir();
  try {
    await f(`http://127.0.0.1:${server.addr.port}`, log, cache);
  } finally {
    await server.shutdown();
    await Deno.remove(cache, { recursive: true });
  }
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
const configJson = JSON.stringify(configToJson(config));

Deno.test("hubUrl and modelCacheDir follow the transformers.js layout", () => {
  assert.equal(
    hubUrl("org/m", "config.json"),
    "https://huggingface.co/org/m/resolve/main/config.json",
  );
  assert.equal(
    hubUrl("m", "a.bin", { host: "http://h:1/", revision: "v2" }),
    "http://h:1/m/resolve/v2/a.bin",
  );
  assert.equal(modelCacheDir("org/m", { cacheDir: "/c" }), "/c/org/m");
  assert.equal(modelCacheDir("org/m", { cacheDir: "/c", revision: "abc" }), "/c/org/m/abc");
  assert.ok(isModelId("bert-base-uncased") && isModelId("FacebookAI/roberta-base"));
  assert.ok(!isModelId("../x") && !isModelId("a/b/c") && !isModelId("/abs"));
});

Deno.test("downloadModel fetches config, weights and tokenizer files, then works from the cache", async () => {
  await withHub({
    "org/tiny@main": {
      "config.json": configJson,
      "model.safetensors": encodeSafetensors(tensors),
      "vocab.txt": "[PAD]\n[UNK]\n",
    },
  }, async (host, log, cache) => {
    const dir = await downloadModel("org/tiny", { host, cacheDir: cache });
    assert.equal(dir, `${cache}/org/tiny`);
    assert.deepEqual(log.slice(0, 2), [
      "/org/tiny/resolve/main/config.json",
      "/org/tiny/resolve/main/model.safetensors",
    ]);
    assert.ok(log.includes("/org/tiny/resolve/main/tokenizer.json")); // asked, 404, skipped
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    assert.deepEqual(names.sort(), [
      ".download-complete",
      "config.json",
      "model.safetensors",
      "vocab.txt",
    ]);
    const n = log.length;
    const ck = await loadCheckpoint("org/tiny", { host, cacheDir: cache });
    assert.equal(log.length, n, "a complete cached model is not fetched again");
    assert.deepEqual(ck.tensors, tensors);
    assert.equal(ck.tokenizerDir, dir);
  });
});

Deno.test("sharded safetensors and pytorch_model.bin fallbacks, other revisions", async () => {
  const { index, shards } = encodeShards(tensors, 1500);
  const files: Files = {
    "config.json": configJson,
    "model.safetensors.index.json": JSON.stringify(index),
  };
  for (const [k, v] of shards) files[k] = v;
  await withHub({
    "org/sharded@v1": files,
    "org/bin@main": { "config.json": configJson, "pytorch_model.bin": new Uint8Array([1, 2, 3]) },
  }, async (host, log, cache) => {
    const ck = await loadCheckpoint("org/sharded", { host, cacheDir: cache, revision: "v1" });
    assert.equal(ck.dir, `${cache}/org/sharded/v1`);
    assert.deepEqual(ck.tensors, tensors);
    assert.ok(log.includes(`/org/sharded/resolve/v1/${[...shards.keys()][1]}`));
    const dir = await downloadModel("org/bin", { host, cacheDir: cache });
    assert.deepEqual(await Deno.readFile(`${dir}/pytorch_model.bin`), new Uint8Array([1, 2, 3]));
    assert.ok(
      log.indexOf("/org/bin/resolve/main/model.safetensors") <
        log.indexOf("/org/bin/resolve/main/pytorch_model.bin"),
    );
  });
});

Deno.test("missing models, HTTP errors and broken downloads are reported, never half-written", async () => {
  await withHub({
    "org/noweights@main": { "config.json": configJson },
    "org/broken@main": { "config.json": configJson, "model.safetensors": "broken" },
    "org/secret@main": {},
  }, async (host, _log, cache) => {
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
      /HTTP 401 Unauthorized/,
    );
    await assert.rejects(() => downloadModel("org/broken", { host, cacheDir: cache }));
    const names = [];
    for await (const e of Deno.readDir(`${cache}/org/broken`)) names.push(e.name);
    assert.deepEqual(names, ["config.json"]);
    await assert.rejects(
      () => downloadModel("../etc", { host, cacheDir: cache }),
      /not a Hugging Face model id/,
    );
  });
});
