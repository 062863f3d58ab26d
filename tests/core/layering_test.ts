/**
 * The layering of lib/ (DESIGN.md, "Layout"): lib/core is the ground floor and imports
 * nothing from lib but lib/deps; lib/corpus builds on core alone; stats and models take the
 * seeded generator from core, not from sampling; nothing in lib imports lib/study; and the
 * import graph has no cycle, between files or between folders. The import lines are read
 * from the source of every file under lib/ (comments and template-literal text left out).
 */
import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Source with comments and the text of template literals blanked (newlines kept). */
function codeOnly(source: string): string {
  const blank = (s: string) => s.replace(/[^\n]/g, " ");
  const open: number[] = []; // per template expression `${...}` being read: braces open in it
  let out = "";
  let last = ""; // the last code character that is not white space
  let i = 0;
  while (i < source.length) {
    const c = source[i], d = source[i + 1];
    let j = i + 1;
    if (c === "/" && d === "/") {
      j = source.indexOf("\n", i);
      if (j < 0) j = source.length;
      out += blank(source.slice(i, j));
    } else if (c === "/" && d === "*") {
      j = source.indexOf("*/", i + 2);
      j = j < 0 ? source.length : j + 2;
      out += blank(source.slice(i, j));
    } else if (c === '"' || c === "'") {
      while (j < source.length && source[j] !== c && source[j] !== "\n") {
        j += source[j] === "\\" ? 2 : 1;
      }
      j++;
      out += source.slice(i, j);
      last = c;
    } else if (c === "`" || (c === "}" && open.length > 0 && open[open.length - 1] === 0)) {
      if (c === "}") open.pop();
      while (
        j < source.length && source[j] !== "`" && !(source[j] === "$" && source[j + 1] === "{")
      ) {
        j += source[j] === "\\" ? 2 : 1;
      }
      if (source[j] === "$") {
        open.push(0);
        j += 2;
      } else j++;
      out += blank(source.slice(i, j));
      last = "`";
    } else if (c === "/" && (last === "" || "(,=:[!&|?{};".includes(last))) {
      let inClass = false; // a regular expression literal: up to its closing slash
      while (j < source.length && source[j] !== "\n" && (inClass || source[j] !== "/")) {
        if (source[j] === "[") inClass = true;
        else if (source[j] === "]") inClass = false;
        j += source[j] === "\\" ? 2 : 1;
      }
      j++;
      out += blank(source.slice(i, j));
      last = "/";
    } else {
      if (open.length > 0 && c === "{") open[open.length - 1]++;
      if (open.length > 0 && c === "}") open[open.length - 1]--;
      out += c;
      if (!/\s/.test(c)) last = c;
    }
    i = j;
  }
  return out;
}

/** One import or re-export: the module specifier, and whether only types are imported. */
type Import = { specifier: string; typeOnly: boolean };

/** The imports and re-exports of a TypeScript source, in source order. */
function importsOf(source: string): Import[] {
  const code = codeOnly(source);
  const found: [number, Import][] = [];
  const patterns = [
    /^[ \t]*(?:import|export)\b[^;"'`]*?\bfrom\s*(["'])([^"'\n]+)\1/gm, // import / export ... from
    /^[ \t]*import\s*(["'])([^"'\n]+)\1/gm, // import "x" (for its effects)
    /\bimport\s*\(\s*(["'])([^"'\n]+)\1\s*\)/g, // import("x")
  ];
  for (const pattern of patterns) {
    for (const m of code.matchAll(pattern)) {
      const typeOnly = /^\s*(?:import|export)\s+type\b/.test(m[0]);
      found.push([m.index, { specifier: m[2], typeOnly }]);
    }
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, i]) => i);
}

/** A cycle of the graph as a path that starts and ends at the same node, or undefined. */
function findCycle(graph: ReadonlyMap<string, Iterable<string>>): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const onPath = new Set<string>();
  const visit = (node: string): string[] | undefined => {
    if (onPath.has(node)) return [...path.slice(path.indexOf(node)), node];
    if (done.has(node)) return undefined;
    path.push(node);
    onPath.add(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    onPath.delete(node);
    done.add(node);
    return undefined;
  };
  for (const node of [...graph.keys()].sort()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

/** An import of a lib file by a lib file (repository-relative, `/`-separated paths). */
type Edge = { target: string; typeOnly: boolean };

/** Every .ts file under lib/ with the lib files it imports. */
async function libGraph(): Promise<Map<string, Edge[]>> {
  const files: string[] = [];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(join(ROOT, dir))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile && path.endsWith(".ts")) files.push(path);
    }
  };
  await walk("lib");
  files.sort();
  const graph = new Map<string, Edge[]>();
  for (const file of files) {
    const edges: Edge[] = [];
    for (const { specifier, typeOnly } of importsOf(await Deno.readTextFile(join(ROOT, file)))) {
      if (!specifier.startsWith(".")) continue;
      const target = relative(ROOT, join(ROOT, dirname(file), specifier)).replaceAll("\\", "/");
      if (target.startsWith("lib/")) edges.push({ target, typeOnly });
    }
    graph.set(file, edges);
  }
  return graph;
}

/** The folder of lib a file is in (`lib/gpu/kernels/add.ts` is in `gpu`). */
const folderOf = (file: string) => file.split("/")[1];

const graph = await libGraph();

/** Each import from a file of `from` into a folder that `allowed` refuses, as `file -> target`. */
function importsInto(from: (folder: string) => boolean, allowed: (folder: string) => boolean) {
  const bad: string[] = [];
  for (const [file, edges] of graph) {
    if (!from(folderOf(file))) continue;
    for (const { target } of edges) {
      if (!allowed(folderOf(target))) bad.push(`${file} -> ${target}`);
    }
  }
  return bad;
}

Deno.test("importsOf: imports, type imports, re-exports, multi-line and dynamic; not comments or template text", () => {
  const source = [
    'import assert from "node:assert/strict";',
    "import {",
    "  a,",
    "  type B,",
    '} from "./a.ts";',
    'import type { C } from "../core/types.ts";',
    'export { d } from "./d.ts";',
    'export type { E } from "../deps/e.ts";',
    'import "./effects.ts";',
    "/**",
    " * @example",
    " * ```ts",
    ' * import { f } from "../study/f.ts";',
    " * ```",
    " */",
    '// import { g } from "../study/g.ts";',
    "const script = `",
    'import { h } from "../study/h.ts";',
    "${'`'}`;",
    'const re = /["`]/g, s = "// not a comment", t = "/* nor this */";',
    'const lazy = await import("./lazy.ts");',
    'export const from = "x";',
  ].join("\n");
  const imp = (specifier: string, typeOnly = false) => ({ specifier, typeOnly });
  assert.deepEqual(importsOf(source), [
    imp("node:assert/strict"),
    imp("./a.ts"),
    imp("../core/types.ts", true),
    imp("./d.ts"),
    imp("../deps/e.ts", true),
    imp("./effects.ts"),
    imp("./lazy.ts"),
  ]);
});

Deno.test("findCycle: the path round a cycle, none in a graph without one", () => {
  const dag = new Map([["a", ["b", "c"]], ["b", ["c"]], ["c", []]]);
  assert.equal(findCycle(dag), undefined);
  const cyclic = new Map([["a", ["b"]], ["b", ["c", "d"]], ["c", []], ["d", ["b"]]]);
  assert.deepEqual(findCycle(cyclic), ["b", "d", "b"]);
  assert.deepEqual(findCycle(new Map([["x", ["x"]]])), ["x", "x"]);
});

Deno.test("lib: every relative import names a file under lib", () => {
  assert.ok(graph.size > 100, `${graph.size} files read`);
  const missing: string[] = [];
  for (const [file, edges] of graph) {
    for (const { target } of edges) if (!graph.has(target)) missing.push(`${file} -> ${target}`);
  }
  assert.deepEqual(missing, []);
});

Deno.test("lib/core imports nothing from lib but lib/deps", () => {
  assert.ok([...graph.keys()].some((f) => folderOf(f) === "core"), "no lib/core");
  assert.deepEqual(importsInto((f) => f === "core", (f) => f === "core" || f === "deps"), []);
});

Deno.test("lib/corpus builds on lib/core alone (no tags, encode or any folder above)", () => {
  const below = new Set(["corpus", "core", "deps"]);
  assert.deepEqual(importsInto((f) => f === "corpus", (f) => below.has(f)), []);
});

Deno.test("lib/stats and lib/models take the seeded generator from lib/core, not lib/sampling", () => {
  const from = (f: string) => f === "stats" || f === "models";
  assert.deepEqual(importsInto(from, (f) => f !== "sampling"), []);
});

Deno.test("nothing in lib imports lib/study", () => {
  assert.deepEqual(importsInto((f) => f !== "study", (f) => f !== "study"), []);
});

Deno.test("lib: no import cycle between files (type imports count)", () => {
  const files = new Map([...graph].map(([file, edges]) => [file, edges.map((e) => e.target)]));
  assert.deepEqual(findCycle(files), undefined);
});

Deno.test("lib: no import cycle between folders", () => {
  const folders = new Map<string, Set<string>>();
  for (const [file, edges] of graph) {
    const from = folders.get(folderOf(file)) ?? new Set<string>();
    for (const { target } of edges) {
      if (folderOf(target) !== folderOf(file)) from.add(folderOf(target));
    }
    folders.set(folderOf(file), from);
  }
  assert.deepEqual(findCycle(folders), undefined);
});
