/**
 * Grouped-query attention's key/value sharing on the GPU: copies the key and value heads of a
 * fused projection to one per query head, and sums the gradients back. CPU reference:
 * `lib/gpu/reference/repeat_kv.ts` (transformers' `repeat_kv`).
 *
 * Rules, each with its reason:
 * - A copy, not head arithmetic in the attention products: the tuned matmul stays as it is,
 *   and the copy (`[tokens, 2, heads, d]`) is read with the same head strides as a fused
 *   projection; it costs `2 * tokens * hidden` floats.
 * - The backward gives one invocation per shared element, summing its `groups` query heads,
 *   so no two invocations write one element (no atomics), and writes (not adds) the key and
 *   value columns of the projection's gradient, which nothing else writes.
 * - Sources and destinations may be views at any element (the key heads start mid-row).
 *
 * @module
 */
import type { Kernel, Step } from "../kernel.ts";
import type { Tensor } from "../tensor.ts";
import { flatGrid, flatMain, packUniforms } from "./grid.ts";
import { bindFrom } from "./offset_binding.ts";

const HEAD = `struct U { count: u32, d: u32, kvHeads: u32, groups: u32, parts: u32, ld: u32,
  offX: u32, offY: u32 }`;

const FORWARD: Kernel = {
  name: "repeat-kv-forward",
  code: `${HEAD}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> u: U;
${flatMain("e")}
  if (e >= u.count) { return; }
  let heads = u.kvHeads * u.groups;
  let dd = e % u.d;
  let h = (e / u.d) % heads;
  let p = (e / (u.d * heads)) % u.parts;
  let r = e / (u.d * heads * u.parts);
  out[u.offY + e] = x[u.offX + r * u.ld + (p * u.kvHeads + h / u.groups) * u.d + dd];
}`,
};

const BACKWARD: Kernel = {
  name: "repeat-kv-backward",
  code: `${HEAD}
@group(0) @binding(0) var<storage, read> dout: array<f32>;
@group(0) @binding(1) var<storage, read_write> dx: array<f32>;
@group(0) @binding(2) var<uniform> u: U;
${flatMain("e")} // element of the shared heads [rows, parts, kvHeads, d]
  if (e >= u.count) { return; }
  let heads = u.kvHeads * u.groups;
  let dd = e % u.d;
  let kh = (e / u.d) % u.kvHeads;
  let p = (e / (u.d * u.kvHeads)) % u.parts;
  let r = e / (u.d * u.kvHeads * u.parts);
  let src = u.offY + ((r * u.parts + p) * heads + kh * u.groups) * u.d + dd;
  var sum = 0.0;
  for (var q = 0u; q < u.groups; q++) { sum += dout[src + q * u.d]; }
  dx[u.offX + r * u.ld + (p * u.kvHeads + kh) * u.d + dd] = sum;
}`,
};

/**
 * Shape of {@link repeatKv}: `rows` tokens of `x` `ld` elements apart, each with `parts`
 * blocks of `kvHeads` heads of `headDim` from its first element, each head serving `groups`
 * query heads.
 */
export type RepeatKvOptions = {
  rows: number;
  parts: number;
  kvHeads: number;
  groups: number;
  headDim: number;
  ld: number;
};

function check(what: string, o: RepeatKvOptions, source: Tensor, copy: Tensor): void {
  const { rows, parts, kvHeads, groups, headDim: d, ld } = o;
  if (ld < parts * kvHeads * d) {
    throw new Error(`${what}: row stride ${ld} is shorter than ${parts * kvHeads * d} elements`);
  }
  const need = rows === 0 ? 0 : (rows - 1) * ld + parts * kvHeads * d;
  if (source.size < need) {
    throw new Error(
      `${what}: the projection has ${source.size} elements, ${rows} rows need ${need}`,
    );
  }
  if (copy.size !== rows * parts * kvHeads * groups * d) {
    throw new Error(
      `${what}: the repeated heads have ${copy.size} elements, [${rows}, ${parts}, ` +
        `${kvHeads * groups}, ${d}] needs ${rows * parts * kvHeads * groups * d}`,
    );
  }
}

function uniforms(o: RepeatKvOptions, count: number, offX: number, offY: number): ArrayBuffer {
  return packUniforms("uuuuuuuu", [
    count,
    o.headDim,
    o.kvHeads,
    o.groups,
    o.parts,
    o.ld,
    offX,
    offY,
  ]);
}

/**
 * Records `out` `[rows, parts, kvHeads * groups, headDim]` = each query head's copy of its
 * key/value head of `x` (`x` a view at the first key element of a fused projection).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor } from "../tensor.ts";
 * import { repeatKv } from "./repeat_kv.ts";
 * const gpu = await getGpu();
 * const s = step(gpu), out = tensor(gpu, [8]);
 * repeatKv(s, { x: tensor(gpu, [4], [1, 2, 3, 4]), out, rows: 1, parts: 2, kvHeads: 1,
 *   groups: 2, headDim: 2, ld: 4 });
 * const r = s.read(out);
 * await s.submit();
 * assert.deepEqual(await r, Float32Array.of(1, 2, 1, 2, 3, 4, 3, 4)); // keys twice, values twice
 * ```
 */
export function repeatKv(s: Step, o: RepeatKvOptions & { x: Tensor; out: Tensor }): void {
  check("repeatKv", o, o.x, o.out);
  const count = o.out.size;
  if (count === 0) return;
  const x = bindFrom(s.gpu, o.x, "repeatKv"), y = bindFrom(s.gpu, o.out, "repeatKv");
  s.dispatch(
    FORWARD,
    [x.binding, y.binding],
    flatGrid(count),
    uniforms(o, count, x.offset, y.offset),
  );
}

/**
 * Records the backward: the key and value columns of `dx` (a view at the first key element
 * of the projection's gradient, rows `ld` apart) WRITTEN with the sums of `dout` over the
 * query heads sharing each head; other columns are left alone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor } from "../tensor.ts";
 * import { repeatKvBackward } from "./repeat_kv.ts";
 * const gpu = await getGpu();
 * const s = step(gpu), dx = tensor(gpu, [4]);
 * repeatKvBackward(s, { dout: tensor(gpu, [8], [1, 2, 10, 20, 3, 4, 30, 40]), dx, rows: 1,
 *   parts: 2, kvHeads: 1, groups: 2, headDim: 2, ld: 4 });
 * const r = s.read(dx);
 * await s.submit();
 * assert.deepEqual(await r, Float32Array.of(11, 22, 33, 44)); // summed over the 2 query heads
 * ```
 */
export function repeatKvBackward(
  s: Step,
  o: RepeatKvOptions & { dout: Tensor; dx: Tensor },
): void {
  check("repeatKvBackward", o, o.dx, o.dout);
  const count = o.rows * o.parts * o.kvHeads * o.headDim;
  if (count === 0) return;
  const dy = bindFrom(s.gpu, o.dout, "repeatKvBackward");
  const dx = bindFrom(s.gpu, o.dx, "repeatKvBackward");
  s.dispatch(
    BACKWARD,
    [dy.binding, dx.binding],
    flatGrid(count),
    uniforms(o, count, dx.offset, dy.offset),
  );
}
