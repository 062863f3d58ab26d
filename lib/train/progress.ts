/**
 * Progress of long work (a training run, a whole study): rate, ETA and the latest
 * values (loss), shown as a bar that redraws in place in a terminal, as an HTML bar
 * that updates in place in Jupyter (one display, `update_display_data`), or given to
 * a callback; plain lines when stderr is not a terminal (logs, CI). A progress made
 * with a `parent` is drawn inside the parent's display while it runs and leaves it
 * when it finishes, so a loop over runs shows one bar (run k of N) and the running
 * run's bar under it, not N finished bars.
 *
 * @module
 */

/**
 * A snapshot of progress.
 */
export type ProgressInfo = {
  label: string;
  done: number;
  total: number;
  elapsedMs: number;
  /** Units per second since the start. */
  rate: number;
  /** Estimated milliseconds left at the current rate (NaN before the first unit). */
  etaMs: number;
  values: Record<string, number>;
  /** What is counted (e.g. "steps"). */
  unit?: string;
  /** A short text shown at the end of the line, e.g. a warning. */
  note?: string;
};

/**
 * One redraw of a display: its bars, outermost first (a progress, then its running
 * children), as one line of text for a terminal and as HTML for Jupyter; `final` on
 * the last frame, drawn when the outermost progress finishes.
 */
export type ProgressFrame = { bars: ProgressInfo[]; text: string; html: string; final: boolean };

/**
 * A function that draws frames (for tests, logs or another front end).
 */
export type ProgressSink = (frame: ProgressFrame) => void;

/**
 * Where progress goes: `auto` picks Jupyter inside the Deno kernel, else the terminal.
 */
export type ProgressOutput = "auto" | "terminal" | "jupyter" | "none";

/**
 * Options of {@link createProgress}.
 */
export type ProgressOptions = {
  total: number;
  label?: string;
  unit?: string;
  /** Where frames go (default "auto"), or a function given each frame; unused with `parent`. */
  output?: ProgressOutput | ProgressSink;
  /** Draw inside this progress's display while running (e.g. a run's steps under the
   * study's runs), and leave it when finished. */
  parent?: Progress;
  /** Called on every update, whatever the output. */
  onProgress?: (info: ProgressInfo) => void;
  /** Least time between two redraws (default 200 ms terminal / 500 ms Jupyter). */
  minIntervalMs?: number;
  /** Clock, for tests (default `performance.now`). */
  now?: () => number;
};

/**
 * A running progress display.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProgress } from "./progress.ts";
 * const p = createProgress({ total: 3, output: "none" });
 * p.tick(1, { loss: 0.7 });
 * p.tick(1, { loss: 0.5 });
 * assert.deepEqual([p.info().done, p.info().values], [2, { loss: 0.5 }]);
 * p.finish();
 * ```
 */
export type Progress = {
  tick(n?: number, values?: Record<string, number>): void;
  /** Sets the text shown at the end of the line ("" clears it), e.g. a warning. */
  note(text: string): void;
  finish(): void;
  info(): ProgressInfo;
};

/**
 * Formats milliseconds as `1h02m`, `3m05s` or `12s`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDuration } from "./progress.ts";
 * assert.equal(formatDuration(185_000), "3m05s");
 * assert.equal(formatDuration(3_720_000), "1h02m");
 * assert.equal(formatDuration(12_000), "12s");
 * ```
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "?";
  const s = Math.round(ms / 1000);
  const pad = (v: number) => String(v).padStart(2, "0");
  if (s >= 3600) return `${Math.floor(s / 3600)}h${pad(Math.floor((s % 3600) / 60))}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  return `${s}s`;
}

function formatValue(v: number): string {
  return Math.abs(v) >= 100 || Number.isInteger(v)
    ? String(Math.round(v * 100) / 100)
    : v.toPrecision(4);
}

/**
 * One line of text for a progress snapshot: label, bar (none when `width` is 0),
 * count, rate, values, ETA and note.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const info = { label: "train", done: 5, total: 10, elapsedMs: 2000, rate: 2.5,
 *   etaMs: 2000, values: { loss: 0.5 } };
 * assert.equal(formatProgress(info, { width: 10, unit: "steps" }),
 *   "train [#####.....] 5/10 steps 2.50/s loss 0.5000 ETA 2s");
 * assert.equal(formatProgress({ ...info, note: "slow" }, { width: 0 }),
 *   "train 5/10 2.50/s loss 0.5000 ETA 2s (slow)");
 * ```
 */
export function formatProgress(
  info: ProgressInfo,
  options: { width?: number; unit?: string } = {},
): string {
  const width = options.width ?? 24;
  const fraction = info.total > 0 ? Math.min(1, info.done / info.total) : 0;
  const filled = Math.round(fraction * width);
  const bar = width > 0 ? ` [${"#".repeat(filled)}${".".repeat(width - filled)}]` : "";
  const unitName = options.unit ?? info.unit;
  const unit = unitName ? ` ${unitName}` : "";
  const values = Object.entries(info.values).map(([k, v]) => ` ${k} ${formatValue(v)}`).join("");
  const tail = info.done >= info.total
    ? ` in ${formatDuration(info.elapsedMs)}`
    : ` ETA ${formatDuration(info.etaMs)}`;
  const note = info.note ? ` (${info.note})` : "";
  return `${info.label}${bar} ${info.done}/${info.total}${unit} ${
    info.rate.toFixed(2)
  }/s${values}${tail}${note}`;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * The HTML of a progress snapshot for Jupyter: a `<progress>` element and the text line,
 * indented by `indentEm`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const html = progressHtml({ label: "x", done: 1, total: 2, elapsedMs: 1, rate: 1,
 *   etaMs: 1, values: {} });
 * assert.ok(html.includes('<progress value="1" max="2"'));
 * ```
 */
export function progressHtml(info: ProgressInfo, unit?: string, indentEm = 0): string {
  const text = escapeHtml(formatProgress(info, { width: 0, unit }));
  const indent = indentEm ? `;padding-left:${indentEm}em` : "";
  return `<div style="font-family:monospace${indent}"><progress value="${info.done}" ` +
    `max="${info.total}" style="width:40%;vertical-align:middle"></progress> ${text}</div>`;
}

/**
 * The frame of a display's bars, outermost first: the text joins their lines with
 * " | " (the outermost with a bar, the others without, to fit one terminal line), the
 * HTML stacks them, inner ones indented.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const at = (label: string, done: number, total: number) => ({ label, done, total,
 *   elapsedMs: 1000 * done, rate: 1, etaMs: 1000 * (total - done), values: {} });
 * const frame = progressFrame([at("runs", 2, 4), at("fine-tune", 3, 10)]);
 * assert.equal(frame.text, "runs [############............] 2/4 1.00/s ETA 2s | fine-tune 3/10 1.00/s ETA 7s");
 * assert.equal(frame.html.match(/<progress /g)?.length, 2);
 * ```
 */
export function progressFrame(bars: readonly ProgressInfo[], final = false): ProgressFrame {
  const text = bars.map((b, i) => formatProgress(b, { width: i === 0 ? 24 : 0 })).join(" | ");
  const html = bars.map((b, i) => progressHtml(b, undefined, 2 * i)).join("");
  return { bars: [...bars], text, html, final };
}

type JupyterApi = {
  display(
    obj: unknown,
    options?: { raw?: boolean; update?: boolean; display_id?: string },
  ): Promise<void>;
};

function jupyterApi(): JupyterApi | undefined {
  try {
    return (Deno as unknown as { jupyter?: JupyterApi }).jupyter;
  } catch {
    return undefined; // Deno throws when `Deno.jupyter` is read outside the kernel.
  }
}

let displayCounter = 0;

/** One Jupyter display, created by the first frame and updated in place by the next. */
function jupyterSink(jupyter: JupyterApi): ProgressSink {
  const displayId = `nerss-progress-${Deno.pid}-${++displayCounter}`;
  let shown = false;
  return (frame) => {
    const bundle = { "text/html": frame.html, "text/plain": frame.text };
    jupyter.display(bundle, { raw: true, update: shown, display_id: displayId }).catch(() => {});
    shown = true;
  };
}

/** One line on stderr, rewritten in place on a terminal (cut to its width), else appended. */
function terminalSink(): ProgressSink {
  const tty = Deno.stderr.isTerminal();
  const encoder = new TextEncoder();
  let last = "";
  return (frame) => {
    if (!tty) {
      // the last tick and the finish draw the same line: write it once
      if (frame.text !== last) Deno.stderr.writeSync(encoder.encode(`${frame.text}\n`));
      last = frame.text;
      return;
    }
    let columns = Infinity;
    try {
      columns = Deno.consoleSize().columns;
    } catch { /* not a console after all: no cut */ }
    const line = frame.text.length < columns ? frame.text : frame.text.slice(0, columns - 1);
    Deno.stderr.writeSync(encoder.encode(`\r${line}\x1b[K${frame.final ? "\n" : ""}`));
  };
}

/** How a progress's display reaches it: redraw the display it belongs to. */
type Node = { info(): ProgressInfo; children: Set<Node>; redraw(force: boolean): void };

const nodes = new WeakMap<Progress, Node>();

/** A node's running descendants' bars, depth first in order of creation. */
function childBars(node: Node): ProgressInfo[] {
  return [...node.children].flatMap((c) => [c.info(), ...childBars(c)]);
}

/**
 * Starts a progress display, or a part of its `parent`'s display.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProgress } from "./progress.ts";
 * // A loop over runs: one display, "runs k/N" and the running run's steps after it.
 * let now = 0; // a clock for the example: each step takes a second
 * const frames: string[] = [];
 * const runs = createProgress({ total: 2, label: "runs", output: (f) => frames.push(f.text),
 *   now: () => now });
 * for (let k = 0; k < 2; k++) {
 *   const steps = createProgress({ total: 3, label: "fine-tune", parent: runs, now: () => now });
 *   for (let i = 0; i < 3; i++) {
 *     now += 1000;
 *     steps.tick(1);
 *   }
 *   steps.finish();
 *   runs.tick(1);
 * }
 * runs.finish();
 * assert.equal(frames[5], // the second run's first step
 *   "runs [############............] 1/2 0.25/s ETA 4s | fine-tune 1/3 1.00/s ETA 2s");
 * assert.equal(frames.at(-1), "runs [########################] 2/2 0.33/s in 6s");
 * ```
 */
export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? (() => performance.now());
  const label = options.label ?? "progress";
  const start = now();
  const parent = options.parent && nodes.get(options.parent);
  if (options.parent && !parent) {
    throw new Error("createProgress: parent must be a progress made by createProgress");
  }
  let done = 0;
  let values: Record<string, number> = {};
  let note = "";
  let lastDraw = -Infinity;
  let finished = false;
  let sink: ProgressSink | undefined;
  let minInterval = 0;
  if (!parent) {
    const output = options.output ?? "auto";
    const jupyter = output === "auto" || output === "jupyter" ? jupyterApi() : undefined;
    if (typeof output === "function") sink = output;
    else if (jupyter) sink = jupyterSink(jupyter);
    else if (output === "auto" || output === "terminal") sink = terminalSink();
    const tty = sink !== undefined && typeof output !== "function" && !jupyter &&
      Deno.stderr.isTerminal();
    minInterval = options.minIntervalMs ??
      (typeof output === "function" ? 0 : jupyter ? 500 : tty ? 200 : 10_000);
  }

  const info = (): ProgressInfo => {
    const elapsedMs = now() - start;
    const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
    const etaMs = done > 0 ? ((options.total - done) * elapsedMs) / done : NaN;
    const out: ProgressInfo = {
      label,
      done,
      total: options.total,
      elapsedMs,
      rate,
      etaMs,
      values: { ...values },
    };
    if (options.unit) out.unit = options.unit;
    if (note) out.note = note;
    return out;
  };
  const node: Node = {
    info,
    children: new Set(),
    redraw(force) {
      if (parent) return parent.redraw(false);
      const t = now();
      if (finished || !sink || (!force && t - lastDraw < minInterval)) return;
      lastDraw = t;
      sink(progressFrame([info(), ...childBars(node)]));
    },
  };
  parent?.children.add(node);
  const progress: Progress = {
    tick(n = 1, newValues?: Record<string, number>) {
      done += n;
      if (newValues) values = { ...values, ...newValues };
      options.onProgress?.(info());
      node.redraw(false);
    },
    note(text: string) {
      note = text;
      node.redraw(false);
    },
    finish() {
      if (parent) {
        parent.children.delete(node);
        parent.redraw(false);
      } else if (!finished) {
        finished = true;
        sink?.(progressFrame([info(), ...childBars(node)], true));
      }
    },
    info,
  };
  nodes.set(progress, node);
  return progress;
}
