/**
 * Runs every benchmark in bench/ one after another (`deno task bench`), each printing
 * its own table with the reference measured in the same run. Pass names to run only
 * some: `deno task bench matmul corpus`.
 *
 * @module
 */
const dir = new URL(".", import.meta.url).pathname;
const only = Deno.args;
const files = [...Deno.readDirSync(dir)]
  .map((e) => e.name)
  .filter((n) => n.endsWith(".ts") && n !== "all.ts")
  .filter((n) => only.length === 0 || only.some((o) => n.includes(o)))
  .sort();
let failed = 0;
for (const name of files) {
  console.log(`\n=== bench/${name} ===`);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${dir}${name}`],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) {
    failed++;
    console.log(`bench/${name} exited with ${code}`);
  }
}
Deno.exit(failed ? 1 : 0);
