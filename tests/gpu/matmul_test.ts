import assert from "node:assert/strict";
import { getGpu } from "../../lib/gpu/device.ts";
import { release, type Tensor, tensor, view } from "../../lib/gpu/tensor.ts";
import { step } from "../../lib/gpu/kernel.ts";
import {
  canVec4,
  chooseBlock,
  choosePath,
  matmul,
  matmulKernel,
  swapsToTransposedC,
  tiledPlan,
} from "../../lib/gpu/kernels/matmul.ts";
import {
  matmulBackward,
  matmulForward,
  matmulLayout,
  type MatmulShape,
} from "../../lib/gpu/reference/matmul.ts";
import { numericGradient } from "../../lib/gpu/reference/gradcheck.ts";

/** Deterministic pseudo-random values in [-1, 1). */
function rand(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** |got - want| <= 1e-4 * max(1, max |want|) everywhere. */
function assertClose(got: Float32Array, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  let scale = 1;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    if (!(err <= 1e-4 * scale)) {
      assert.fail(`${what}: element ${i} is ${got[i]}, reference ${want[i]} (scale ${scale})`);
    }
  }
}

type Case = MatmulShape & {
  alpha?: number;
  bias?: boolean;
  accumulate?: boolean;
  vec4?: boolean;
  block?: [number, number, number, number];
  path?: "direct" | "tiled" | "shared";
};

async function check(c: Case, seed: number): Promise<void> {
  const gpu = await getGpu();
  const layout = matmulLayout(c);
  const a = rand(layout.a.extent, seed);
  const b = rand(layout.b.extent, seed + 1);
  const bias = c.bias ? rand(c.n, seed + 2) : undefined;
  const c0 = rand(layout.c.extent, seed + 3);
  // entries of C between padded batch entries, rows or heads keep their old values
  const want = matmulForward(a, b, { ...c, bias, c: Float32Array.from(c0) });
  const ts: Tensor[] = [tensor(gpu, [a.length], a), tensor(gpu, [b.length], b)];
  const ct = tensor(gpu, [c0.length], c0);
  const bt = bias ? tensor(gpu, [c.n], bias) : undefined;
  const s = step(gpu);
  matmul(s, { ...c, a: ts[0], b: ts[1], c: ct, bias: bt });
  const got = s.read(ct);
  await s.submit();
  const label = JSON.stringify(c);
  assertClose(await got, want, label);
  for (const t of [...ts, ct]) release(t);
  if (bt) release(bt);
}

Deno.test("matmul: 2x2 hand-worked product", async () => {
  const gpu = await getGpu();
  const a = tensor(gpu, [2, 2], [1, 2, 3, 4]), b = tensor(gpu, [2, 2], [5, 6, 7, 8]);
  const c = tensor(gpu, [2, 2]);
  const s = step(gpu);
  matmul(s, { a, b, c, m: 2, n: 2, k: 2 });
  const out = s.read(c);
  await s.submit();
  assert.deepEqual([...(await out)], [19, 22, 43, 50]);
  for (const t of [a, b, c]) release(t);
});

Deno.test("matmul direct (scalar loads) and shared: awkward shapes, all transposes", async () => {
  // for the shared path: one partial 64x64 tile, and several tiles with K not a multiple
  // of its 16-value slices
  const shapes: [number, number, number][] = [[1, 1, 1], [1, 7, 13], [17, 33, 65], [
    130,
    67,
    259,
  ]];
  let seed = 1;
  for (const path of ["direct", "shared"] as const) {
    for (const [m, n, k] of shapes) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          await check({ m, n, k, transA, transB, path }, seed++);
        }
      }
    }
  }
});

Deno.test("matmul: vec4 loads on aligned shapes, all transpose combinations", async () => {
  let seed = 100;
  for (const [m, n, k] of [[4, 4, 4], [20, 36, 44], [132, 68, 260]] as const) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        assert.ok(canVec4({ m, n, k, transA, transB, sA: 0, sB: 0, offA: 0, offB: 0 }));
        await check({ m, n, k, transA, transB, vec4: true, path: "direct" }, seed++);
      }
    }
  }
  // a bigger block than the default, with ragged edges (68 = 4*16 + 4 columns)
  await check({ m: 40, n: 68, k: 36, transB: true, block: [8, 16, 4, 2] }, seed++);
});

Deno.test("matmul: batched 3x(5x7x9) and attention-like strides", async () => {
  await check({ m: 5, n: 7, k: 9, batch: 3 }, 7);
  await check({ m: 5, n: 7, k: 9, batch: 3, transA: true, transB: true }, 8);
  await check({ m: 8, n: 8, k: 12, batch: 3, transB: true }, 9); // Q K^T, vec4
  await check({ m: 8, n: 12, k: 8, batch: 4 }, 10); // P V, vec4
  // enough blocks for 16x8 (ragged: 20 rows and columns)
  assert.deepEqual(chooseBlock(20, 20, 12), [16, 8, 8, 1]);
  await check({ m: 20, n: 20, k: 12, batch: 12, transB: true }, 11);
  await check({ m: 20, n: 20, k: 12, batch: 12, transA: true, accumulate: true }, 12);
});

/**
 * Attention over a fused [B, T, 3, H, d] projection: B sequences of T tokens, H heads of d
 * values; part p (0 query, 1 key, 2 value) of head h of sequence b at token t starts at
 * b * seq + t * row + part(p) + h * d.
 */
function fusedHeads(B: number, T: number, H: number, d: number) {
  const row = 3 * H * d;
  const part = (p: number) => p * H * d;
  return { batch: B * H, heads: H, row, part, seq: T * row };
}

Deno.test("matmul reference: heads read and written in place equal gathered copies", () => {
  const B = 2, T = 3, H = 2, d = 4, f = fusedHeads(B, T, H, d);
  const qkv = Float64Array.from(rand(B * T * f.row, 40));
  // the copies: q[b, h] and k[b, h] as [T, d] matrices, gathered element by element
  const gather = (p: number, b: number, h: number) =>
    Float64Array.from(
      { length: T * d },
      (_, i) => qkv[b * f.seq + Math.floor(i / d) * f.row + f.part(p) + h * d + (i % d)],
    );
  const scores = matmulForward(qkv.subarray(f.part(0)), qkv.subarray(f.part(1)), {
    m: T,
    n: T,
    k: d,
    transB: true,
    batch: f.batch,
    heads: H,
    strides: { a: f.seq, b: f.seq },
    headStrides: { a: d, b: d },
    ld: { a: f.row, b: f.row },
  });
  // context = P V written in place into a [B, T, H, d] tensor (row stride H*d)
  const ctx = new Float64Array(B * T * H * d).fill(NaN);
  matmulForward(scores, qkv.subarray(f.part(2)), {
    m: T,
    n: d,
    k: T,
    batch: f.batch,
    heads: H,
    strides: { b: f.seq, c: T * H * d },
    headStrides: { b: d, c: d },
    ld: { b: f.row, c: H * d },
    c: ctx,
  });
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const z = b * H + h;
      const s = matmulForward(gather(0, b, h), gather(1, b, h), { m: T, n: T, k: d, transB: true });
      assertClose(Float32Array.from(scores.subarray(z * T * T, (z + 1) * T * T)), s, `scores ${z}`);
      const c = matmulForward(s, gather(2, b, h), { m: T, n: d, k: T });
      for (let t = 0; t < T; t++) {
        const got = ctx.subarray(((b * T + t) * H + h) * d, ((b * T + t) * H + h + 1) * d);
        assertClose(Float32Array.from(got), c.subarray(t * d, (t + 1) * d), `context ${z} ${t}`);
      }
    }
  }
  assert.ok(!ctx.some(Number.isNaN)); // every element written
  assert.throws(
    () => matmulLayout({ m: 2, n: 2, k: 2, batch: 3, heads: 2 }),
    /^Error: matmulLayout: heads = 2 does not divide/,
  );
  assert.throws(
    () => matmulLayout({ m: 2, n: 2, k: 3, ld: { a: 2 } }),
    /^Error: matmulLayout: ld.a = 2 is shorter than a row/,
  );
});

Deno.test("matmul: heads read and written in place (ld, heads), every path and transpose", async () => {
  let seed = 600;
  for (const d of [8, 7]) { // vec4 loads and C stores; scalar
    const f = fusedHeads(2, 5, 3, d);
    const inPlace = { batch: f.batch, heads: f.heads };
    const cases: Case[] = [
      // scores = Q K^T; dV = P^T dctx into the fused gradient; dQ = dS K, dK = dS^T Q
      {
        m: 5,
        n: 5,
        k: d,
        transB: true,
        ...inPlace,
        headStrides: { a: d, b: d, c: 25 },
        strides: { a: f.seq, b: f.seq, c: 75 },
        ld: { a: f.row, b: f.row },
      },
      {
        m: 5,
        n: d,
        k: 5,
        transA: true,
        ...inPlace,
        headStrides: { a: 25, b: d, c: d },
        strides: { a: 75, b: f.seq, c: f.seq },
        ld: { b: f.row, c: f.row },
      },
      {
        m: 5,
        n: d,
        k: 5,
        ...inPlace,
        headStrides: { a: 25, b: d, c: d },
        strides: { a: 75, b: f.seq, c: f.seq },
        ld: { b: f.row, c: f.row },
        accumulate: true,
      },
      // A transposed in place (rows of A^T are tokens), alpha
      {
        m: d,
        n: 5,
        k: 5,
        transA: true,
        ...inPlace,
        headStrides: { a: d, b: 25, c: 5 * d },
        strides: { a: f.seq, b: 75, c: 15 * d },
        ld: { a: f.row },
        alpha: 0.5,
      },
    ];
    for (const c of cases) {
      for (const path of [undefined, "shared"] as const) await check({ ...c, path }, seed++);
    }
  }
  // a large product with a row stride takes the direct path, not the tiled one
  await check({ m: 130, n: 260, k: 68, ld: { a: 72, c: 264 } }, seed++);
  const gpu = await getGpu();
  const t = tensor(gpu, [64]);
  assert.throws(
    () =>
      matmul(step(gpu), {
        a: t,
        b: t,
        c: tensor(gpu, [64]),
        m: 2,
        n: 2,
        k: 2,
        ld: { a: 4 },
        path: "tiled",
      }),
    /neither ld nor heads/,
  );
});

Deno.test("matmul: alpha and bias epilogues; accumulate", async () => {
  let seed = 200;
  await check({ m: 17, n: 33, k: 65, alpha: 0.7, bias: true }, seed++);
  await check({ m: 12, n: 20, k: 16, bias: true }, seed++);
  await check({ m: 17, n: 33, k: 65, accumulate: true }, seed++);
  await check({ m: 5, n: 7, k: 9, batch: 3, accumulate: true, transB: true }, seed++);
  await check({ m: 16, n: 16, k: 16, accumulate: true, transA: true, alpha: -2 }, seed++);
});

Deno.test("matmul: tensors at unaligned offsets (views) are read and written in place", async () => {
  const gpu = await getGpu();
  const m = 3, n = 5, k = 4;
  const a = rand(m * k, 31), b = rand(k * n, 32);
  const aBuf = tensor(gpu, [1 + m * k], [0, ...a]);
  const bBuf = tensor(gpu, [3 + k * n], [0, 0, 0, ...b]);
  const cBuf = tensor(gpu, [2 + m * n + 1], new Float32Array(3 + m * n).fill(-7));
  const cv = view(cBuf, [m * n], 2);
  const s = step(gpu);
  matmul(s, { a: view(aBuf, [m * k], 1), b: view(bBuf, [k * n], 3), c: cv, m, n, k });
  const out = s.read(cBuf);
  await s.submit();
  const got = await out;
  assertClose(got.subarray(2, 2 + m * n), matmulForward(a, b, { m, n, k }), "views");
  assert.deepEqual([got[0], got[1], got[2 + m * n]], [-7, -7, -7]); // neighbours untouched
  assert.throws(
    () => matmul(step(gpu), { a: aBuf, b: bBuf, c: view(aBuf, [1]), m: 1, n: 1, k: 1 }),
    /C shares a buffer with A/,
  );
  for (const t of [aBuf, bBuf, cBuf]) release(t);
});

Deno.test("matmul: size and shape errors name the operand", async () => {
  const gpu = await getGpu();
  const a = tensor(gpu, [6]), b = tensor(gpu, [6]), c = tensor(gpu, [4]);
  const s = step(gpu);
  assert.throws(
    () => matmul(s, { a, b, c, m: 2, n: 2, k: 4 }),
    /^Error: matmul: A \[6\] has 6 elements.*needs 8/,
  );
  assert.throws(() => matmul(s, { a, b, c, m: 2, n: 2, k: 3, batch: 2 }), /A \[6\].*needs 12/);
  assert.throws(() => matmul(s, { a, b, c, m: 2, n: 2.5, k: 3 }), /^Error: matmul: n = 2.5/);
  assert.throws(
    () =>
      matmulKernel({
        transA: false,
        transB: false,
        bias: false,
        accumulate: false,
        tm: 4,
        tn: 6,
        wx: 8,
        wy: 1,
      }),
    /^Error: matmulKernel: block 4x6 \(tn must be a multiple of 4\)/,
  );
  await s.submit();
  for (const t of [a, b, c]) release(t);
});

Deno.test("matmul reference: backward agrees with central finite differences (f64)", () => {
  for (
    const shape of [
      { m: 3, n: 4, k: 5 },
      { m: 2, n: 3, k: 4, transA: true, transB: true, batch: 2, alpha: 0.5 },
      { m: 3, n: 2, k: 3, transB: true },
    ]
  ) {
    const batch = shape.batch ?? 1;
    const a = Float64Array.from(rand(batch * shape.m * shape.k, 5));
    const b = Float64Array.from(rand(batch * shape.k * shape.n, 6));
    const bias = Float64Array.from(rand(shape.n, 7));
    const w = Float64Array.from(rand(batch * shape.m * shape.n, 8)); // loss = sum(w * C)
    const loss = () => {
      const c = matmulForward(a, b, { ...shape, bias });
      let l = 0;
      for (let i = 0; i < c.length; i++) l += w[i] * c[i];
      return l;
    };
    const g = matmulBackward(a, b, w, shape);
    for (
      const [x, analytic, name] of [[a, g.da, "dA"], [b, g.db, "dB"], [
        bias,
        g.dbias,
        "dBias",
      ]] as const
    ) {
      const numeric = numericGradient(loss, x);
      for (let i = 0; i < x.length; i++) {
        assert.ok(
          Math.abs(numeric[i] - analytic[i]) < 1e-6,
          `${name}[${i}] ${JSON.stringify(shape)}`,
        );
      }
    }
  }
});

Deno.test("matmul tiled: plan of a BERT-sized product (hand-worked)", () => {
  // K = 768: 6 chunks of 128, read 3 per dispatch (2 dispatches); 16384 / 128 = 128 rows and
  // columns fit a 64 KiB window (steps of 16 = tm rows, 64 = tn * wx columns).
  const p = tiledPlan(512, 768, 768);
  assert.deepEqual([p.kc, p.q, p.w, p.pz, p.r, p.p, p.nd, p.s], [128, 6, 3, 1, 128, 4, 128, 6]);
  assert.equal(p.tile4, 4096); // 128 * 128 / 4 vec4s: exactly one window
  // K = 100: one chunk; 16384 / 100 = 163 -> 160 rows, 128 columns; a dispatch covers up to 5
  // row panels
  const small = tiledPlan(1024, 384, 100);
  assert.deepEqual(
    [small.kc, small.q, small.w, small.pz, small.r, small.p, small.nd, small.s],
    [100, 1, 1, 5, 160, 7, 128, 3],
  );
  assert.equal(small.tile4, 4000); // max(160, 128) * 100 / 4 = 4000, a multiple of 16
  assert.equal(choosePath(512, 768, 768, 1), "direct"); // 32x32 blocks
  assert.equal(choosePath(384, 768, 768, 1, true), "direct"); // dW = dY^T X
  assert.equal(choosePath(512, 768, 768, 1, true), "tiled"); // dW, rows of A^T 2 KiB apart
  assert.equal(choosePath(1024, 48, 128, 1), "tiled"); // too few columns for 32x16 blocks
  assert.equal(choosePath(1024, 9, 128, 1), "direct"); // 16x4 blocks (a classifier head)
  assert.equal(choosePath(4, 4, 4, 1), "direct");
  assert.equal(choosePath(64, 64, 64, 32), "direct"); // attention: many small products
  // K = 600: 5 chunks -> 6 of 100; 16384 / 100 = 163 columns cannot hold 64 * 8 = 512
  assert.throws(
    () => tiledPlan(8, 8, 600, [64, 64, 8, 1]),
    /^Error: tiledPlan: block 64x64 .*does not fit/,
  );
});

Deno.test("matmul default path of large products: 32-row blocks, ragged edges, epilogues", async () => {
  // >= 2^20 multiply-adds: direct path with 32x32 blocks (n >= 256), 64x16 or 32x16, A
  // transposed (dW = dY^T X) or not; m = 100 / 400 and n = 132 / 300 / 100 leave partial blocks
  // and partial workgroups; k = 81, n = 130 and a transposed A of m = 102 cannot use vec4
  // loads, so those fall back to the tiled path
  let seed = 500;
  // (each 32-row variant takes 2-6 s to compile on lavapipe: one case per variant)
  for (
    const c of [
      { m: 100, n: 132, k: 84 },
      { m: 100, n: 132, k: 84, transB: true, accumulate: true },
      { m: 70, n: 300, k: 52, alpha: 0.5, bias: true },
      { m: 100, n: 130, k: 81 },
      { m: 100, n: 132, k: 84, transA: true, accumulate: true },
      { m: 102, n: 300, k: 40, transA: true },
      // K >= 256 and at least 48 invocations: 64x16 blocks
      { m: 400, n: 100, k: 260, transB: true },
      { m: 388, n: 130, k: 300, transA: true, accumulate: true },
      // 384 columns: 32x24 blocks
      { m: 300, n: 384, k: 40, transB: true, bias: true },
    ] as Case[]
  ) {
    assert.ok(c.m * c.n * c.k >= 1 << 20);
    assert.equal(choosePath(c.m, c.n, c.k, 1, c.transA), "direct");
    await check(c, seed++);
  }
  assert.deepEqual(chooseBlock(400, 100, 1, 260), [64, 16, 8, 1]);
  assert.deepEqual(chooseBlock(388, 130, 1, 300), [64, 16, 8, 1]);
  assert.deepEqual(chooseBlock(100, 132, 1, 84), [32, 16, 8, 1]);
  assert.deepEqual(chooseBlock(300, 384, 1, 40), [32, 24, 8, 1]);
});

Deno.test("matmul: dW with a power-of-two M is recorded as C^T = op(B)^T op(A)^T", async () => {
  // dY^T X with M = 256 / 512: the swapped products (96 x 256, 128 x 512) take 32x32 blocks
  // that tile C exactly and store it transposed; with N = 100 they would not, so tiled
  const gpu = await getGpu();
  let seed = 580;
  for (
    const [c, swapped] of [
      [{ m: 256, n: 96, k: 48, transA: true, accumulate: true, alpha: 0.5 }, true],
      [{ m: 512, n: 128, k: 20, transA: true, transB: true }, true],
      [{ m: 256, n: 100, k: 48, transA: true }, false],
    ] as [Case, boolean][]
  ) {
    assert.equal(choosePath(c.m, c.n, c.k, 1, true), "tiled"); // by shape, before the swap
    const [a, b, ct] = [c.m * c.k, c.k * c.n, c.m * c.n].map((n) => tensor(gpu, [n]));
    const o = { m: c.m, n: c.n, k: c.k, transA: true, transB: c.transB, a, b, c: ct };
    assert.equal(swapsToTransposedC(gpu, o), swapped && gpu.isFallback);
    for (const x of [a, b, ct]) release(x);
    await check(c, seed++);
  }
});

Deno.test("matmul default path of narrow large products (classifier heads): 16x4 and 8x8 blocks", async () => {
  // fewer than 16 columns or rows: direct, x W^T with 9 labels, its dW (A transposed, m = 9:
  // no vec4 loads) and dX with k = 9
  let seed = 550;
  for (
    const c of [
      { m: 1030, n: 9, k: 130, transB: true, bias: true },
      { m: 9, n: 130, k: 1030, transA: true, accumulate: true },
      { m: 1030, n: 130, k: 9, accumulate: true },
    ] as Case[]
  ) {
    assert.equal(choosePath(c.m, c.n, c.k, 1, c.transA), "direct");
    await check(c, seed++);
  }
  assert.deepEqual(chooseBlock(1030, 9, 1), [16, 4, 8, 1]);
  assert.deepEqual(chooseBlock(9, 130, 1), [8, 8, 8, 1]);
});

Deno.test("matmul tiled: all transpose combinations, ragged edges, one and many K chunks", async () => {
  let seed = 300;
  // k = 1100: 9 chunks of 124 in 3 dispatches (first, mid, last stages); 1300 x 12 x 128:
  // 11 row panels of 128 in dispatches of 5, 5 and 1 panels
  for (
    const [m, n, k] of [[33, 70, 5], [130, 67, 259], [20, 36, 1100], [1300, 12, 128]] as const
  ) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        await check({ m, n, k, transA, transB, path: "tiled" }, seed++);
      }
    }
  }
});

Deno.test("matmul tiled: epilogues (alpha, bias, accumulate) on vec4 and scalar C", async () => {
  let seed = 400;
  // n = 36: vec4 stores; n = 37: scalar stores
  for (const n of [36, 37]) {
    const block: [number, number, number, number] = [8, 8, 8, 1]; // quicker to compile
    await check({ m: 19, n, k: 40, alpha: 0.7, bias: true, path: "tiled", block }, seed++);
  }
  // several K dispatches (partial sums through T), then the epilogue
  await check({ m: 19, n: 37, k: 600, alpha: -1.5, bias: true, path: "tiled" }, seed++);
  await check({ m: 19, n: 36, k: 600, accumulate: true, transB: true, path: "tiled" }, seed++);
  await check({ m: 16, n: 37, k: 40, accumulate: true, bias: true, path: "tiled" }, seed++);
  await check({ m: 24, n: 40, k: 72, block: [16, 8, 8, 1], transA: true, path: "tiled" }, seed++);
  // two rows of invocations per workgroup, 3 row panels of 128 in one dispatch
  await check({ m: 300, n: 40, k: 128, block: [8, 8, 4, 2], transB: true, path: "tiled" }, seed++);
});

Deno.test("matmul tiled and shared: batched with padded strides (attention-like)", async () => {
  for (const path of ["tiled", "shared"] as const) {
    await check({ m: 16, n: 16, k: 12, batch: 3, transB: true, path }, 500);
    await check({
      m: 9,
      n: 10,
      k: 11,
      batch: 3,
      transA: true,
      path,
      strides: { a: 101, b: 113, c: 97 },
    }, 501);
  }
});

Deno.test("matmul tiled and shared: tensors at unaligned offsets (views)", async () => {
  for (const path of ["tiled", "shared"] as const) await checkViews(path);
});

async function checkViews(path: "tiled" | "shared"): Promise<void> {
  const gpu = await getGpu();
  const m = 13, n = 10, k = 21;
  const a = rand(m * k, 41), b = rand(k * n, 42);
  const aBuf = tensor(gpu, [1 + m * k], [0, ...a]);
  const bBuf = tensor(gpu, [3 + k * n], [0, 0, 0, ...b]);
  const cBuf = tensor(gpu, [3 + m * n], new Float32Array(3 + m * n).fill(-7));
  const s = step(gpu);
  matmul(s, {
    a: view(aBuf, [m * k], 1),
    b: view(bBuf, [k * n], 3),
    c: view(cBuf, [m * n], 2),
    m,
    n,
    k,
    path,
  });
  const out = s.read(cBuf);
  await s.submit();
  const got = await out;
  assertClose(got.subarray(2, 2 + m * n), matmulForward(a, b, { m, n, k }), `${path} views`);
  assert.deepEqual([got[0], got[1], got[2 + m * n]], [-7, -7, -7]);
  for (const t of [aBuf, bBuf, cBuf]) release(t);
}

Deno.test("matmul shared: epilogues and accumulate", async () => {
  let seed = 800;
  await check({ m: 70, n: 37, k: 40, alpha: 0.7, bias: true, path: "shared" }, seed++);
  await check({ m: 19, n: 36, k: 20, accumulate: true, transB: true, path: "shared" }, seed++);
});
