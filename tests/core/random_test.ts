import assert from "node:assert/strict";
import {
  createRandom,
  createRandomFromState,
  sampleWithoutReplacement,
  shuffle,
} from "../../lib/core/random.ts";

// Reference numbers: tools/xoshiro_reference.c (xoshiro128** 1.1 and SplitMix64 as
// published by Blackman & Vigna), compiled with `gcc -O2` and run on the build machine.
// The state {1,2,3,4} outputs also equal the published test vector of xoshiro128**.

Deno.test("xoshiro128**: state 1,2,3,4 gives the reference outputs", () => {
  const rng = createRandomFromState([1, 2, 3, 4]);
  const got = Array.from({ length: 8 }, () => rng.nextU32());
  assert.deepEqual(got, [
    11520,
    0,
    5927040,
    70819200,
    2031721883,
    1637235492,
    1287239034,
    3734860849,
  ]);
});

Deno.test("createRandom: SplitMix64 seeding matches the reference C code", () => {
  const cases: [number, number[], number[]][] = [
    [0, [2065550767, 3793791033, 2713282036, 1853398634], [
      3737715805,
      2584255861,
      2876756834,
      3286328325,
      1553311962,
      1625202774,
    ]],
    [42, [803958421, 3184996902, 2993090819, 686809907], [
      1776835114,
      4165204688,
      17111135,
      2317295270,
      2792088233,
      2554630222,
    ]],
    [20240101, [528488599, 3542249469, 3783783014, 4221008815], [
      2262285575,
      3425800688,
      2708958361,
      3627794603,
      2151158363,
      1489142082,
    ]],
    [9007199254740991, [4021704095, 616124332, 3074421144, 818148089], [
      1233166643,
      1287031142,
      661813442,
      2960669951,
      2601079046,
      1036114921,
    ]],
  ];
  for (const [seed, state, outputs] of cases) {
    const rng = createRandom(seed);
    assert.deepEqual(Array.from(rng.state()), state, `state for seed ${seed}`);
    assert.deepEqual(Array.from({ length: 6 }, () => rng.nextU32()), outputs, `seed ${seed}`);
  }
});

Deno.test("next(): 53-bit doubles and a long stream match the reference", () => {
  const rng = createRandom(42);
  const got = Array.from({ length: 4 }, () => rng.next());
  assert.deepEqual(got, [
    0.41370166815658871,
    0.0039839933778147429,
    0.65008370276388672,
    0.68460201861414161,
  ]);
  const r7 = createRandom(7);
  for (let i = 0; i < 1_000_000; i++) r7.nextU32();
  assert.equal(r7.nextU32(), 3608966110);
});

Deno.test("createRandom: bigint seed equals number seed; bad seeds throw", () => {
  assert.equal(createRandom(42n).nextU32(), createRandom(42).nextU32());
  // -1 is 2^64 - 1 modulo 2^64.
  assert.equal(createRandom(-1).nextU32(), createRandom(18446744073709551615n).nextU32());
  assert.throws(() => createRandom(1.5), /safe integer/);
  assert.throws(() => createRandomFromState([0, 0, 0, 0]), /all zero/);
});

Deno.test("int(n): in range and uniform (chi-squared), including n > 2^32", () => {
  const rng = createRandom(1);
  const n = 7, draws = 70_000;
  const counts = new Array(n).fill(0);
  for (let i = 0; i < draws; i++) {
    const v = rng.int(n);
    assert.ok(Number.isInteger(v) && v >= 0 && v < n);
    counts[v]++;
  }
  const e = draws / n;
  const chi2 = counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
  assert.ok(chi2 < 22.46, `chi2 ${chi2} (df 6, 0.999 quantile 22.46)`);
  const big = 3 * 2 ** 40;
  for (let i = 0; i < 1000; i++) {
    const v = rng.int(big);
    assert.ok(Number.isInteger(v) && v >= 0 && v < big);
  }
  assert.throws(() => rng.int(0), /positive safe integer/);
});

Deno.test("int(n): rejection removes the modulo bias of n = 3 * 2^30", () => {
  // With plain x % n, residues below 2^30 would be twice as likely as the others.
  const rng = createRandom(3);
  const n = 3 * 2 ** 30;
  let low = 0;
  const draws = 30_000;
  for (let i = 0; i < draws; i++) if (rng.int(n) < 2 ** 30) low++;
  // Unbiased: P(low) = 1/3 (biased would be 1/2). 5 SDs = 5 * sqrt(draws * 2/9) ~ 408.
  assert.ok(Math.abs(low - draws / 3) < 408, `low ${low}`);
});

Deno.test("normal(): mean, variance and tail frequency", () => {
  const rng = createRandom(11);
  const n = 100_000;
  let s = 0, ss = 0, tail = 0;
  for (let i = 0; i < n; i++) {
    const z = rng.normal();
    s += z;
    ss += z * z;
    if (z > 1.959963984540054) tail++;
  }
  const mean = s / n, variance = ss / n - mean * mean;
  assert.ok(Math.abs(mean) < 0.02, `mean ${mean}`); // SE 0.0032
  assert.ok(Math.abs(variance - 1) < 0.02, `variance ${variance}`); // SE 0.0045
  assert.ok(Math.abs(tail / n - 0.025) < 0.003, `tail ${tail / n}`); // SE 0.0005
});

Deno.test("shuffle: a permutation, all 6 orders of 3 items about equally often", () => {
  const rng = createRandom(5);
  const counts = new Map<string, number>();
  for (let i = 0; i < 6000; i++) {
    const key = rng.shuffle(["a", "b", "c"]).join("");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  assert.equal(counts.size, 6);
  for (const [k, c] of counts) assert.ok(Math.abs(c - 1000) < 150, `${k}: ${c}`);
});

Deno.test("sampleWithoutReplacement: distinct, in range, uniform inclusion", () => {
  const rng = createRandom(9);
  const inclusion = new Array(20).fill(0);
  for (let r = 0; r < 4000; r++) {
    const k = r % 2 === 0 ? 3 : 12; // both the sparse and the dense path
    const s = rng.sampleWithoutReplacement(20, k);
    assert.equal(s.length, k);
    assert.equal(new Set(s).size, k);
    for (const v of s) {
      assert.ok(v >= 0 && v < 20);
      inclusion[v]++;
    }
  }
  // Expected inclusions per item: 2000 * 3/20 + 2000 * 12/20 = 1500.
  for (const c of inclusion) assert.ok(Math.abs(c - 1500) < 150, `inclusion ${c}`);
  assert.deepEqual(rng.sampleWithoutReplacement(5, 0), []);
  assert.equal(rng.sampleWithoutReplacement(5, 5).sort().join(), "0,1,2,3,4");
  assert.throws(() => rng.sampleWithoutReplacement(3, 4), /0 <= k <= n/);
});

Deno.test("shuffle / sampleWithoutReplacement functions equal the methods", () => {
  const a = createRandom(21), b = createRandom(21);
  assert.deepEqual(shuffle([1, 2, 3, 4, 5, 6], a), b.shuffle([1, 2, 3, 4, 5, 6]));
  assert.deepEqual(sampleWithoutReplacement(50, 7, a), b.sampleWithoutReplacement(50, 7));
  assert.deepEqual(sampleWithoutReplacement(8, 6, a), b.sampleWithoutReplacement(8, 6));
});
