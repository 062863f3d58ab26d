import assert from "node:assert/strict";
import { getGpu } from "../../lib/gpu/device.ts";
import { step } from "../../lib/gpu/kernel.ts";
import { tensor } from "../../lib/gpu/tensor.ts";
import { geluBackward, geluForward } from "../../lib/gpu/kernels/gelu.ts";
import { gatedBackward, gatedForward } from "../../lib/gpu/kernels/gated.ts";
import * as ref from "../../lib/gpu/reference/gelu.ts";
import type { GeluKind } from "../../lib/gpu/reference/gelu.ts";
import { maxError } from "../../lib/gpu/reference/gradcheck.ts";
import { randf } from "./gpu_helpers.ts";

Deno.test("gelu forward and backward match the reference (erf and tanh, big inputs)", async () => {
  const gpu = await getGpu();
  // n = 3001: scalar kernel; 3000: vec4 kernel (both also in 2 KiB chunks)
  for (const n of [3001, 3000]) {
    const x = randf(1, n, 4);
    x.set([0, -30, 30, -1e4, 1e4, 1e-7]);
    const dout = randf(2, n);
    for (const kind of ["erf", "tanh"] as const) {
      for (const chunkBytes of [undefined, 2048]) {
        const tx = tensor(gpu, [n], x), out = tensor(gpu, [n]), dx = tensor(gpu, [n]);
        const s = step(gpu);
        geluForward(s, { gpu, x: tx, out, kind, chunkBytes });
        geluBackward(s, { gpu, x: tx, dout: tensor(gpu, [n], dout), dx, kind, chunkBytes });
        const [a, b] = [s.read(out), s.read(dx)];
        await s.submit();
        const ga = await a, gb = await b;
        assert.ok(
          maxError(ga, ref.geluForward(Float64Array.from(x), kind)) < 1e-5,
          `${kind} forward`,
        );
        assert.ok(
          maxError(gb, ref.geluBackward(Float64Array.from(x), Float64Array.from(dout), kind)) <
            1e-5,
          `${kind} backward`,
        );
        assert.ok(ga.every(Number.isFinite) && gb.every(Number.isFinite));
      }
    }
  }
});

/**
 * x from -12 to 12 in steps of 1/32 (the curved part, the tanh form's cancellation near -4.6,
 * where tanh saturates in f32), then +-10^1 .. 10^38, f32's largest value and two tiny ones:
 * where x^2 and x^3 overflow f32. 852 values, a multiple of 4 (vec4 kernels); 851 of them
 * take the scalar ones.
 */
function sweep(): Float32Array {
  const xs: number[] = [];
  for (let i = -384; i <= 384; i++) xs.push(i / 32);
  for (let e = 1; e <= 38; e++) xs.push(10 ** e, -(10 ** e));
  xs.push(3.4e38, -3.4e38, 1e-30, -1e-30, 0, 0, 0);
  return Float32Array.from(xs);
}

/** Fails naming the worst x unless every value is within `tol` (as `maxError`) of `want`. */
function assertMatches(x: Float32Array, got: Float32Array, want: Float64Array, what: string) {
  let worst = 0, at = 0;
  for (let i = 0; i < x.length; i++) {
    const e = Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i]));
    if (!(e <= worst)) [worst, at] = [Number.isNaN(e) ? Infinity : e, i];
  }
  // f32 cancellation in the tanh form's 1 + tanh(...) near x = -4.6 costs ~1e-5
  assert.ok(worst < 3e-5, `${what}: at x = ${x[at]} got ${got[at]}, reference ${want[at]}`);
}

/** GPU GELU and GELU' of `x` through each kernel that includes `GELU_WGSL`, by its file. */
const USERS: Record<string, (x: Float32Array, kind: GeluKind) => Promise<Float32Array[]>> = {
  "gelu.ts": async (x, kind) => {
    const gpu = await getGpu(), n = x.length;
    const out = tensor(gpu, [n]), dx = tensor(gpu, [n]), tx = tensor(gpu, [n], x);
    const s = step(gpu);
    geluForward(s, { gpu, x: tx, out, kind });
    geluBackward(s, { gpu, x: tx, dout: tensor(gpu, [n], new Float32Array(n).fill(1)), dx, kind });
    const r = [s.read(out), s.read(dx)];
    await s.submit();
    return Promise.all(r);
  },
  // gate 1 and dout 1: out = act(x), dx = [act'(x), act(x)]
  "gated.ts": async (x, activation) => {
    const gpu = await getGpu(), cols = x.length, ones = new Float32Array(cols).fill(1);
    const out = tensor(gpu, [1, cols]), dx = tensor(gpu, [1, 2 * cols]);
    const tx = tensor(gpu, [1, 2 * cols], Float32Array.of(...x, ...ones));
    const s = step(gpu), shape = { rows: 1, cols, activation };
    gatedForward(s, { ...shape, x: tx, out });
    gatedBackward(s, { ...shape, x: tx, dout: tensor(gpu, [1, cols], ones), dx });
    const r = [s.read(out), s.read(dx)];
    await s.submit();
    const [o, d] = await Promise.all(r);
    return [o, d.subarray(0, cols)];
  },
};

Deno.test("every kernel with the shared GELU WGSL matches the reference from 0 to f32's largest |x|", async () => {
  // the kernels that include GELU_WGSL are the ones tested here, and no other carries its own
  const dir = new URL("../../lib/gpu/kernels/", import.meta.url);
  const users: string[] = [], copies: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    const code = Deno.readTextFileSync(new URL(e.name, dir));
    if (e.name !== "gelu.ts" && code.includes("GELU_WGSL")) users.push(e.name);
    if (e.name !== "gelu.ts" && /tanh\(|1\.26551223/.test(code)) copies.push(e.name);
  }
  assert.deepEqual(["gelu.ts", ...users.sort()], Object.keys(USERS));
  assert.deepEqual(copies, []);
  const all = sweep();
  for (const [file, run] of Object.entries(USERS)) {
    for (const x of [all, all.subarray(1)]) {
      for (const kind of ["erf", "tanh"] as const) {
        const [out, grad] = await run(x, kind);
        const what = `${file} ${kind} (${x.length} values)`;
        assertMatches(x, out, Float64Array.from(x, (v) => ref.gelu(v, kind)), `${what} forward`);
        assertMatches(x, grad, Float64Array.from(x, (v) => ref.geluGrad(v, kind)), `${what} grad`);
      }
    }
  }
});
