/**
 * Matrix multiplication on the CPU, forward and backward: the plain reference for
 * `lib/gpu/kernels/matmul.ts`.
 *
 * Forward: `C = act(alpha * op(A) @ op(B) + bias) (+ C when accumulating)`, where `op(A)` is
 * `A` (`[m, k]` row-major) or `A^T` (A stored `[k, m]`), `op(B)` is `B` (`[k, n]`) or `B^T`
 * (B stored `[n, k]`), `bias` has `n` entries added to every row, and `act` is one of the
 * activations below. Batched: `batch` products, the i-th reading A, B and C at element
 * offsets `i * strides.a`, `i * strides.b`, `i * strides.c` (defaults: the matrix sizes).
 * Sums run in f64 (JavaScript numbers) and are stored in the array's own type.
 *
 * Backward (no activation): `dA = dC @ op(B)^T` (stored like A), `dB = op(A)^T @ dC`
 * (stored like B), `dBias = column sums of dC`, each multiplied by alpha where it applies.
 * These agree with PyTorch's `torch.matmul` / `torch.nn.functional.linear` gradients.
 *
 * @module
 */
import { type FloatArray, zerosLike } from "./float_array.ts";
import { gelu } from "./gelu.ts";

/**
 * The epilogue activation: `"none"`, `"gelu"` (tanh form, GPT-2's `gelu_new`), `"gelu_erf"`
 * (erf form, BERT's `gelu`) or `"relu"`.
 *
 * @example
 * ```ts
 * import type { Activation } from "./matmul.ts";
 * const act: Activation = "gelu_erf";
 * ```
 */
export type Activation = "none" | "gelu" | "gelu_erf" | "relu";

/**
 * The shape of a (batched) product; strides are in elements.
 *
 * @example
 * ```ts
 * import type { MatmulShape } from "./matmul.ts";
 * const attentionScores: MatmulShape = { m: 64, n: 64, k: 32, transB: true, batch: 24 };
 * ```
 */
export type MatmulShape = {
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
  batch?: number;
  strides?: { a?: number; b?: number; c?: number };
};

/**
 * Applies an activation to one value.
 *
 * @example
 * ```ts
 * import { activate } from "./matmul.ts";
 * console.log(activate(-2, "relu"), activate(3, "none")); // 0 3
 * ```
 */
export function activate(x: number, activation: Activation): number {
  switch (activation) {
    case "none":
      return x;
    case "relu":
      return x > 0 ? x : 0;
    case "gelu":
      return gelu(x, "tanh");
    case "gelu_erf":
      return gelu(x, "erf");
  }
}

/**
 * The resolved strides of a shape: `{ a, b, c }` in elements.
 *
 * @example
 * ```ts
 * import { matmulStrides } from "./matmul.ts";
 * console.log(matmulStrides({ m: 2, n: 3, k: 4 })); // { a: 8, b: 12, c: 6 }
 * ```
 */
export function matmulStrides(s: MatmulShape): { a: number; b: number; c: number } {
  return {
    a: s.strides?.a ?? s.m * s.k,
    b: s.strides?.b ?? s.k * s.n,
    c: s.strides?.c ?? s.m * s.n,
  };
}

/**
 * Forward reference: returns `C` (a new array, or `c` updated in place when accumulating).
 *
 * @example
 * ```ts
 * import { matmulForward } from "./matmul.ts";
 * const a = new Float64Array([1, 2, 3, 4]); // [[1, 2], [3, 4]]
 * const b = new Float64Array([5, 6, 7, 8]); // [[5, 6], [7, 8]]
 * console.log(matmulForward(a, b, { m: 2, n: 2, k: 2 })); // [19, 22, 43, 50]
 * ```
 */
export function matmulForward<T extends FloatArray>(
  a: T,
  b: T,
  o: MatmulShape & { alpha?: number; bias?: T; activation?: Activation; accumulate?: T },
): T {
  const { m, n, k } = o;
  const batch = o.batch ?? 1;
  const st = matmulStrides(o);
  const alpha = o.alpha ?? 1;
  const act = o.activation ?? "none";
  const c = o.accumulate ?? zerosLike(a, (batch - 1) * st.c + m * n);
  for (let bt = 0; bt < batch; bt++) {
    const ao = bt * st.a, bo = bt * st.b, co = bt * st.c;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = o.transA ? a[ao + p * m + i] : a[ao + i * k + p];
          const bv = o.transB ? b[bo + j * k + p] : b[bo + p * n + j];
          s += av * bv;
        }
        let v = alpha * s;
        if (o.bias) v += o.bias[j];
        v = activate(v, act);
        const idx = co + i * n + j;
        c[idx] = o.accumulate ? c[idx] + v : v;
      }
    }
  }
  return c;
}

/**
 * Backward reference of `C = alpha * op(A) @ op(B) + bias` (no activation): the gradients
 * of A, B (stored like A and B) and bias, given the gradient `dc` of C.
 *
 * @example
 * ```ts
 * import { matmulBackward } from "./matmul.ts";
 * const a = new Float64Array([1, 2]), b = new Float64Array([3, 4]); // [1x2] @ [2x1]
 * const g = matmulBackward(a, b, new Float64Array([1]), { m: 1, n: 1, k: 2 });
 * console.log(g.da, g.db, g.dbias); // [3, 4] [1, 2] [1]
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
  const st = matmulStrides(o);
  const alpha = o.alpha ?? 1;
  const da = zerosLike(a, a.length);
  const db = zerosLike(b, b.length);
  const dbias = zerosLike(a, n);
  for (let bt = 0; bt < batch; bt++) {
    const ao = bt * st.a, bo = bt * st.b, co = bt * st.c;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const g = dc[co + i * n + j];
        dbias[j] += g;
        for (let p = 0; p < k; p++) {
          const ai = o.transA ? ao + p * m + i : ao + i * k + p;
          const bi = o.transB ? bo + j * k + p : bo + p * n + j;
          da[ai] += alpha * g * b[bi];
          db[bi] += alpha * g * a[ai];
        }
      }
    }
  }
  return { da, db, dbias };
}
