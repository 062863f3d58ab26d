/**
 * Matrix multiplication on the CPU, forward and backward: the plain reference for
 * `lib/gpu/kernels/matmul.ts`.
 *
 * Forward: `C = alpha * op(A) @ op(B) + bias (+ C when accumulating)`, where `op(A)` is
 * `A` (`[m, k]` row-major) or `A^T` (A stored `[k, m]`), `op(B)` is `B` (`[k, n]`) or `B^T`
 * (B stored `[n, k]`) and `bias` has `n` entries added to every row. Batched: `batch` products, the i-th reading A, B and C at element
 * offsets `i * strides.a`, `i * strides.b`, `i * strides.c` (defaults: the matrix sizes).
 * With `heads`, entry i is head `i % heads` of group `floor(i / heads)`, at offset
 * `floor(i / heads) * strides.x + (i % heads) * headStrides.x`; `ld` gives the row strides of
 * the stored matrices (defaults: their widths). Together they read the heads of attention
 * in place from a fused `[tokens, 3, heads, width]` projection and write them back there.
 * Sums run in f64 (JavaScript numbers) and are stored in the array's own type.
 *
 * Backward: `dA = dC @ op(B)^T` (stored like A), `dB = op(A)^T @ dC`
 * (stored like B), `dBias = column sums of dC`, each multiplied by alpha where it applies.
 * These agree with PyTorch's `torch.matmul` / `torch.nn.functional.linear` gradients.
 *
 * @module
 */
import { type FloatArray, zerosLike } from "./float_array.ts";

/**
 * The shape of a (batched) product; strides are in elements.
 */
export type MatmulShape = {
  m: number;
  n: number;
  k: number;
  /** A is stored `[k, m]` and used transposed. */
  transA?: boolean;
  /** B is stored `[n, k]` and used transposed. */
  transB?: boolean;
  batch?: number;
  /** Element strides between batch entries, or between groups of `heads` entries. */
  strides?: { a?: number; b?: number; c?: number };
  /** Batch entries per group (default 1; must divide `batch`). */
  heads?: number;
  /** Element strides between the heads of a group (defaults: the stored matrix sizes). */
  headStrides?: { a?: number; b?: number; c?: number };
  /** Row strides of the stored A, B and C (defaults: their widths). */
  ld?: { a?: number; b?: number; c?: number };
};

/**
 * Where one operand of a product lies: its stored `rows` x `cols` (A is `[m, k]` or, when
 * transposed, `[k, m]`; B `[k, n]` or `[n, k]`; C `[m, n]`), row stride `ld`, the strides
 * between heads and groups of heads, and `extent`, the elements it spans from its start.
 */
export type OperandLayout = {
  rows: number;
  cols: number;
  ld: number;
  head: number;
  stride: number;
  extent: number;
};

/**
 * The resolved layout of a product's operands (see {@link MatmulShape}) and `heads`; throws
 * when `heads` does not divide the batch or a row stride is shorter than a row.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matmulLayout } from "./matmul.ts";
 * // the query-key scores of 2 heads of width 4 read from a fused [5 tokens, 3, 2, 4] tensor
 * const l = matmulLayout({ m: 5, n: 5, k: 4, transB: true, batch: 2, heads: 2,
 *   headStrides: { a: 4, b: 4 }, ld: { a: 24, b: 24 } });
 * assert.equal(l.a.extent, 104); // 4 rows of 24, then a row of 4 for each of the 2 heads
 * assert.equal(l.c.extent, 50); // 2 dense [5, 5] blocks
 * ```
 */
export function matmulLayout(
  s: MatmulShape,
): { a: OperandLayout; b: OperandLayout; c: OperandLayout; heads: number } {
  const batch = s.batch ?? 1, heads = s.heads ?? 1;
  if (!Number.isInteger(heads) || heads < 1 || batch % heads !== 0) {
    throw new Error(`matmulLayout: heads = ${heads} does not divide batch ${batch}`);
  }
  const operand = (x: "a" | "b" | "c", rows: number, cols: number): OperandLayout => {
    const ld = s.ld?.[x] ?? cols;
    if (!Number.isInteger(ld) || ld < cols) {
      throw new Error(
        `matmulLayout: ld.${x} = ${ld} is shorter than a row (${cols} elements)`,
      );
    }
    const size = rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols;
    const head = s.headStrides?.[x] ?? rows * cols;
    const stride = s.strides?.[x] ?? heads * rows * cols;
    const groups = batch / heads;
    const extent = batch === 0 || size === 0
      ? 0
      : (groups - 1) * stride + (heads - 1) * head + size;
    return { rows, cols, ld, head, stride, extent };
  };
  const { m, n, k } = s;
  return {
    a: s.transA ? operand("a", k, m) : operand("a", m, k),
    b: s.transB ? operand("b", n, k) : operand("b", k, n),
    c: operand("c", m, n),
    heads,
  };
}

/** Element offset of batch entry `z` of an operand laid out as `l`, with `heads` per group. */
function entryOffset(l: OperandLayout, heads: number, z: number): number {
  return Math.floor(z / heads) * l.stride + (z % heads) * l.head;
}

/**
 * Forward reference: returns `C`: a new array, or `c` with the product's elements written
 * (added when `accumulate`) and its other elements untouched.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matmulForward } from "./matmul.ts";
 * const a = new Float64Array([1, 2, 3, 4]); // [[1, 2], [3, 4]]
 * const b = new Float64Array([5, 6, 7, 8]); // [[5, 6], [7, 8]]
 * assert.deepEqual(matmulForward(a, b, { m: 2, n: 2, k: 2 }), Float64Array.of(19, 22, 43, 50));
 * ```
 */
export function matmulForward<T extends FloatArray>(
  a: T,
  b: T,
  o: MatmulShape & {
    alpha?: number;
    bias?: T;
    c?: T;
    accumulate?: boolean;
  },
): T {
  const { m, n, k } = o;
  const batch = o.batch ?? 1;
  const { a: la, b: lb, c: lc, heads } = matmulLayout(o);
  const alpha = o.alpha ?? 1;
  const c = o.c ?? zerosLike(a, lc.extent);
  for (let bt = 0; bt < batch; bt++) {
    const [ao, bo, co] = [la, lb, lc].map((l) => entryOffset(l, heads, bt));
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = o.transA ? a[ao + p * la.ld + i] : a[ao + i * la.ld + p];
          const bv = o.transB ? b[bo + j * lb.ld + p] : b[bo + p * lb.ld + j];
          s += av * bv;
        }
        let v = alpha * s;
        if (o.bias) v += o.bias[j];
        const idx = co + i * lc.ld + j;
        c[idx] = o.accumulate ? c[idx] + v : v;
      }
    }
  }
  return c;
}

/**
 * Backward reference of `C = alpha * op(A) @ op(B) + bias`: the gradients
 * of A, B (stored like A and B) and bias, given the gradient `dc` of C.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matmulBackward } from "./matmul.ts";
 * const a = new Float64Array([1, 2]), b = new Float64Array([3, 4]); // [1x2] @ [2x1]
 * const g = matmulBackward(a, b, new Float64Array([1]), { m: 1, n: 1, k: 2 });
 * assert.deepEqual([g.da, g.db, g.dbias], [Float64Array.of(3, 4), Float64Array.of(1, 2), Float64Array.of(1)]);
 * ```
 */
export function matmulBackward<T extends FloatArray>(
  a: T,
  b: T,
  dc: T,
  o: MatmulShape & { alpha?: number },
): { da: T; db: T; dbias: T } {
  const { m, n, k } = o;
  const batch = o.batch ?? 1;
  const { a: la, b: lb, c: lc, heads } = matmulLayout(o);
  const alpha = o.alpha ?? 1;
  const da = zerosLike(a, a.length);
  const db = zerosLike(b, b.length);
  const dbias = zerosLike(a, n);
  for (let bt = 0; bt < batch; bt++) {
    const [ao, bo, co] = [la, lb, lc].map((l) => entryOffset(l, heads, bt));
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const g = dc[co + i * lc.ld + j];
        dbias[j] += g;
        for (let p = 0; p < k; p++) {
          const ai = o.transA ? ao + p * la.ld + i : ao + i * la.ld + p;
          const bi = o.transB ? bo + j * lb.ld + p : bo + p * lb.ld + j;
          da[ai] += alpha * g * b[bi];
          db[bi] += alpha * g * a[ai];
        }
      }
    }
  }
  return { da, db, dbias };
}
