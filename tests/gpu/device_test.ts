import assert from "node:assert/strict";
import { chooseBackend, getGpu } from "../../lib/gpu/device.ts";

Deno.test("getGpu: returns a device with the adapter's large limits", async () => {
  const gpu = await getGpu();
  assert.ok(gpu.device, "a GPUDevice");
  assert.equal(typeof gpu.adapterName, "string");
  assert.ok(gpu.adapterName.length > 0);
  // the backend in effect is the environment's (set to vulkan by getGpu on Linux if unset)
  assert.equal(gpu.backend, Deno.env.get("DENO_WEBGPU_BACKEND") ?? "default");
  if (Deno.build.os === "linux") assert.notEqual(gpu.backend, "default");
  // The WebGPU default is 128 MiB; the device must have been asked for at least that,
  // and for the adapter's 1024 invocations rather than the default 256.
  assert.ok(gpu.limits.maxStorageBufferBindingSize >= 128 * 1024 * 1024);
  assert.ok(gpu.limits.maxComputeInvocationsPerWorkgroup >= 256);
  assert.equal(typeof gpu.isFallback, "boolean");
});

Deno.test("getGpu: is cached (the same device every call)", async () => {
  const [a, b] = await Promise.all([getGpu(), getGpu()]);
  const c = await getGpu();
  assert.equal(a.device, b.device);
  assert.equal(a.device, c.device);
});

Deno.test("getGpu: asks for the adapter's maximum workgroup invocations", async () => {
  const gpu = await getGpu();
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: "high-performance" });
  assert.ok(adapter, "an adapter (on Linux without a GPU: mesa-vulkan-drivers)");
  assert.equal(
    gpu.limits.maxComputeInvocationsPerWorkgroup,
    adapter.limits.maxComputeInvocationsPerWorkgroup,
  );
  assert.equal(gpu.limits.maxStorageBufferBindingSize, adapter.limits.maxStorageBufferBindingSize);
});

Deno.test("chooseBackend: the environment's, else Vulkan on Linux and Deno's default elsewhere", () => {
  assert.equal(chooseBackend("linux", undefined), "vulkan");
  assert.equal(chooseBackend("linux", "gl"), "gl");
  assert.equal(chooseBackend("darwin", undefined), "default");
  assert.equal(chooseBackend("windows", undefined), "default");
  assert.equal(chooseBackend("darwin", "metal"), "metal");
});

Deno.test("getGpu: without XDG_RUNTIME_DIR Mesa prints no error (a private 0700 dir is set)", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const env: Record<string, string> = { ...Deno.env.toObject(), TMPDIR: tmp };
    delete env.XDG_RUNTIME_DIR;
    const device = new URL("../../lib/gpu/device.ts", import.meta.url).href;
    const script = `import { getGpu } from ${JSON.stringify(device)};\n` +
      `await getGpu();\n` +
      `const dir = Deno.env.get("XDG_RUNTIME_DIR") ?? "";\n` +
      `console.log(JSON.stringify({ dir, mode: dir && (Deno.statSync(dir).mode! & 0o777) }));\n`;
    const run = async () => {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--no-config", "-"],
        env,
        clearEnv: true,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode(script));
      await writer.close();
      const { code, stdout, stderr } = await child.output();
      const err = new TextDecoder().decode(stderr);
      assert.equal(code, 0, err);
      assert.doesNotMatch(err, /XDG_RUNTIME_DIR|error:/);
      return JSON.parse(new TextDecoder().decode(stdout));
    };
    const first = await run();
    assert.match(first.dir, new RegExp(`^${tmp}/nerss-runtime-`));
    assert.equal(first.mode, 0o700);
    // A folder of ours left world-readable is put back to 0700 and used again.
    await Deno.chmod(first.dir, 0o755);
    assert.deepEqual(await run(), first);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
