/**
 * The WebGPU device the toolkit computes on: one adapter and device per process, requested
 * with the adapter's largest storage-buffer and workgroup limits.
 *
 * Deno picks the backend from `DENO_WEBGPU_BACKEND` when the first adapter is requested.
 * Unset, it is set here to `vulkan` on Linux (a GPU's Vulkan driver, or on a machine without
 * one Mesa lavapipe; Deno would otherwise fall back to OpenGL llvmpipe without a word) and
 * left to Deno's choice elsewhere (Metal on macOS, Direct3D 12 or Vulkan on Windows).
 * Mesa prints `error: XDG_RUNTIME_DIR is invalid or not set` when the adapter is requested
 * without that variable (containers, CI, cron), so an unset one is pointed at a private
 * directory first.
 *
 * @module
 */

/**
 * A ready WebGPU device with what is known about it.
 */
export type Gpu = {
  /** The device every buffer and pipeline is created on. */
  device: GPUDevice;
  /** The adapter's description, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)". */
  adapterName: string;
  /** The backend asked for with `DENO_WEBGPU_BACKEND` ({@link chooseBackend}). */
  backend: string;
  /** The limits the device was created with. */
  limits: GPUSupportedLimits;
  /** Whether the adapter is a software fallback (lavapipe, llvmpipe). */
  isFallback: boolean;
};

let cached: Promise<Gpu> | undefined;

const INSTALL_HINT = "On Linux without a GPU install Mesa's software Vulkan driver " +
  "(apt-get install mesa-vulkan-drivers). With an NVIDIA GPU the Vulkan loader (libvulkan1) " +
  "and the driver's GLX libraries (libglvnd0, libglx0, libegl1) must be installed, else its " +
  "Vulkan driver does not load (set VK_LOADER_DEBUG=driver to see why)";

/**
 * The WebGPU backend to ask Deno for: `DENO_WEBGPU_BACKEND` when set, else `vulkan` on
 * Linux and Deno's default (`"default"`) elsewhere.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chooseBackend } from "./device.ts";
 * assert.equal(chooseBackend("linux", undefined), "vulkan");
 * assert.equal(chooseBackend("darwin", undefined), "default"); // Metal
 * assert.equal(chooseBackend("linux", "gl"), "gl");
 * ```
 */
export function chooseBackend(os: string, env: string | undefined): string {
  return env ?? (os === "linux" ? "vulkan" : "default");
}

/** The backend in effect, set in the environment first where {@link chooseBackend} says so. */
function envBackend(): string {
  try {
    const env = Deno.env.get("DENO_WEBGPU_BACKEND");
    const backend = chooseBackend(Deno.build.os, env);
    if (env === undefined && backend !== "default") Deno.env.set("DENO_WEBGPU_BACKEND", backend);
    return backend;
  } catch {
    return "default"; // no permission to read or set the environment: Deno's choice
  }
}

/**
 * Points an unset `XDG_RUNTIME_DIR` at a private (0700) directory, before the first adapter
 * request; gives the directory it set, or `undefined` when the variable was set already or
 * the environment cannot be changed.
 */
function ensureRuntimeDir(): string | undefined {
  try {
    if (Deno.build.os !== "linux" || Deno.env.get("XDG_RUNTIME_DIR")) return undefined;
    const dir = privateDir();
    Deno.env.set("XDG_RUNTIME_DIR", dir);
    return dir;
  } catch {
    return undefined; // no permission for the environment or /tmp: Mesa's warning stays
  }
}

/**
 * `$TMPDIR/nerss-runtime-UID`, made (or put back to) 0700; when that name is taken by
 * something not ours, a fresh temporary folder removed when the process ends.
 */
function privateDir(): string {
  const uid = Deno.uid();
  const dir = `${(Deno.env.get("TMPDIR") || "/tmp").replace(/\/+$/, "")}/nerss-runtime-${uid}`;
  try {
    Deno.mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
  }
  const st = Deno.lstatSync(dir);
  if (st.isDirectory && uid !== null && st.uid === uid) {
    if (st.mode !== null && (st.mode & 0o777) !== 0o700) Deno.chmodSync(dir, 0o700);
    return dir;
  }
  const tmp = Deno.makeTempDirSync({ prefix: "nerss-runtime-" });
  globalThis.addEventListener("unload", () => {
    try {
      Deno.removeSync(tmp, { recursive: true });
    } catch {
      // already gone
    }
  });
  return tmp;
}

async function requestGpu(): Promise<Gpu> {
  const backend = envBackend();
  ensureRuntimeDir();
  if (typeof navigator === "undefined" || !("gpu" in navigator) || !navigator.gpu) {
    throw new Error(
      `getGpu: WebGPU is not available (navigator.gpu is missing). ${INSTALL_HINT}`,
    );
  }
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) {
    throw new Error(
      `getGpu: no WebGPU adapter found (DENO_WEBGPU_BACKEND=${backend}). ${INSTALL_HINT}`,
    );
  }
  const al = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: al.maxStorageBufferBindingSize,
      maxBufferSize: al.maxBufferSize,
      maxComputeInvocationsPerWorkgroup: al.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: al.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupSizeY: al.maxComputeWorkgroupSizeY,
      maxComputeWorkgroupSizeZ: al.maxComputeWorkgroupSizeZ,
      maxComputeWorkgroupsPerDimension: al.maxComputeWorkgroupsPerDimension,
      maxStorageBuffersPerShaderStage: al.maxStorageBuffersPerShaderStage,
      maxComputeWorkgroupStorageSize: al.maxComputeWorkgroupStorageSize,
    },
  });
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const legacy = adapter as GPUAdapter & { isFallbackAdapter?: boolean };
  const adapterName = info.description || info.device || info.vendor || "unknown adapter";
  device.addEventListener("uncapturederror", (event) => {
    const error = (event as GPUUncapturedErrorEvent).error;
    console.error(`WebGPU: uncaptured error: ${error.message}`);
  });
  device.lost.then((lost) => {
    if (lost.reason !== "destroyed") {
      console.error(`WebGPU: device lost: ${lost.message}`);
    }
    cached = undefined;
  });
  return {
    device,
    adapterName,
    backend,
    limits: device.limits,
    isFallback: Boolean(info.isFallbackAdapter ?? legacy.isFallbackAdapter ?? false),
  };
}

/**
 * The process-wide GPU, created on first call and cached afterwards. Throws a clear error,
 * saying what to install, when `navigator.gpu` or an adapter is missing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "./device.ts";
 * const gpu = await getGpu();
 * assert.equal(await getGpu(), gpu); // cached
 * assert.ok(gpu.limits.maxStorageBufferBindingSize >= 128 * 2 ** 20);
 * ```
 */
export async function getGpu(): Promise<Gpu> {
  if (!cached) {
    const p = requestGpu();
    cached = p;
    p.catch(() => {
      if (cached === p) cached = undefined;
    });
  }
  return await cached;
}
