/**
 * Tests of lib/models/reference.ts against PyTorch: the fixtures under
 * tests/fixtures/models/<family>/ are tiny random models written by
 * tools/make_reference_fixtures.ts; logits.json was computed from them by
 * tools/reference_logits.py (a hand-written float64 PyTorch 1.13 forward mirroring
 * transformers' modules).
 */
import assert from "node:assert/strict";
import { readConfig } from "../../lib/models/config.ts";
import { FAMILIES } from "../../lib/models/families/registry.ts";
import type { ModelFamily } from "../../lib/models/families/types.ts";
import { readSafetensors } from "../../lib/models/safetensors.ts";
import { activate, erf, referenceLogits, robertaPositionIds } from "../../lib/models/reference.ts";

const root = new URL("../fixtures/models/", import.meta.url).pathname;

for (const family of Object.keys(FAMILIES) as ModelFamily[]) {
  Deno.test(`referenceLogits matches PyTorch for ${family}`, async () => {
    const dir = `${root}${family}`;
    const config = await readConfig(`${dir}/config.json`);
    const tensors = readSafetensors(await Deno.readFile(`${dir}/model.safetensors`));
    const inputs = JSON.parse(await Deno.readTextFile(`${dir}/inputs.json`));
    const want = JSON.parse(await Deno.readTextFile(`${dir}/logits.json`));
    const got = referenceLogits(config, tensors, inputs.input_ids, inputs.attention_mask, {
      tokenTypeIds: inputs.token_type_ids,
    });
    assert.deepEqual(got.shape, want.shape);
    let maxErr = 0;
    for (let i = 0; i < got.data.length; i++) {
      maxErr = Math.max(maxErr, Math.abs(got.data[i] - want.logits[i]));
    }
    // rotary families: transformers (and this reference) take the rotary angles in float32,
    // the fixture's float64 mirror in float64
    const rotary = FAMILIES[family].positions.kind === "rotary";
    assert.ok(maxErr < (rotary ? 1e-8 : 1e-9), `max abs difference ${maxErr}`);
  });
}

Deno.test("padding does not change the logits of real tokens (BERT, right padding)", async () => {
  const dir = `${root}bert`;
  const config = await readConfig(`${dir}/config.json`);
  const tensors = readSafetensors(await Deno.readFile(`${dir}/model.safetensors`));
  const short = referenceLogits(config, tensors, [[9, 21, 4, 33]]);
  const padded = referenceLogits(config, tensors, [[9, 21, 4, 33, 0, 0]], [[1, 1, 1, 1, 0, 0]]);
  for (let i = 0; i < short.data.length; i++) {
    assert.ok(Math.abs(short.data[i] - padded.data[i]) < 1e-12);
  }
});

Deno.test("GPT-2 is causal: later tokens do not change earlier logits", async () => {
  const dir = `${root}gpt2`;
  const config = await readConfig(`${dir}/config.json`);
  const tensors = readSafetensors(await Deno.readFile(`${dir}/model.safetensors`));
  const a = referenceLogits(config, tensors, [[5, 17, 3]]);
  const b = referenceLogits(config, tensors, [[5, 17, 3, 29, 11]]);
  for (let i = 0; i < a.data.length; i++) assert.ok(Math.abs(a.data[i] - b.data[i]) < 1e-12);
  const c = referenceLogits(config, tensors, [[5, 17, 4]]);
  assert.ok(Math.abs(a.data[8] - c.data[8]) > 1e-6, "the last token's own id matters");
});

Deno.test("erf and activations agree with known values", () => {
  // erf values from Abramowitz & Stegun table 7.1 / scipy.special.erf.
  assert.ok(Math.abs(erf(0.5) - 0.5204998778130465) < 1e-15);
  assert.ok(Math.abs(erf(1) - 0.8427007929497149) < 1e-15);
  assert.ok(Math.abs(erf(-2) + 0.9953222650189527) < 1e-15);
  assert.ok(Math.abs(erf(3.5) - 0.9999992569016276) < 1e-15);
  // torch.nn.functional.gelu(torch.tensor(1.0, dtype=torch.float64)) = 0.841344746068543
  assert.ok(Math.abs(activate("gelu", 1) - 0.841344746068543) < 1e-15);
  // 0.5 * (1 + tanh(sqrt(2/pi) * 1.044715)) by hand: 0.8411919906082768
  assert.ok(Math.abs(activate("gelu_new", 1) - 0.8411919906082768) < 1e-15);
  assert.equal(activate("relu", -3), 0);
  assert.ok(Math.abs(activate("silu", 1) - 1 / (1 + Math.exp(-1))) < 1e-16);
});

Deno.test("robertaPositionIds counts from padding_idx + 1 and skips padding", () => {
  assert.deepEqual(robertaPositionIds([0, 5, 6, 2, 1, 1], 1), [2, 3, 4, 5, 1, 1]);
});

Deno.test("referenceLogits rejects ids outside the vocabulary and ragged rows", async () => {
  const dir = `${root}bert`;
  const config = await readConfig(`${dir}/config.json`);
  const tensors = readSafetensors(await Deno.readFile(`${dir}/model.safetensors`));
  assert.throws(() => referenceLogits(config, tensors, [[1, 40]]), /id 40 at row 0, position 1/);
  assert.throws(() => referenceLogits(config, tensors, [[1, 2], [3]]), /row 1 has 1 ids/);
  const missing = new Map(tensors);
  missing.delete("classifier.bias");
  assert.throws(() => referenceLogits(config, missing, [[1, 2]]), /classifier.bias/);
});

Deno.test("the float64 PyTorch mirror's loss and gradients equal transformers' where both exist", async () => {
  let compared = 0;
  for (const family of Object.keys(FAMILIES)) {
    const read = (file: string) =>
      Deno.readTextFile(`${root}${family}/${file}`).then(JSON.parse, () => null);
    const [mirror, transformers] = [await read("mirror_grads.json"), await read("grads.json")];
    if (!mirror || !transformers) continue;
    assert.ok(Math.abs(mirror.loss - transformers.loss) < 1e-12, family);
    assert.deepEqual(Object.keys(mirror.grads).sort(), Object.keys(transformers.grads).sort());
    for (const [name, g] of Object.entries(transformers.grads as Record<string, number[]>)) {
      g.forEach((v, i) => assert.ok(Math.abs(v - mirror.grads[name][i]) < 1e-12, name));
    }
    compared++;
  }
  assert.ok(compared >= 4, `${compared} families have both`);
});
