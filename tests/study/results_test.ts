import assert from "node:assert/strict";
import { appendResult, writeTextAtomic } from "../../lib/study/results.ts";
import { fakeResult } from "./fixtures/fake_result.ts";

const writer = new URL("./fixtures/write_atomic.ts", import.meta.url).pathname;
const linux = Deno.build.os === "linux";

function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

Deno.test("writeTextAtomic: an unchanged file is not rewritten; a changed one is replaced", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/study.json`;
  assert.equal(await writeTextAtomic(path, "{}\n"), true);
  const first = await Deno.stat(path);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(await writeTextAtomic(path, "{}\n"), false);
  const same = await Deno.stat(path);
  assert.equal(same.ino, first.ino, "the same file, not a renamed copy");
  assert.equal(same.mtime?.getTime(), first.mtime?.getTime());
  assert.equal(await writeTextAtomic(path, '{"a":1}\n'), true);
  assert.notEqual((await Deno.stat(path)).ino, first.ino);
  assert.equal(await Deno.readTextFile(path), '{"a":1}\n');
  assert.deepEqual(names(dir), ["study.json"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("writeTextAtomic: writers with the same pid (as in two PID namespaces) never share a temp file", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/plan.jsonl`;
  const texts = Array.from({ length: 16 }, (_, i) => `${i}:`.padEnd(100_000 + i, "x"));
  await Promise.all(texts.map((t) => writeTextAtomic(path, t)));
  assert.ok(texts.includes(await Deno.readTextFile(path)), "one writer's whole text");
  assert.deepEqual(names(dir), ["plan.jsonl"], "no temp file left");
  await Deno.remove(dir, { recursive: true });
});

Deno.test({
  name:
    "writeTextAtomic: a failed write (file size limit) keeps the old file, removes the temp file, names both",
  ignore: !linux,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const path = `${dir}/study.json`;
    await Deno.writeTextFile(path, "previous\n");
    // `ulimit -f 8` (8 KiB) makes a bigger write fail as a full disk would, without root
    const limited = async (target: string) => {
      const script = `trap '' XFSZ; ulimit -f 8; exec "$0" run -A "$1" "$2" 100000`;
      const out = await new Deno.Command("bash", {
        args: ["-c", script, Deno.execPath(), writer, target],
      }).output();
      return new TextDecoder().decode(out.stdout).trim();
    };
    const message = await limited(path);
    assert.equal(message, `${path}: File too large; the previous study.json is unchanged`);
    assert.equal(await Deno.readTextFile(path), "previous\n");
    assert.deepEqual(names(dir), ["study.json"]);
    const fresh = `${dir}/plan.jsonl`;
    const second = await limited(fresh);
    assert.equal(second, `${fresh}: File too large; plan.jsonl was not written`);
    assert.deepEqual(names(dir), ["study.json"]);
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test("writeTextAtomic: a temp file that cannot be created names the file", async () => {
  const dir = await Deno.makeTempDir();
  await assert.rejects(
    writeTextAtomic(`${dir}/missing/report.html`, "<html></html>"),
    new RegExp(
      `^Error: ${dir}/missing/report.html: No such file or directory; report.html was not written$`,
    ),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("appendResult: a failed append names the file and what was kept", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(`${dir}/results.jsonl`);
  await assert.rejects(
    appendResult(`${dir}/results.jsonl`, fakeResult("s7", 7)),
    new RegExp(
      `^Error: ${dir}/results.jsonl: Is a directory; the results before run "s7" are kept`,
    ),
  );
  await Deno.remove(dir, { recursive: true });
});
