/**
 * Entity extraction from tag sequences and entity match counting, with the exact rules
 * of seqeval 1.2.2:
 *
 * - **default mode** follows `seqeval.metrics.sequence_labeling.get_entities` (the
 *   conlleval rules): a tag's first character is its prefix and the rest after the
 *   first `-` is its type (`"B-PER"` → `B`, `PER`; a tag without a type, `"O"`, `"B"`,
 *   `"I"`, has type `_`; a tag without a prefix such as `"PER"` has prefix `P` and type
 *   `ER`, as in seqeval, which only warns). `I-`/`E-` after `O` or after another type
 *   starts an entity, `B-`/`S-` always do, a type change ends one, `E-`/`S-` end one
 *   after themselves. Sentences are joined with an `O` between them, exactly as seqeval
 *   flattens its input, so a sentence end ends an entity.
 * - **strict mode** follows `seqeval.scheme.Tokens` for IOB1, IOB2, IOE1, IOE2, IOBES
 *   and BILOU: an entity counts only when the scheme's start, inside and end patterns
 *   all hold; the type is the tag after its prefix with `-` stripped from both ends.
 *   A prefix the scheme does not allow is an error naming the sentence and position.
 *
 * Two entities match when their type, first token and last token are equal. Tags are
 * interned once per distinct string and the state machines run on small integers, so
 * a million tokens score in well under a second.
 *
 * @module
 */

import type { Scheme } from "../core/scheme.ts";

/**
 * An entity found in a tag sequence: sentence index, type and token range within the
 * sentence (`end` exclusive).
 */
export type Entity = { sentence: number; type: string; start: number; end: number };

/**
 * How entities are read from tags: `"default"` (conlleval / seqeval default) or
 * `"strict"` (seqeval strict mode with a scheme).
 */
export type EntityMode = "default" | "strict";

/**
 * Options for reading entities: the mode and, for strict mode, the scheme.
 */
export type EntityOptions = { mode?: EntityMode; scheme?: Scheme };

/**
 * Entity counts per type (types sorted as Python sorts strings, by code point):
 * `tp[i]` entities of `types[i]` found in both, `pred[i]` predicted, `gold[i]` in the
 * gold standard.
 */
export type EntityCounts = { types: string[]; tp: number[]; pred: number[]; gold: number[] };

// ---------------------------------------------------------------------------------------
// shared helpers

/**
 * Compares strings by code point, as Python's `sorted` does (JavaScript's default
 * sort compares UTF-16 code units, which orders characters beyond U+FFFF differently).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareCodePoints } from "./entities.ts";
 * const names = ["b", "a", "\u{1F600}", "\uFF61"];
 * assert.deepEqual(names.slice().sort(compareCodePoints), ["a", "b", "\uFF61", "\u{1F600}"]);
 * assert.deepEqual(names.slice().sort(), ["a", "b", "\u{1F600}", "\uFF61"]); // UTF-16 order
 * ```
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!, y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

function firstCodePoint(tag: string): string {
  return String.fromCodePoint(tag.codePointAt(0)!);
}

function where(side: string, sentence: number, position: number): string {
  return `${side} sentence ${sentence}, position ${position}`;
}

function checkSentence(tags: unknown, side: string, s: number): asserts tags is string[] {
  if (!Array.isArray(tags)) {
    throw new TypeError(`${side} sentence ${s} is not an array of tags`);
  }
}

/**
 * Checks that `yTrue` and `yPred` hold the same number of sentences with the same
 * lengths; throws an error naming the first sentence that differs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkLengths } from "./entities.ts";
 * checkLengths([["O"]], [["O"]]); // fine
 * assert.throws(
 *   () => checkLengths([["O"]], [["O", "O"]]),
 *   /sentence 0 has 1 gold tags but 2 predicted/,
 * );
 * ```
 */
export function checkLengths(yTrue: readonly string[][], yPred: readonly string[][]): void {
  if (!Array.isArray(yTrue) || !Array.isArray(yPred)) {
    throw new TypeError("yTrue and yPred must be arrays of sentences (arrays of tags)");
  }
  if (yTrue.length !== yPred.length) {
    throw new Error(
      `yTrue has ${yTrue.length} sentences but yPred has ${yPred.length}`,
    );
  }
  for (let s = 0; s < yTrue.length; s++) {
    checkSentence(yTrue[s], "yTrue", s);
    checkSentence(yPred[s], "yPred", s);
    if (yTrue[s].length !== yPred[s].length) {
      throw new Error(
        `sentence ${s} has ${yTrue[s].length} gold tags but ${yPred[s].length} predicted tags`,
      );
    }
  }
}

const warned = new Set<string>();

/**
 * Writes a warning to the console once per distinct message per process (as Python's
 * default warning filter does).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { warnOnce } from "./entities.ts";
 * const warned: unknown[] = [];
 * const warn = console.warn;
 * console.warn = (message) => warned.push(message);
 * warnOnce("UserWarning: PER seems not to be NE tag.");
 * warnOnce("UserWarning: PER seems not to be NE tag."); // silent
 * console.warn = warn;
 * assert.deepEqual(warned, ["UserWarning: PER seems not to be NE tag."]);
 * ```
 */
export function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(message);
}

// ---------------------------------------------------------------------------------------
// default mode (seqeval get_entities)

const D_O = 0, D_B = 1, D_I = 2, D_E = 3, D_S = 4, D_DOT = 5, D_OTHER = 6;
const NO_TYPE = -1; // seqeval's initial prev_type '' differs from every real type

/** Interned tags for default mode: prefix class and type id per distinct tag. */
type DefaultTable = {
  ids: Map<string, number>;
  cls: number[];
  type: number[];
  typeIds: Map<string, number>;
  typeNames: string[];
};

function newDefaultTable(): DefaultTable {
  const typeIds = new Map<string, number>([["_", 0]]);
  return { ids: new Map(), cls: [], type: [], typeIds, typeNames: ["_"] };
}

function internType(t: { typeIds: Map<string, number>; typeNames: string[] }, name: string) {
  let id = t.typeIds.get(name);
  if (id === undefined) {
    id = t.typeNames.length;
    t.typeIds.set(name, id);
    t.typeNames.push(name);
  }
  return id;
}

function addDefaultTag(t: DefaultTable, tag: unknown, side: string, s: number, i: number) {
  if (typeof tag !== "string" || tag.length === 0) {
    throw new Error(`${where(side, s, i)}: tag ${JSON.stringify(tag)} is not a non-empty string`);
  }
  const first = firstCodePoint(tag);
  const rest = tag.slice(first.length);
  const dash = rest.indexOf("-");
  const typeName = (dash >= 0 ? rest.slice(dash + 1) : rest) || "_";
  const cls = first === "O"
    ? D_O
    : first === "B"
    ? D_B
    : first === "I"
    ? D_I
    : first === "E"
    ? D_E
    : first === "S"
    ? D_S
    : first === "."
    ? D_DOT
    : D_OTHER;
  const plain = tag === "O" || tag === "B" || tag === "I" || tag === "E" || tag === "S";
  if (!plain && !/^[BIES]-/.test(tag)) warnOnce(`UserWarning: ${tag} seems not to be NE tag.`);
  const id = t.cls.length;
  t.ids.set(tag, id);
  t.cls.push(cls);
  t.type.push(internType(t, typeName));
  return id;
}

function endOfChunk(pc: number, c: number, pt: number, t: number): boolean {
  if (pc === D_E || pc === D_S) return true;
  if ((pc === D_B || pc === D_I) && (c === D_B || c === D_S || c === D_O)) return true;
  return pc !== D_O && pc !== D_DOT && pt !== t;
}

function startOfChunk(pc: number, c: number, pt: number, t: number): boolean {
  if (c === D_B || c === D_S) return true;
  if ((pc === D_E || pc === D_S || pc === D_O) && (c === D_E || c === D_I)) return true;
  return c !== D_O && c !== D_DOT && pt !== t;
}

/** One default-mode state machine over the flattened sequence. */
type DefaultState = { pc: number; pt: number; begin: number };

/**
 * Advances `st` by one tag at flat position `i`; returns the type id of the chunk that
 * ended at `i - 1` (its start is then in `ended.begin`), or -1.
 */
function stepDefault(st: DefaultState, c: number, t: number, i: number, ended: { begin: number }) {
  let out = -1;
  if (endOfChunk(st.pc, c, st.pt, t)) {
    out = st.pt;
    ended.begin = st.begin;
  }
  if (startOfChunk(st.pc, c, st.pt, t)) st.begin = i;
  st.pc = c;
  st.pt = t;
  return out;
}

// ---------------------------------------------------------------------------------------
// strict mode (seqeval scheme.Tokens)

const P_I = 0, P_O = 1, P_B = 2, P_E = 3, P_S = 4, P_U = 5, P_L = 6;
const PREFIX_OF: Record<string, number> = {
  I: P_I,
  O: P_O,
  B: P_B,
  E: P_E,
  S: P_S,
  U: P_U,
  L: P_L,
};
const PREFIX_NAME = ["I", "O", "B", "E", "S", "U", "L"];
const SAME = 1, DIFF = 2, ANY = 3;
const EVERY = -1;

/** A pattern: previous prefix (or EVERY), current prefix (or EVERY), tag condition. */
type Pattern = [number, number, number];
type SchemeRules = { allowed: number[]; start: Pattern[]; inside: Pattern[]; end: Pattern[] };

const RULES: Record<Scheme, SchemeRules> = {
  IOB1: {
    allowed: [P_I, P_O, P_B],
    start: [[P_O, P_I, ANY], [P_I, P_I, DIFF], [P_B, P_I, ANY], [P_I, P_B, SAME], [
      P_B,
      P_B,
      SAME,
    ]],
    inside: [[P_B, P_I, SAME], [P_I, P_I, SAME]],
    end: [[P_I, P_I, DIFF], [P_I, P_O, ANY], [P_I, P_B, ANY], [P_B, P_O, ANY], [
      P_B,
      P_I,
      DIFF,
    ], [P_B, P_B, SAME]],
  },
  IOE1: {
    allowed: [P_I, P_O, P_E],
    start: [[P_O, P_I, ANY], [P_I, P_I, DIFF], [P_E, P_I, ANY], [P_E, P_E, SAME]],
    inside: [[P_I, P_I, SAME], [P_I, P_E, SAME]],
    end: [[P_I, P_I, DIFF], [P_I, P_O, ANY], [P_I, P_E, DIFF], [P_E, P_I, SAME], [
      P_E,
      P_E,
      SAME,
    ]],
  },
  IOB2: {
    allowed: [P_I, P_O, P_B],
    start: [[EVERY, P_B, ANY]],
    inside: [[P_B, P_I, SAME], [P_I, P_I, SAME]],
    end: [[P_I, P_O, ANY], [P_I, P_I, DIFF], [P_I, P_B, ANY], [P_B, P_O, ANY], [
      P_B,
      P_I,
      DIFF,
    ], [P_B, P_B, ANY]],
  },
  IOE2: {
    allowed: [P_I, P_O, P_E],
    start: [[P_O, P_I, ANY], [P_O, P_E, ANY], [P_E, P_I, ANY], [P_E, P_E, ANY], [
      P_I,
      P_I,
      DIFF,
    ], [P_I, P_E, DIFF]],
    inside: [[P_I, P_E, SAME], [P_I, P_I, SAME]],
    end: [[P_E, EVERY, ANY]],
  },
  IOBES: {
    allowed: [P_I, P_O, P_B, P_E, P_S],
    start: [[EVERY, P_B, ANY], [EVERY, P_S, ANY]],
    inside: [[P_B, P_I, SAME], [P_B, P_E, SAME], [P_I, P_I, SAME], [P_I, P_E, SAME]],
    end: [[P_S, EVERY, ANY], [P_E, EVERY, ANY]],
  },
  BILOU: {
    allowed: [P_B, P_I, P_L, P_O, P_U],
    start: [[EVERY, P_B, ANY], [EVERY, P_U, ANY]],
    inside: [[P_B, P_I, SAME], [P_B, P_L, SAME], [P_I, P_I, SAME], [P_I, P_L, SAME]],
    end: [[P_U, EVERY, ANY], [P_L, EVERY, ANY]],
  },
};

/** Pattern tables as 7x7 arrays of tag conditions (0: never, SAME, DIFF, ANY). */
type CompiledRules = { allowed: boolean[]; start: Uint8Array; inside: Uint8Array; end: Uint8Array };

function compile(patterns: Pattern[]): Uint8Array {
  const table = new Uint8Array(49);
  for (const [p, c, cond] of patterns) {
    for (let a = 0; a < 7; a++) {
      if (p !== EVERY && p !== a) continue;
      for (let b = 0; b < 7; b++) {
        if (c !== EVERY && c !== b) continue;
        table[a * 7 + b] |= cond;
      }
    }
  }
  return table;
}

const COMPILED = new Map<Scheme, CompiledRules>();

function compiledRules(scheme: Scheme): CompiledRules {
  let c = COMPILED.get(scheme);
  if (c === undefined) {
    const r = RULES[scheme];
    if (r === undefined) {
      throw new Error(
        `unknown scheme ${
          JSON.stringify(scheme)
        } (expected IOB1, IOB2, IOE1, IOE2, IOBES or BILOU)`,
      );
    }
    const allowed = new Array<boolean>(7).fill(false);
    for (const p of r.allowed) allowed[p] = true;
    c = { allowed, start: compile(r.start), inside: compile(r.inside), end: compile(r.end) };
    COMPILED.set(scheme, c);
  }
  return c;
}

function holds(table: Uint8Array, pp: number, pt: number, cp: number, ct: number): boolean {
  const cond = table[pp * 7 + cp];
  if (cond === 0) return false;
  if (cond === ANY) return true;
  return cond === SAME ? pt === ct : pt !== ct;
}

/** Interned tags for strict mode: prefix and type id per distinct tag. */
type StrictTable = {
  ids: Map<string, number>;
  prefix: number[];
  type: number[];
  typeIds: Map<string, number>;
  typeNames: string[];
};

function newStrictTable(): StrictTable {
  return { ids: new Map(), prefix: [], type: [], typeIds: new Map([["_", 0]]), typeNames: ["_"] };
}

function addStrictTag(
  t: StrictTable,
  tag: unknown,
  rules: CompiledRules,
  scheme: Scheme,
  side: string,
  s: number,
  i: number,
) {
  if (typeof tag !== "string" || tag.length === 0) {
    throw new Error(`${where(side, s, i)}: tag ${JSON.stringify(tag)} is not a non-empty string`);
  }
  const first = firstCodePoint(tag);
  const prefix = PREFIX_OF[first];
  const allowedNames = PREFIX_NAME.filter((_, k) => rules.allowed[k]).join(", ");
  if (prefix === undefined || !rules.allowed[prefix]) {
    throw new Error(
      `${where(side, s, i)}: tag ${JSON.stringify(tag)} has prefix ${
        JSON.stringify(first)
      }, which ${scheme} does not allow (allowed prefixes: ${allowedNames})`,
    );
  }
  const typeName = tag.slice(first.length).replace(/^-+|-+$/g, "") || "_";
  const id = t.prefix.length;
  t.ids.set(tag, id);
  t.prefix.push(prefix);
  t.type.push(internType(t, typeName));
  return id;
}

/**
 * Runs seqeval's `Tokens.entities` loop on one sentence given as prefix and type ids
 * (`n` tokens; position `n` is the appended `O`). Writes entity starts, ends
 * (exclusive) and types to the output arrays from `at`; returns the new count.
 */
function strictSentence(
  pre: Int32Array,
  typ: Int32Array,
  n: number,
  r: CompiledRules,
  outStart: Int32Array,
  outEnd: Int32Array,
  outType: Int32Array,
  at: number,
): number {
  pre[n] = P_O;
  typ[n] = 0;
  let i = 0;
  let pp = P_O, pt = 0; // prev token: the outside token
  while (i <= n) {
    const cp = pre[i], ct = typ[i];
    if (holds(r.start, pp, pt, cp, ct)) {
      let j = i + 1, ip = cp, it = ct;
      while (j <= n && holds(r.inside, ip, it, pre[j], typ[j])) {
        ip = pre[j];
        it = typ[j];
        j++;
      }
      // seqeval's fallback (every token inside) cannot happen: O is never inside
      if (holds(r.end, pre[j - 1], typ[j - 1], pre[j], typ[j])) {
        outStart[at] = i;
        outEnd[at] = j;
        outType[at] = ct;
        at++;
      }
      i = j;
    } else {
      i++;
    }
    pp = pre[i - 1];
    pt = typ[i - 1];
  }
  return at;
}

// ---------------------------------------------------------------------------------------
// public API

function sortedCounts(
  typeNames: string[],
  tp: number[],
  pred: number[],
  gold: number[],
): EntityCounts {
  const order: number[] = [];
  for (let k = 0; k < typeNames.length; k++) if (pred[k] > 0 || gold[k] > 0) order.push(k);
  order.sort((a, b) => compareCodePoints(typeNames[a], typeNames[b]));
  return {
    types: order.map((k) => typeNames[k]),
    tp: order.map((k) => tp[k]),
    pred: order.map((k) => pred[k]),
    gold: order.map((k) => gold[k]),
  };
}

function bump(arr: number[], k: number) {
  while (arr.length <= k) arr.push(0);
  arr[k]++;
}

function countDefault(yTrue: readonly string[][], yPred: readonly string[][]): EntityCounts {
  const table = newDefaultTable();
  const { ids, cls, type } = table;
  const tp: number[] = [], pred: number[] = [], gold: number[] = [];
  const g: DefaultState = { pc: D_O, pt: NO_TYPE, begin: 0 };
  const p: DefaultState = { pc: D_O, pt: NO_TYPE, begin: 0 };
  const ge = { begin: 0 }, pe = { begin: 0 };
  let i = 0;
  const tag0 = 0; // separator: plain "O" (class O, type "_" = 0)
  for (let s = 0; s < yTrue.length; s++) {
    const ts = yTrue[s], ps = yPred[s];
    for (let k = 0; k < ts.length; k++, i++) {
      let a = ids.get(ts[k]);
      if (a === undefined) a = addDefaultTag(table, ts[k], "yTrue", s, k);
      let b = ids.get(ps[k]);
      if (b === undefined) b = addDefaultTag(table, ps[k], "yPred", s, k);
      const gt = stepDefault(g, cls[a], type[a], i, ge);
      const pt = stepDefault(p, cls[b], type[b], i, pe);
      if (gt >= 0) bump(gold, gt);
      if (pt >= 0) bump(pred, pt);
      if (gt >= 0 && gt === pt && ge.begin === pe.begin) bump(tp, gt);
    }
    // the "O" seqeval appends after every sentence
    const gt = stepDefault(g, D_O, tag0, i, ge);
    const pt = stepDefault(p, D_O, tag0, i, pe);
    if (gt >= 0) bump(gold, gt);
    if (pt >= 0) bump(pred, pt);
    if (gt >= 0 && gt === pt && ge.begin === pe.begin) bump(tp, gt);
    i++;
  }
  // seqeval appends one more "O" to the flattened sequence
  const gt = stepDefault(g, D_O, tag0, i, ge);
  const pt = stepDefault(p, D_O, tag0, i, pe);
  if (gt >= 0) bump(gold, gt);
  if (pt >= 0) bump(pred, pt);
  if (gt >= 0 && gt === pt && ge.begin === pe.begin) bump(tp, gt);
  const n = table.typeNames.length;
  for (const arr of [tp, pred, gold]) while (arr.length < n) arr.push(0);
  return sortedCounts(table.typeNames, tp, pred, gold);
}

/** Scratch buffers for strict mode, grown as needed. */
type Scratch = {
  pre: Int32Array;
  typ: Int32Array;
  start: [Int32Array, Int32Array];
  end: [Int32Array, Int32Array];
  type: [Int32Array, Int32Array];
};

function scratch(n: number): Scratch {
  const m = n + 1;
  return {
    pre: new Int32Array(m),
    typ: new Int32Array(m),
    start: [new Int32Array(m), new Int32Array(m)],
    end: [new Int32Array(m), new Int32Array(m)],
    type: [new Int32Array(m), new Int32Array(m)],
  };
}

function fillStrict(
  tags: readonly string[],
  table: StrictTable,
  rules: CompiledRules,
  scheme: Scheme,
  side: string,
  s: number,
  sc: Scratch,
) {
  const { ids, prefix, type } = table;
  for (let k = 0; k < tags.length; k++) {
    let id = ids.get(tags[k]);
    if (id === undefined) id = addStrictTag(table, tags[k], rules, scheme, side, s, k);
    sc.pre[k] = prefix[id];
    sc.typ[k] = type[id];
  }
}

function countStrict(
  yTrue: readonly string[][],
  yPred: readonly string[][],
  scheme: Scheme,
): EntityCounts {
  const rules = compiledRules(scheme);
  const table = newStrictTable();
  const tp: number[] = [], pred: number[] = [], gold: number[] = [];
  let sc = scratch(64);
  for (let s = 0; s < yTrue.length; s++) {
    const n = yTrue[s].length;
    if (n + 1 > sc.pre.length) sc = scratch(2 * n);
    fillStrict(yTrue[s], table, rules, scheme, "yTrue", s, sc);
    const ng = strictSentence(sc.pre, sc.typ, n, rules, sc.start[0], sc.end[0], sc.type[0], 0);
    fillStrict(yPred[s], table, rules, scheme, "yPred", s, sc);
    const np = strictSentence(sc.pre, sc.typ, n, rules, sc.start[1], sc.end[1], sc.type[1], 0);
    const [gs, ps] = sc.start, [gEnd, pEnd] = sc.end, [gt, pt] = sc.type;
    for (let k = 0; k < ng; k++) bump(gold, gt[k]);
    for (let k = 0; k < np; k++) bump(pred, pt[k]);
    // entities come in order of their (distinct) ends: merge on the end
    let a = 0, b = 0;
    while (a < ng && b < np) {
      if (gEnd[a] < pEnd[b]) a++;
      else if (gEnd[a] > pEnd[b]) b++;
      else {
        if (gs[a] === ps[b] && gt[a] === pt[b]) bump(tp, gt[a]);
        a++;
        b++;
      }
    }
  }
  const n = table.typeNames.length;
  for (const arr of [tp, pred, gold]) while (arr.length < n) arr.push(0);
  return sortedCounts(table.typeNames, tp, pred, gold);
}

/**
 * Counts gold, predicted and matching entities per type, as seqeval 1.2.2's
 * `extract_tp_actual_correct` does (default mode) or its strict-mode counterpart in
 * `seqeval.metrics.v1` (strict mode, which needs `scheme`). Only types that occur in
 * either sequence are listed. Throws on mismatched lengths (naming the sentence), on
 * empty or non-string tags, and in strict mode on a prefix the scheme does not allow.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { countEntities } from "./entities.ts";
 * assert.deepEqual(
 *   countEntities([["B-PER", "I-PER", "O"]], [["B-PER", "O", "O"]]),
 *   { types: ["PER"], tp: [0], pred: [1], gold: [1] }, // the predicted PER is one token short
 * );
 * assert.deepEqual(
 *   countEntities([["B-X", "I-X"]], [["I-X", "I-X"]], { mode: "strict", scheme: "IOB2" }),
 *   { types: ["X"], tp: [0], pred: [0], gold: [1] }, // IOB2 entities start with B-
 * );
 * ```
 */
export function countEntities(
  yTrue: readonly string[][],
  yPred: readonly string[][],
  opts: EntityOptions = {},
): EntityCounts {
  checkLengths(yTrue, yPred);
  const mode = opts.mode ?? "default";
  if (mode === "strict") {
    if (opts.scheme === undefined) {
      throw new Error('mode "strict" needs a scheme (IOB1, IOB2, IOE1, IOE2, IOBES or BILOU)');
    }
    return countStrict(yTrue, yPred, opts.scheme);
  }
  if (mode !== "default") {
    throw new Error(`unknown mode ${JSON.stringify(mode)} (expected "default" or "strict")`);
  }
  return countDefault(yTrue, yPred);
}

/**
 * Reads the entities of a tagged corpus (one array of tags per sentence), as seqeval
 * 1.2.2 does in default mode (`get_entities`) or strict mode (`Tokens.entities`).
 * Entities are in order of their end. In default mode an entity of malformed tags can,
 * as in seqeval, run on past its sentence's end; its `end` then counts on through
 * the separator between sentences (seqeval's flattened positions, minus the start of
 * the entity's sentence).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { extractEntities } from "./entities.ts";
 * assert.deepEqual(extractEntities([["B-PER", "I-PER", "O", "B-LOC"]]), [
 *   { sentence: 0, type: "PER", start: 0, end: 2 },
 *   { sentence: 0, type: "LOC", start: 3, end: 4 },
 * ]);
 * assert.deepEqual(extractEntities([["I-PER", "I-PER"]], { mode: "strict", scheme: "IOB2" }), []);
 * ```
 */
export function extractEntities(tags: readonly string[][], opts: EntityOptions = {}): Entity[] {
  if (!Array.isArray(tags)) throw new TypeError("tags must be an array of sentences");
  const mode = opts.mode ?? "default";
  const out: Entity[] = [];
  if (mode === "strict") {
    if (opts.scheme === undefined) {
      throw new Error('mode "strict" needs a scheme (IOB1, IOB2, IOE1, IOE2, IOBES or BILOU)');
    }
    const scheme = opts.scheme;
    const rules = compiledRules(scheme);
    const table = newStrictTable();
    let sc = scratch(64);
    for (let s = 0; s < tags.length; s++) {
      checkSentence(tags[s], "tags", s);
      const n = tags[s].length;
      if (n + 1 > sc.pre.length) sc = scratch(2 * n);
      fillStrict(tags[s], table, rules, scheme, "tags", s, sc);
      const m = strictSentence(sc.pre, sc.typ, n, rules, sc.start[0], sc.end[0], sc.type[0], 0);
      for (let k = 0; k < m; k++) {
        out.push({
          sentence: s,
          type: table.typeNames[sc.type[0][k]],
          start: sc.start[0][k],
          end: sc.end[0][k],
        });
      }
    }
    return out;
  }
  if (mode !== "default") {
    throw new Error(`unknown mode ${JSON.stringify(mode)} (expected "default" or "strict")`);
  }
  const table = newDefaultTable();
  const st: DefaultState = { pc: D_O, pt: NO_TYPE, begin: 0 };
  const ended = { begin: 0 };
  const sentenceAt: number[] = []; // flat offset of each sentence's first token
  let i = 0;
  const emit = (t: number) => {
    // find the sentence holding flat position ended.begin
    let lo = 0, hi = sentenceAt.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (sentenceAt[mid] <= ended.begin) lo = mid;
      else hi = mid - 1;
    }
    out.push({
      sentence: lo,
      type: table.typeNames[t],
      start: ended.begin - sentenceAt[lo],
      end: i - sentenceAt[lo],
    });
  };
  for (let s = 0; s < tags.length; s++) {
    checkSentence(tags[s], "tags", s);
    sentenceAt.push(i);
    const ts = tags[s];
    for (let k = 0; k < ts.length; k++, i++) {
      let a = table.ids.get(ts[k]);
      if (a === undefined) a = addDefaultTag(table, ts[k], "tags", s, k);
      const t = stepDefault(st, table.cls[a], table.type[a], i, ended);
      if (t >= 0) emit(t);
    }
    const t = stepDefault(st, D_O, 0, i, ended);
    if (t >= 0) emit(t);
    i++;
  }
  const t = stepDefault(st, D_O, 0, i, ended);
  if (t >= 0) emit(t);
  return out;
}

/**
 * Detects the tagging scheme of a corpus from the set of prefixes it uses, as
 * seqeval 1.2.2's `auto_detect` does (which `classification_report` uses in strict
 * mode when no scheme is given): IOB2, IOE2, IOBES or BILOU; anything else is an error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { detectScheme } from "./entities.ts";
 * assert.equal(detectScheme([["B-PER", "I-PER", "O"]]), "IOB2");
 * assert.equal(detectScheme([["B-PER", "E-PER", "S-LOC", "O"]]), "IOBES");
 * // seqeval does not accept {O, S} either
 * assert.throws(() => detectScheme([["S-PER", "O"]]), /cannot detect the scheme/);
 * ```
 */
export function detectScheme(tags: readonly string[][]): Scheme {
  const seen = new Set<string>();
  for (let s = 0; s < tags.length; s++) {
    checkSentence(tags[s], "tags", s);
    for (let k = 0; k < tags[s].length; k++) {
      const tag = tags[s][k];
      if (typeof tag !== "string" || tag.length === 0) {
        throw new Error(
          `${where("tags", s, k)}: tag ${JSON.stringify(tag)} is not a non-empty string`,
        );
      }
      const first = firstCodePoint(tag);
      if (PREFIX_OF[first] === undefined) {
        throw new Error(
          `${where("tags", s, k)}: tag ${
            JSON.stringify(tag)
          } has no scheme prefix (I, O, B, E, S, U, L)`,
        );
      }
      seen.add(first);
    }
  }
  const key = [...seen].sort().join("");
  const sets = (list: string[]) => list.map((x) => [...x].sort().join(""));
  const iob2 = sets(["IOB", "IB", "BO", "B"]);
  const ioe2 = sets(["IOE", "IE", "EO", "E"]);
  const iobes = sets(["IOBES", "IBES", "IOBE", "OBES", "IBE", "BES", "OBE", "BE", "S"]);
  const bilou = sets(["IOBLU", "IBLU", "IOBL", "OBLU", "IBL", "BLU", "OBL", "BL", "U"]);
  if (iob2.includes(key)) return "IOB2";
  if (ioe2.includes(key)) return "IOE2";
  if (iobes.includes(key)) return "IOBES";
  if (bilou.includes(key)) return "BILOU";
  throw new Error(
    `cannot detect the scheme from the prefixes {${[...seen].sort().join(", ")}} (seqeval's ` +
      "auto_detect supports IOB2, IOE2, IOBES and BILOU); pass scheme explicitly",
  );
}
