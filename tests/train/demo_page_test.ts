/**
 * Tests of tools/demo.ts, the exported model in a real browser: a tiny BERT fine-tuned on
 * 320 GROBID statements is exported (with its int8 form), the demo folder is written and
 * served over HTTP, and headless Chromium highlights 12 GROBID test statements through the
 * page (tools/demo/page.ts, bundled with lib/train/predict_text.ts and onnxruntime-web's
 * wasm backend). The marks it shows are `predict`'s spans on the classifier's own GPU
 * logits: same start, end and label, scores within 1e-4, marked text the span's; the int8
 * model finds nearly the same entities. Writing refuses folders that are not an export or
 * not a demo, and the server serves the folder's files only. The browser tests are skipped,
 * with a message, where /usr/bin/chromium is absent.
 *
 * @module
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createTokenClassifier, releaseClassifier } from "../../lib/train/classifier.ts";
import { exportOnnx } from "../../lib/train/export_onnx.ts";
import { fineTune } from "../../lib/train/fine_tune.ts";
import { predict } from "../../lib/train/predict.ts";
import { encodeTexts, type PredictedSpan } from "../../lib/train/predict_text.ts";
import { grobidSplit, serveDemo, writeDemo } from "../../tools/demo.ts";
import { CHROMIUM, openInChromium } from "../../tools/demo/chromium.ts";
import { TINY_BERT } from "./tiny_classifier.ts";

const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM) {
  console.warn(`demo_page_test: ${CHROMIUM} is absent: the tests in a browser are skipped`);
}

/** A mark of the page: what it shows and the span its data attributes give. */
type Mark = {
  text: string;
  tip: string;
  start: number;
  end: number;
  label: string;
  score: number;
};

/** Shows each text in the page and reads back its marks. */
const SHOW_ALL = `async (texts) => {
  await demo.ready;
  const out = [];
  for (const t of texts) {
    await demo.show(t);
    out.push([...document.querySelectorAll("#result mark")].map((m) => ({
      text: m.textContent, tip: m.dataset.tip, start: Number(m.dataset.start),
      end: Number(m.dataset.end), label: m.dataset.label, score: Number(m.dataset.score),
    })));
  }
  return out;
}`;

const plain = (s: { start: number; end: number; label: string }) =>
  `${s.start}-${s.end} ${s.label}`;

Deno.test({
  name: "demo page: Chromium highlights predict's entities on 12 GROBID test statements",
  ignore: !HAS_CHROMIUM,
  async fn() {
    const { train, test } = await grobidSplit();
    const texts = test.slice(0, 12).map((d) => d.text);
    const c = await createTokenClassifier({ ...TINY_BERT, hiddenDropout: 0 });
    const dir = await Deno.makeTempDir({ prefix: "nerss-demo-" });
    try {
      await fineTune(c, train.slice(0, 320), {
        epochs: 4,
        learningRate: 5e-3,
        batchSize: 8,
        progress: "none",
        onWarning: () => {},
      });
      assert.ok(c.decoding?.transitions, "fineTune's Viterbi decoding is what the page must read");
      // the model's 64 positions cut some statements into windows, which the page must merge
      const examples = encodeTexts(texts, { ...c, maxLength: 64, onWarning: () => {} });
      assert.ok(examples.some((e) => e.window > 0), "no statement is long enough for windows");
      await exportOnnx(c, `${dir}/model`, { quantize: true });
      const settings = await writeDemo({
        model: `${dir}/model`,
        out: `${dir}/site`,
        examples: texts,
      });
      assert.deepEqual(settings.variants.map((v) => v.name), ["float32", "int8"]);
      assert.deepEqual([...Deno.readDirSync(`${dir}/site`)].map((e) => e.name).sort(), [
        "demo.js",
        "demo.json",
        "index.html",
        "model",
        "ort-wasm-simd-threaded.wasm",
      ]);
      const want = await predict(c, texts, { onWarning: () => {} });

      const server = serveDemo(`${dir}/site`);
      const page = await openInChromium(`http://127.0.0.1:${server.addr.port}/`);
      try {
        const got = await page.evaluate<Mark[][]>(`(${SHOW_ALL})(${JSON.stringify(texts)})`);
        assert.equal(got.length, texts.length);
        const entities = want.reduce((n, spans) => n + spans.length, 0);
        assert.ok(entities >= 10, `predict found only ${entities} entities in the 12 statements`);
        got.forEach((marks, i) => {
          assert.deepEqual(marks.map(plain), want[i].map(plain), `statement ${i}: ${texts[i]}`);
          marks.forEach((m, k) => {
            const diff = Math.abs(m.score - want[i][k].score);
            assert.ok(
              diff < 1e-4,
              `statement ${i}, ${plain(m)}: score ${m.score}, predict's ${want[i][k].score}`,
            );
            assert.equal(m.text, texts[i].slice(m.start, m.end));
            assert.equal(m.tip, `${m.label}, score ${m.score.toFixed(3)}`);
          });
        });
        // the int8 graph: the same entities nearly everywhere (its tags differ on ~0.1% of words)
        const q8 = await page.evaluate<PredictedSpan[][]>(
          `demo.use("int8").then(() => demo.predict(${JSON.stringify(texts)}))`,
        );
        const same = q8.reduce((n, spans, i) => {
          const f32 = new Set(want[i].map(plain));
          return n + spans.filter((s) => f32.has(plain(s))).length;
        }, 0);
        const q8Entities = q8.reduce((n, spans) => n + spans.length, 0);
        console.log(
          `int8: ${same} of ${entities} float32 entities alike (int8 found ${q8Entities})`,
        );
        assert.ok(same >= 0.9 * entities && q8Entities <= 1.1 * entities);
        assert.deepEqual(page.errors, []);
      } finally {
        await page.close();
        await server.shutdown();
      }
    } finally {
      releaseClassifier(c);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("demo page: writeDemo refuses a folder that is no export, and one that is no demo", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nerss-demo-" });
  try {
    await Deno.mkdir(`${dir}/model/onnx`, { recursive: true });
    await Deno.writeTextFile(`${dir}/model/config.json`, "{}");
    await assert.rejects(
      writeDemo({ model: `${dir}/model`, out: `${dir}/site` }),
      new RegExp(
        `^Error: writeDemo: ${dir}/model has no tokenizer.json; give a folder that exportOnnx wrote`,
      ),
    );
    for (const f of ["tokenizer.json", "tokenizer_config.json", "onnx/model.onnx"]) {
      await Deno.writeTextFile(`${dir}/model/${f}`, "{}");
    }
    await Deno.mkdir(`${dir}/mine`);
    await Deno.writeTextFile(`${dir}/mine/notes.txt`, "mine");
    await assert.rejects(
      writeDemo({ model: `${dir}/model`, out: `${dir}/mine` }),
      new RegExp(
        `^Error: writeDemo: ${dir}/mine is a folder with other files in it and no demo.json`,
      ),
    );
    assert.equal(await Deno.readTextFile(`${dir}/mine/notes.txt`), "mine"); // left alone
    await assert.rejects(
      writeDemo({ model: `${dir}/model`, out: `${dir}/mine/notes.txt` }),
      /is a file, not a folder/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("demo page: serveDemo serves the folder's files, index.html at /, nothing outside", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nerss-demo-" });
  await Deno.mkdir(`${dir}/site`);
  await Deno.writeTextFile(`${dir}/site/index.html`, "<p>hi</p>");
  await Deno.writeFile(`${dir}/site/a.wasm`, new Uint8Array([0, 97, 115, 109]));
  await Deno.writeTextFile(`${dir}/secret.txt`, "outside");
  const server = serveDemo(`${dir}/site`);
  const base = `http://127.0.0.1:${server.addr.port}`;
  try {
    const index = await fetch(`${base}/`);
    assert.equal(index.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(await index.text(), "<p>hi</p>");
    const wasm = await fetch(`${base}/a.wasm`);
    assert.equal(wasm.headers.get("content-type"), "application/wasm");
    assert.deepEqual(new Uint8Array(await wasm.arrayBuffer()), new Uint8Array([0, 97, 115, 109]));
    for (const path of ["/missing.js", "/%2e%2e/secret.txt", "/..%2fsecret.txt"]) {
      const r = await fetch(`${base}${path}`);
      assert.equal(r.status, 404, path);
      await r.body?.cancel();
    }
    const post = await fetch(`${base}/`, { method: "POST" });
    assert.equal(post.status, 405);
    await post.body?.cancel();
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
