/**
 * Progress of long work (a training run, a whole study): rate, ETA and the latest
 * values (loss), shown as a bar that redraws in place in a terminal, as an HTML bar
 * that updates in place in Jupyter (one display, `update_display_data`), or given to
 * a callback; plain lines when stderr is not a terminal (logs, CI).
 *
 * @module
 */

/**
 * A snapshot of progress.
 *
 * @example
 * ```ts
 * const info: ProgressInfo = { label: "train", done: 5, total: 10, elapsedMs: 1000,
 *   rate: 5, etaMs: 1000, values: { loss: 0.5 } };
 * ```
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
};

/**
 * Where progress goes: `auto` picks Jupyter inside the Deno kernel, else the terminal.
 *
 * @example
 * ```ts
 * const out: ProgressOutput = "none";
 * ```
 */
export type ProgressOutput = "auto" | "terminal" | "jupyter" | "none";

/**
 * Options of {@link createProgress}.
 *
 * @example
 * ```ts
 * const options: ProgressOptions = { total: 100, label: "study", unit: "runs" };
 * ```
 */
export type ProgressOptions = {
  total: number;
  label?: string;
  unit?: string;
  output?: ProgressOutput;
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
 * const p: Progress = createProgress({ total: 3, output: "none" });
 * p.tick(1, { loss: 0.7 });
 * p.finish();
 * ```
 */
export type Progress = {
  tick(n?: number, values?: Record<string, number>): void;
  finish(): void;
  info(): ProgressInfo;
};

/**
 * Formats milliseconds as `1h02m`, `3m05s` or `12s`.
 *
 * @example
 * ```ts
 * formatDuration(185_000); // "3m05s"
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
 * One line of text for a progress snapshot: label, bar, count, rate, values, ETA.
 *
 * @example
 * ```ts
 * formatProgress({ label: "train", done: 5, total: 10, elapsedMs: 2000, rate: 2.5,
 *   etaMs: 2000, values: { loss: 0.5 } }, { width: 10, unit: "steps" });
 * // "train [#####.....] 5/10 steps 2.50/s loss 0.5000 ETA 2s"
 * ```
 */
export function formatProgress(
  info: ProgressInfo,
  options: { width?: number; unit?: string } = {},
): string {
  const width = options.width ?? 24;
  const fraction = info.total > 0 ? Math.min(1, info.done / info.total) : 0;
  const filled = Math.round(fraction * width);
  const bar = "#".repeat(filled) + ".".repeat(width - filled);
  const unit = options.unit ? ` ${options.unit}` : "";
  const values = Object.entries(info.values).map(([k, v]) => ` ${k} ${formatValue(v)}`).join("");
  const tail = info.done >= info.total
    ? ` in ${formatDuration(info.elapsedMs)}`
    : ` ETA ${formatDuration(info.etaMs)}`;
  return `${info.label} [${bar}] ${info.done}/${info.total}${unit} ${
    info.rate.toFixed(2)
  }/s${values}${tail}`;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * The HTML of a progress snapshot for Jupyter: a `<progress>` element and the text line.
 *
 * @example
 * ```ts
 * progressHtml({ label: "x", done: 1, total: 2, elapsedMs: 1, rate: 1, etaMs: 1, values: {} });
 * ```
 */
export function progressHtml(info: ProgressInfo, unit?: string): string {
  const text = escapeHtml(formatProgress(info, { width: 0, unit }).replace(" [] ", " "));
  return `<div style="font-family:monospace"><progress value="${info.done}" max="${info.total}" ` +
    `style="width:40%;vertical-align:middle"></progress> ${text}</div>`;
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

/**
 * Starts a progress display.
 *
 * @example
 * ```ts
 * const p = createProgress({ total: 40, label: "study", unit: "runs" });
 * for (let i = 0; i < 40; i++) p.tick(1, { f1: 0.8 });
 * p.finish();
 * ```
 */
export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? (() => performance.now());
  const label = options.label ?? "progress";
  const start = now();
  let done = 0;
  let values: Record<string, number> = {};
  let lastDraw = -Infinity;
  let output = options.output ?? "auto";
  const jupyter = output === "auto" || output === "jupyter" ? jupyterApi() : undefined;
  if (output === "auto") output = jupyter ? "jupyter" : "terminal";
  const tty = output === "terminal" && Deno.stderr.isTerminal();
  const minInterval = options.minIntervalMs ?? (output === "jupyter" ? 500 : tty ? 200 : 10_000);
  const displayId = `nerss-progress-${Deno.pid}-${++displayCounter}`;
  let shown = false;
  const encoder = new TextEncoder();

  const info = (): ProgressInfo => {
    const elapsedMs = now() - start;
    const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
    const etaMs = done > 0 ? ((options.total - done) * elapsedMs) / done : NaN;
    return { label, done, total: options.total, elapsedMs, rate, etaMs, values: { ...values } };
  };
  const draw = (force: boolean) => {
    const t = now();
    if (!force && t - lastDraw < minInterval) return;
    lastDraw = t;
    const snapshot = info();
    if (output === "terminal") {
      const line = formatProgress(snapshot, { unit: options.unit });
      Deno.stderr.writeSync(encoder.encode(tty ? `\r${line}\x1b[K` : `${line}\n`));
    } else if (output === "jupyter" && jupyter) {
      const html = progressHtml(snapshot, options.unit);
      const bundle = {
        "text/html": html,
        "text/plain": formatProgress(snapshot, { unit: options.unit }),
      };
      jupyter.display(bundle, { raw: true, update: shown, display_id: displayId }).catch(() => {});
      shown = true;
    }
  };
  return {
    tick(n = 1, newValues?: Record<string, number>) {
      done += n;
      if (newValues) values = { ...values, ...newValues };
      options.onProgress?.(info());
      draw(false);
    },
    finish() {
      draw(true);
      if (tty) Deno.stderr.writeSync(encoder.encode("\n"));
    },
    info,
  };
}
