/**
 * Grouped dispatches: the same kernel run for several independent runs (the models of a
 * pack, `lib/gpu/step_pack.ts`) in ONE dispatch, each run with its own uniforms, grid and
 * tensors, and each run's numbers those of its own dispatch bit for bit.
 *
 * {@link groupedKernel} rewrites a kernel's WGSL mechanically, so no kernel is written
 * twice: every storage binding becomes a range of one buffer shared by the runs (read and
 * write, since WebGPU forbids one buffer bound both read-only and writable in a dispatch)
 * indexed from the run's own offset; the uniform block and the grid come from a table of
 * per-run records; the runs are stacked along the grid's z, and a workgroup outside its
 * run's grid returns at once. Everything else (the arithmetic, its order, the barriers) is
 * the kernel's own text, so a grouped run computes what its solo dispatch computes.
 * Kernels the rewrite cannot read (more than one uniform binding, as the tiled matmul's
 * uniform windows; a binding used other than by index) are not grouped: `null`.
 *
 * @module
 */
import type { Gpu } from "./device.ts";
import { type Binding, type Kernel, type Step, uniformBytes } from "./kernel.ts";

/** One run's part of a grouped dispatch: what its solo `Step.dispatch` would be given. */
export type GroupEntry = {
  bindings: Binding[];
  workgroups: [number, number?, number?];
  uniforms?: ArrayBuffer | Uint32Array | Float32Array | Int32Array;
};

/** A kernel rewritten for grouped dispatch ({@link groupedKernel}). */
export type GroupedKernel = {
  kernel: Kernel;
  /** Bytes of one element of each storage binding, in binding order. */
  elementBytes: number[];
  /** Whether the kernel writes each storage binding. */
  writable: boolean[];
  /** Bytes of the uniform block's struct (0 without one) and of one run's record. */
  uniformBytes: number;
  recordBytes: number;
  /** Where the uniform block starts in a record. */
  uniformOffset: number;
};

const ELEMENT_BYTES: Record<string, number> = {
  f32: 4,
  u32: 4,
  i32: 4,
  "vec2<f32>": 8,
  "vec2<u32>": 8,
  "vec4<f32>": 16,
  "vec4<u32>": 16,
  "vec4<i32>": 16,
};

/** [size, align] of a struct member type in WGSL's layout rules (null: not handled). */
function memberLayout(type: string): [number, number] | null {
  const t = type.replace(/\s+/g, "");
  if (t === "f32" || t === "u32" || t === "i32") return [4, 4];
  const vec = /^vec([234])<(f32|u32|i32)>$/.exec(t) ?? /^vec([234])([fiu])$/.exec(t);
  if (vec) return vec[1] === "2" ? [8, 8] : vec[1] === "3" ? [12, 16] : [16, 16];
  return null;
}

/** Size and alignment of the WGSL struct `name` declared in `code` (null: not handled). */
function structLayout(code: string, name: string): { size: number; align: number } | null {
  const m = new RegExp(`struct\\s+${name}\\s*\\{([^}]*)\\}`).exec(code);
  if (!m) return null;
  let offset = 0, align = 4;
  for (const field of m[1].split(",").map((f) => f.trim()).filter((f) => f !== "")) {
    const type = /^\w+\s*:\s*(.+)$/.exec(field)?.[1];
    const layout = type ? memberLayout(type) : null;
    if (!layout) return null;
    offset = Math.ceil(offset / layout[1]) * layout[1] + layout[0];
    align = Math.max(align, layout[1]);
  }
  return { size: Math.ceil(offset / align) * align, align };
}

/** The index of the bracket closing the one at `open`. */
function closing(code: string, open: number, pair = "[]"): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === pair[0]) depth++;
    else if (code[i] === pair[1] && --depth === 0) return i;
  }
  return -1;
}

const BUILTINS: Record<string, string> = {
  workgroup_id: "group_wid",
  num_workgroups: "group_rec.grid.xyz",
  local_invocation_id: "group_lid",
  local_invocation_index: "group_lidx",
};

const memo = new WeakMap<Kernel, GroupedKernel | null>();

/**
 * `kernel` rewritten to run several runs in one dispatch (see the module), or null when its
 * WGSL is outside what the rewrite reads. Memoised per kernel object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { groupedKernel } from "./grouped.ts";
 * const g = groupedKernel({ name: "scale", code: `struct U { n: u32, c: f32 }
 * @group(0) @binding(0) var<storage, read> x: array<f32>;
 * @group(0) @binding(1) var<storage, read_write> y: array<vec4<f32>>;
 * @group(0) @binding(2) var<uniform> u: U;
 * @compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
 *   if (gid.x < u.n) { y[gid.x] = vec4(x[gid.x] * u.c); }
 * }` })!;
 * assert.deepEqual(g.elementBytes, [4, 16]);
 * assert.deepEqual([g.uniformOffset, g.uniformBytes, g.recordBytes], [32, 8, 48]);
 * assert.match(g.kernel.code, /y\[group_off_y \+ \(gid\.x\)\] = vec4\(x\[group_off_x \+ \(gid\.x\)\]/);
 * // two uniform bindings (the tiled matmul's windows): not grouped
 * assert.equal(groupedKernel({ name: "w", code: `@group(0) @binding(0) var<uniform> a: A;
 * @group(0) @binding(1) var<uniform> b: B;` }), null);
 * ```
 */
export function groupedKernel(kernel: Kernel): GroupedKernel | null {
  if (memo.has(kernel)) return memo.get(kernel)!;
  const grouped = rewrite(kernel);
  memo.set(kernel, grouped);
  return grouped;
}

function rewrite(kernel: Kernel): GroupedKernel | null {
  const entry = kernel.entryPoint ?? "main";
  let code = kernel.code.replace(/\/\/[^\n]*/g, "").replace(/\/\*[\s\S]*?\*\//g, "");
  const decl =
    /@group\s*\(\s*0\s*\)\s*@binding\s*\(\s*(\d+)\s*\)\s*var\s*<\s*(storage|uniform)\s*(?:,\s*(read_write|read)\s*)?>\s*(\w+)\s*:\s*([^;]+);/g;
  const found = [...code.matchAll(decl)].sort((a, b) => Number(a[1]) - Number(b[1]));
  const storage = found.filter((m) => m[2] === "storage");
  const uniforms = found.filter((m) => m[2] === "uniform");
  if (uniforms.length > 1) return null;
  if (uniforms.length === 1 && Number(uniforms[0][1]) !== found.length - 1) return null;
  const elementBytes: number[] = [];
  for (const m of storage) {
    const element = /^array\s*<\s*(.+)\s*>$/.exec(m[5].trim())?.[1].replace(/\s+/g, "");
    const bytes = element === undefined ? undefined : ELEMENT_BYTES[element];
    if (bytes === undefined) return null;
    elementBytes.push(bytes);
  }
  const writable = storage.map((m) => m[3] === "read_write");
  const uniformType = uniforms[0]?.[5].trim();
  const u = uniformType ? structLayout(code, uniformType) : { size: 0, align: 4 };
  if (!u) return null;
  const uniformName = uniforms[0]?.[4];
  code = code.replace(decl, "");
  // every indexed use of a storage binding: name[...] -> name[group_off_name + (...)]; other
  // uses are locals of the same name (WGSL cannot use a runtime array unindexed), except
  // `&name`, and a function that declares the name must not index it
  for (const m of storage) {
    const name = m[4];
    if (new RegExp(`&\\s*${name}\\b`).test(code)) return null;
    for (const fn of code.split(/\bfn\s+/).slice(1)) {
      const declares = new RegExp(`(\\b(let|var|const)\\s+${name}\\b)|([(,]\\s*${name}\\s*:)`);
      if (declares.test(fn) && new RegExp(`(?<![.\\w])${name}\\s*\\[`).test(fn)) return null;
    }
    const use = new RegExp(`(?<![.\\w])${name}\\s*\\[`, "g");
    let out = "", last = 0;
    for (const hit of code.matchAll(use)) {
      if (hit.index! < last) continue;
      const open = hit.index! + hit[0].length - 1;
      const close = closing(code, open);
      if (close < 0) return null;
      out += code.slice(last, open) + `[group_off_${name} + (` + code.slice(open + 1, close) + ")]";
      last = close + 1;
    }
    code = out + code.slice(last);
  }
  // the entry point: its builtins become lets computed from the run's part of the grid
  const head = new RegExp(
    `@compute\\s*@workgroup_size\\s*\\(([^)]*)\\)\\s*fn\\s+${entry}\\s*\\(`,
  ).exec(code);
  if (!head) return null;
  const size = head[1].split(",").map((s) => Number(s.trim()));
  if (size.some((s) => !Number.isInteger(s) || s < 1)) return null;
  const [wx, wy = 1, wz = 1] = size;
  const paramsOpen = head.index! + head[0].length - 1;
  const paramsClose = closing(code, paramsOpen, "()");
  const bodyOpen = code.indexOf("{", paramsClose);
  const bodyClose = closing(code, bodyOpen, "{}");
  if (paramsClose < 0 || bodyOpen < 0 || bodyClose < 0) return null;
  const lets: string[] = [];
  for (const p of code.slice(paramsOpen + 1, paramsClose).split(",").filter((s) => s.trim())) {
    const m = /@builtin\s*\(\s*(\w+)\s*\)\s*(\w+)\s*:/.exec(p);
    if (!m) return null;
    const value = m[1] === "global_invocation_id"
      ? `group_wid * vec3<u32>(${wx}u, ${wy}u, ${wz}u) + group_lid`
      : BUILTINS[m[1]];
    if (!value) return null;
    lets.push(`  let ${m[2]} = ${value};`);
  }
  const offsetWords = Math.ceil(storage.length / 4) * 4;
  const uniformOffset = 16 + offsetWords * 4;
  const recordAlign = Math.max(16, u.align);
  const recordBytes = Math.ceil((uniformOffset + u.size) / recordAlign) * recordAlign;
  const decls = [
    ...storage.map((m, i) =>
      `@group(0) @binding(${i}) var<storage, read_write> ${m[4]}: ${m[5].trim()};\n` +
      `var<private> group_off_${m[4]}: u32;`
    ),
    `struct GroupRun { grid: vec4<u32>${
      offsetWords ? `, off: array<vec4<u32>, ${offsetWords / 4}>` : ""
    }${uniformType ? `, u: ${uniformType}` : ""} }`,
    `@group(0) @binding(${storage.length}) var<storage, read> group_runs: array<GroupRun>;`,
    ...uniformType ? [`var<private> ${uniformName}: ${uniformType};`] : [],
  ];
  const setup = [
    `@compute @workgroup_size(${wx}, ${wy}, ${wz})`,
    `fn ${entry}(@builtin(workgroup_id) group_wg: vec3<u32>,`,
    `  @builtin(local_invocation_id) group_lid: vec3<u32>,`,
    `  @builtin(local_invocation_index) group_lidx: u32) {`,
    `  let group_depth = group_runs[0].grid.w;`,
    `  let group_rec = group_runs[group_wg.z / group_depth];`,
    `  let group_wid = vec3<u32>(group_wg.xy, group_wg.z % group_depth);`,
    `  if (any(group_wid >= group_rec.grid.xyz)) { return; }`,
    ...storage.map((m, i) => `  group_off_${m[4]} = group_rec.off[${i >> 2}][${i & 3}];`),
    ...uniformType ? [`  ${uniformName} = group_rec.u;`] : [],
    ...lets,
    `  {`,
  ].join("\n");
  code = decls.join("\n") + "\n" + code.slice(0, head.index!) + setup +
    code.slice(bodyOpen + 1, bodyClose) + "\n  }\n}" + code.slice(bodyClose + 1);
  return {
    kernel: { name: `${kernel.name}-grouped`, code, entryPoint: entry },
    elementBytes,
    writable,
    uniformBytes: u.size,
    recordBytes,
    uniformOffset,
  };
}

/** Where a grouped dispatch's table of run records goes (see {@link groupTables}). */
export type GroupTables = {
  /** Places `bytes` and returns the binding that reads them. */
  put(bytes: Uint8Array): Binding;
  /** Writes what was placed to the GPU (before the step is submitted). */
  flush(): void;
  /** After the submit: the buffers may be reused by the next step. */
  recycle(): void;
};

const TABLE_CHUNK = 64 * 1024;

/**
 * A pool of storage buffers for the run tables of one step's grouped dispatches: placed as
 * the dispatches are recorded, written at once before the submit, reused after it (queue
 * order makes that safe, as for uniforms in `kernel.ts`); `free` is the pool, which several
 * steps' tables may share.
 */
export function groupTables(gpu: Gpu, free: GPUBuffer[] = []): GroupTables {
  let used: { buffer: GPUBuffer; host: Uint8Array<ArrayBuffer>; at: number }[] = [];
  const align = gpu.limits.minStorageBufferOffsetAlignment;
  return {
    put(bytes) {
      const size = Math.ceil(bytes.byteLength / 16) * 16;
      const chunk = Math.max(TABLE_CHUNK, size);
      let cur = used[used.length - 1];
      if (!cur || cur.at + size > cur.host.byteLength) {
        const reuse = free.findIndex((b) => b.size >= chunk);
        const buffer = reuse >= 0 ? free.splice(reuse, 1)[0] : gpu.device.createBuffer({
          size: chunk,
          usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
        });
        cur = { buffer, host: new Uint8Array(buffer.size), at: 0 };
        used.push(cur);
      }
      const offset = cur.at;
      cur.host.set(bytes, offset);
      cur.at = Math.ceil((offset + size) / align) * align;
      return { buffer: cur.buffer, offset, size };
    },
    flush() {
      for (const u of used) gpu.device.queue.writeBuffer(u.buffer, 0, u.host, 0, u.at);
    },
    recycle() {
      free.push(...used.map((u) => u.buffer));
      used = [];
    },
  };
}

/** Each binding's buffer and byte range. */
function range(b: Binding): { buffer: GPUBuffer; offset: number; size: number } {
  if ("shape" in b) return { buffer: b.buffer, offset: b.offset, size: Math.max(4, b.size * 4) };
  const offset = b.offset ?? 0;
  return { buffer: b.buffer, offset, size: b.size ?? b.buffer.size - offset };
}

/** Whether one run writes bytes another run binds (spans sorted by start, swept once). */
function crossWrites(
  spans: { start: number; end: number; run: number; writes: boolean; buffer: GPUBuffer }[],
): boolean {
  const byBuffer = new Map<GPUBuffer, typeof spans>();
  for (const s of spans) {
    const list = byBuffer.get(s.buffer);
    if (list) list.push(s);
    else byBuffer.set(s.buffer, [s]);
  }
  for (const list of byBuffer.values()) {
    list.sort((a, b) => a.start - b.start);
    const open: typeof spans = [];
    for (const s of list) {
      for (let i = open.length - 1; i >= 0; i--) if (open[i].end <= s.start) open.splice(i, 1);
      if (open.some((o) => o.run !== s.run && (o.writes || s.writes))) return true;
      open.push(s);
    }
  }
  return false;
}

/**
 * Records `entries` (the runs' parts, each what its solo dispatch of `kernel` would be given)
 * as one grouped dispatch on `step` and returns true; returns false, recording nothing, when
 * they cannot be grouped: the kernel is not rewritable, a binding's runs use different
 * buffers or offsets that are not whole elements, a binding's span is over the device's
 * limit, the stacked grid is too deep, or one run writes bytes another run binds (as the
 * tiled matmul's packing into its one scratch buffer).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "./device.ts";
 * import { step } from "./kernel.ts";
 * import { tensor, view } from "./tensor.ts";
 * import { dispatchGrouped, groupTables } from "./grouped.ts";
 * const gpu = await getGpu();
 * const kernel = { name: "add-c", code: `struct U { n: u32, c: f32 }
 * @group(0) @binding(0) var<storage, read_write> x: array<f32>;
 * @group(0) @binding(1) var<uniform> u: U;
 * @compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
 *   if (gid.x < u.n) { x[gid.x] += u.c; }
 * }` };
 * const x = tensor(gpu, [128]); // two runs: elements 0-2 and 64-65
 * const run = (offset: number, n: number, c: number) => ({ bindings: [view(x, [n], offset)],
 *   workgroups: [1] as [number], uniforms: new Float32Array([new Float32Array(new Uint32Array([n]).buffer)[0], c]) });
 * const tables = groupTables(gpu), s = step(gpu);
 * assert.ok(dispatchGrouped(s, kernel, [run(0, 3, 1), run(64, 2, 5)], tables));
 * const out = s.read(x);
 * tables.flush();
 * await s.submit();
 * const r = await out;
 * assert.deepEqual([...r.slice(0, 4), ...r.slice(64, 67)], [1, 1, 1, 0, 5, 5, 0]);
 * ```
 */
export function dispatchGrouped(
  step: Step,
  kernel: Kernel,
  entries: readonly GroupEntry[],
  tables: GroupTables,
): boolean {
  const g = groupedKernel(kernel);
  if (!g || entries.length === 0) return false;
  const gpu = step.gpu;
  const align = gpu.limits.minStorageBufferOffsetAlignment;
  const bindings: Binding[] = [];
  const offsets = entries.map(() => new Uint32Array(g.elementBytes.length));
  const spans: { start: number; end: number; run: number; writes: boolean; buffer: GPUBuffer }[] =
    [];
  for (let b = 0; b < g.elementBytes.length; b++) {
    const ranges = entries.map((e) => range(e.bindings[b]));
    ranges.forEach((r, run) =>
      spans.push({
        start: r.offset,
        end: r.offset + r.size,
        run,
        writes: g.writable[b],
        buffer: r.buffer,
      })
    );
    const buffer = ranges[0].buffer;
    const start = Math.floor(Math.min(...ranges.map((r) => r.offset)) / align) * align;
    const end = Math.max(...ranges.map((r) => r.offset + r.size));
    if (
      ranges.some((r) => r.buffer !== buffer) ||
      end - start > gpu.limits.maxStorageBufferBindingSize
    ) return false;
    for (let r = 0; r < ranges.length; r++) {
      const at = (ranges[r].offset - start) / g.elementBytes[b];
      if (!Number.isInteger(at)) return false;
      offsets[r][b] = at;
    }
    bindings.push({ buffer, offset: start, size: Math.ceil((end - start) / 4) * 4 });
  }
  if (crossWrites(spans)) return false;
  const grids = entries.map((e) => [e.workgroups[0], e.workgroups[1] ?? 1, e.workgroups[2] ?? 1]);
  const depth = Math.max(...grids.map((w) => w[2]));
  const gx = Math.max(...grids.map((w) => w[0])), gy = Math.max(...grids.map((w) => w[1]));
  const maxDim = gpu.limits.maxComputeWorkgroupsPerDimension;
  if (depth * entries.length > maxDim) return false;
  const table = new Uint8Array(g.recordBytes * entries.length);
  const words = new Uint32Array(table.buffer);
  entries.forEach((e, r) => {
    const base = (r * g.recordBytes) / 4;
    words.set([...grids[r], depth], base);
    words.set(offsets[r], base + 4);
    if (e.uniforms !== undefined) {
      const u = uniformBytes(e.uniforms).subarray(0, g.uniformBytes);
      table.set(u, r * g.recordBytes + g.uniformOffset);
    }
  });
  if (gx === 0 || gy === 0 || depth === 0) return true;
  bindings.push(tables.put(table));
  step.dispatch(g.kernel, bindings, [gx, gy, depth * entries.length]);
  return true;
}
