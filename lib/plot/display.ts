/**
 * Jupyter display for what the toolkit shows: Observable Plot figures as SVG (with
 * `xmlns`, and inline in `text/html` as well, because Debian's nbconvert HTML export
 * drops the shapes of `image/svg+xml` outputs), tables as HTML with formatted numbers,
 * and values as plain text without terminal colour codes; each with a `text/plain`
 * summary that says what is shown. Objects carry the `Symbol.for("Jupyter.display")`
 * method that Deno's kernel calls, so library code never needs `Deno.jupyter`.
 *
 * @module
 */
import * as Plot from "../deps/plot.ts";
import { parseHTML } from "../deps/linkedom.ts";

/**
 * The symbol Deno's Jupyter kernel looks up to display an object (`Symbol.for("Jupyter.display")`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { htmlDisplay, JUPYTER_DISPLAY } from "./display.ts";
 * assert.equal(htmlDisplay("<b>hi</b>")[JUPYTER_DISPLAY]()["text/plain"], "hi");
 * ```
 */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for(
  "Jupyter.display",
) as typeof JUPYTER_DISPLAY;

/**
 * A MIME bundle as Jupyter frontends take it.
 */
export type MimeBundle = Record<string, string>;

/**
 * Something the Deno kernel displays through its MIME bundle.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Displayable, htmlDisplay, JUPYTER_DISPLAY } from "./display.ts";
 * const d: Displayable = htmlDisplay("<b>hi</b>");
 * assert.equal(d[JUPYTER_DISPLAY]()["text/html"], "<b>hi</b>");
 * ```
 */
export type Displayable = { [JUPYTER_DISPLAY]: () => MimeBundle };

/**
 * A rendered figure: the SVG markup (standalone, with `xmlns`), the HTML to embed
 * (the SVG or Plot's `<figure>` with legends and caption), a plain-text summary, and
 * Jupyter display.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Figure, plotFigure } from "./display.ts";
 * const fig: Figure = plotFigure({ marks: [] });
 * assert.match(fig.svg, /^<svg xmlns=/); // standalone: save it as an .svg file
 * ```
 */
export type Figure = Displayable & { svg: string; html: string; text: string };

/** The few DOM members this module reads (Deno's type libraries have no DOM). */
type DomNode = {
  tagName: string;
  outerHTML: string;
  textContent: string | null;
  children: ArrayLike<DomNode>;
  getAttribute(name: string): string | null;
};
type PlotDocument = NonNullable<Plot.PlotOptions["document"]>;

let plotDocument: PlotDocument | undefined;

/**
 * The linkedom document Observable Plot renders into (Plot needs a DOM; Deno has none).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as Plot from "npm:@observablehq/plot@0.6.17";
 * import { domDocument } from "./display.ts";
 * const svg = Plot.plot({ document: domDocument(), marks: [Plot.dotX([1, 2])] });
 * assert.match(svg.outerHTML, /^<svg /);
 * assert.equal(svg.querySelectorAll("circle").length, 2); // a dot per value
 * ```
 */
export function domDocument(): PlotDocument {
  plotDocument ??= (parseHTML("<!DOCTYPE html><html><body></body></html>") as unknown as {
    document: PlotDocument;
  }).document;
  return plotDocument;
}

function withXmlns(svg: string): string {
  return svg.replace(/<svg(?![^>]*\bxmlns=)/g, '<svg xmlns="http://www.w3.org/2000/svg"');
}

/** Marks that are scaffolding, not data: left out of a figure's text summary. */
const SCAFFOLD = /^(?:[xy]|fx|fy)-(?:axis|grid)|^frame$|^tip$/;

/** What a rendered Plot SVG draws: each mark's name and number of shapes, in order. */
function markSummary(svg: DomNode): string {
  const parts: string[] = [];
  const visit = (node: DomNode) => {
    for (const child of Array.from(node.children)) {
      const label = child.getAttribute("aria-label");
      if (child.tagName.toLowerCase() !== "g" || label === null) continue;
      if (SCAFFOLD.test(label) || label.startsWith("fx-") || label.startsWith("fy-")) continue;
      if (label === "facet") {
        visit(child);
        continue;
      }
      const shapes = (child.outerHTML.match(/<(?:circle|rect|path|line|text|image)\b/g) ?? [])
        .length;
      parts.push(`${label} ×${shapes}`);
    }
  };
  visit(svg);
  // Facets repeat each mark per panel: add them up by name.
  const totals = new Map<string, number>();
  for (const p of parts) {
    const [name, n] = p.split(" ×");
    totals.set(name, (totals.get(name) ?? 0) + Number(n));
  }
  return [...totals].map(([name, n]) => `${name} ×${n}`).join(", ");
}

function axisLabel(label: unknown): string | undefined {
  return typeof label === "string" && label !== "" ? label : undefined;
}

/**
 * Renders Observable Plot options to a {@link Figure} (SVG and HTML), displayed inline by the
 * Deno kernel as `image/svg+xml` and `text/html`. Its `text/plain` is `text` when given,
 * else a summary from the options and the drawing: title or caption, axis labels and the
 * marks with their number of shapes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as Plot from "npm:@observablehq/plot@0.6.17";
 * import { plotFigure } from "./display.ts";
 * const fig = plotFigure({ x: { label: "n" }, marks: [Plot.dot([{ n: 1 }, { n: 2 }], { x: "n" })] });
 * assert.equal(fig.text, "figure: x: n; dot ×2");
 * ```
 */
export function plotFigure(options: Plot.PlotOptions, summary: { text?: string } = {}): Figure {
  const node = Plot.plot({ ...options, document: domDocument() }) as unknown as DomNode;
  // A figure holds legends (with swatch svgs) first, then the plot's own svg as a direct child.
  const svgNode = node.tagName.toLowerCase() === "svg"
    ? node
    : Array.from(node.children).findLast((c) => c.tagName.toLowerCase() === "svg");
  if (!svgNode) throw new Error("plotFigure: Plot produced no <svg>");
  const svg = withXmlns(svgNode.outerHTML);
  const html = node === svgNode ? svg : withXmlns(node.outerHTML);
  const title = [options.title, options.caption].filter((t) => typeof t === "string" && t)
    .join(" ");
  const axes = [
    ["x", axisLabel(options.x?.label)],
    ["y", axisLabel(options.y?.label)],
  ].filter(([, l]) => l).map(([a, l]) => `${a}: ${l}`).join(", ");
  const text = summary.text ??
    `figure: ${[title, axes, markSummary(svgNode)].filter((s) => s).join("; ")}`;
  return {
    svg,
    html,
    text,
    [JUPYTER_DISPLAY]: () => ({ "image/svg+xml": svg, "text/html": html, "text/plain": text }),
  };
}

const ENTITIES: Record<string, string> = {
  "&amp;": "&",
  "&lt;": "<",
  "&gt;": ">",
  "&quot;": '"',
  "&#39;": "'",
  "&nbsp;": " ",
};

/** The text of some HTML: tags dropped, block ends as line breaks, entities decoded. */
function htmlText(html: string): string {
  return html
    .replace(/<(?:style|script)\b[\s\S]*?<\/(?:style|script)>/gi, "")
    .replace(/<br\s*\/?>|<\/(?:p|div|li|tr|h\d|pre)>/gi, "\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&(?:amp|lt|gt|quot|#39|nbsp);/g, (e) => ENTITIES[e])
    .split("\n").map((l) => l.replace(/[ \t]+/g, " ").trim()).filter((l) => l).join("\n");
}

/**
 * Wraps HTML so the Deno kernel displays it; its plain text (`text`, default: the
 * HTML's text without tags) is what a frontend without HTML shows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { htmlDisplay, JUPYTER_DISPLAY } from "./display.ts";
 * const bundle = htmlDisplay("<p>F1 <b>0.91</b></p>")[JUPYTER_DISPLAY]();
 * assert.equal(bundle["text/plain"], "F1 0.91");
 * ```
 */
export function htmlDisplay(html: string, text?: string): Displayable {
  const plain = text ?? htmlText(html);
  return { [JUPYTER_DISPLAY]: () => ({ "text/html": html, "text/plain": plain }) };
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/**
 * Shows any value as Deno prints it, without terminal colour codes (a cell whose last
 * expression is a plain object shows it with ANSI colour codes in Deno's kernel).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inspectDisplay, JUPYTER_DISPLAY } from "./display.ts";
 * const bundle = inspectDisplay({ a: 1, b: "x" })[JUPYTER_DISPLAY]();
 * assert.equal(bundle["text/plain"], '{ a: 1, b: "x" }');
 * ```
 */
export function inspectDisplay(value: unknown): Displayable {
  const text = Deno.inspect(value, { colors: false, depth: 6, breakLength: 100 });
  return htmlDisplay(`<pre>${escapeHtml(text)}</pre>`, text);
}

/**
 * An arquero table or anything with the same three methods: its rows as objects, its
 * column names, its number of rows.
 */
export type TableLike = {
  objects(options?: { limit?: number }): object[];
  columnNames(): string[];
  numRows(): number;
};

/**
 * Options of {@link tableDisplay}: the number of rows to show (default 50), the decimals
 * of given columns (default: four significant digits at the column's largest value, at
 * most 3 decimals, the same for the whole column), a formatter per column, and the
 * columns to show (default all, in order).
 */
export type TableOptions = {
  limit?: number;
  digits?: Record<string, number>;
  format?: Record<string, (value: unknown) => string>;
  columns?: string[];
};

/**
 * A rendered table: its HTML, its plain text (columns aligned) and Jupyter display.
 */
export type TableDisplay = Displayable & { html: string; text: string };

/** Decimals that give a column four significant digits at its largest value (0-3). */
function columnDigits(values: number[]): number {
  const max = Math.max(0, ...values.filter(Number.isFinite).map(Math.abs));
  if (max === 0) return 0;
  return Math.min(3, Math.max(0, 3 - Math.floor(Math.log10(max))));
}

/**
 * Writes a number for a table: integers with thousands separators, others with `digits`
 * decimals (exponential notation when that would show a non-zero value as 0), NaN as
 * "–", infinities as "∞".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatNumber } from "./display.ts";
 * assert.equal(formatNumber(1286), "1,286");
 * assert.equal(formatNumber(1.583333, 3), "1.583");
 * assert.equal(formatNumber(2775.131936, 0), "2,775");
 * assert.equal(formatNumber(3.2e-9, 3), "3.20e-9");
 * assert.equal(formatNumber(NaN), "–");
 * ```
 */
export function formatNumber(value: number, digits?: number): string {
  if (Number.isNaN(value)) return "–";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "−∞";
  if (digits === undefined && Number.isInteger(value)) return value.toLocaleString("en");
  const d = digits ?? columnDigits([value]);
  if (value !== 0 && Math.abs(value) < 0.5 * 10 ** -d) return value.toExponential(2);
  return value.toLocaleString("en", { minimumFractionDigits: d, maximumFractionDigits: d });
}

const NUMERIC = /^[-−+]?\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?%?$/;

function cellText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return v.map(cellText).join(", ");
  if (typeof v === "object") return Deno.inspect(v, { colors: false, compact: true });
  return String(v);
}

/**
 * Displays a table (an arquero table or an array of row objects) as an HTML table with
 * formatted numbers, right-aligned; its plain text is the same table with aligned
 * columns. When rows are left out, a note says how many are shown.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tableDisplay } from "./display.ts";
 * const t = tableDisplay([{ set: "train", eps: 1.583333 }, { set: "test", eps: 0.52 }]);
 * assert.equal(t.text, "set      eps\ntrain  1.583\ntest   0.520");
 * ```
 */
export function tableDisplay(
  table: TableLike | readonly Record<string, unknown>[],
  options: TableOptions = {},
): TableDisplay {
  const limit = options.limit ?? 50;
  const isRows = Array.isArray(table);
  const total = isRows ? table.length : (table as TableLike).numRows();
  const rows =
    (isRows
      ? (table as readonly Record<string, unknown>[]).slice(0, limit)
      : (table as TableLike).objects({ limit })) as Record<string, unknown>[];
  const names = options.columns ??
    (isRows ? [...new Set(rows.flatMap((r) => Object.keys(r)))] : (table as TableLike)
      .columnNames());
  const columns = names.map((name) => {
    const values = rows.map((r) => r[name]);
    const present = values.filter((v) => v !== null && v !== undefined);
    const nums = present.filter((v): v is number => typeof v === "number");
    // Numbers, and numbers the caller wrote as text ("455", "1.44"), are right-aligned.
    const numeric = present.length > 0 &&
      present.every((v) => typeof v === "number" || (typeof v === "string" && NUMERIC.test(v)));
    const digits = options.digits?.[name] ??
      (nums.length > 0 && !nums.every((v) => Number.isInteger(v) || !Number.isFinite(v))
        ? columnDigits(nums)
        : undefined);
    const format = options.format?.[name] ??
      ((v: unknown) => typeof v === "number" ? formatNumber(v, digits) : cellText(v));
    return { name, numeric, cells: values.map((v) => format(v)) };
  });
  const align = (c: { numeric: boolean }) => c.numeric ? "right" : "left";
  const note = total > rows.length ? `${rows.length} of ${total.toLocaleString("en")} rows` : "";
  const html = "<table><thead><tr>" +
    columns.map((c) => `<th style="text-align: ${align(c)}">${escapeHtml(c.name)}</th>`).join("") +
    "</tr></thead><tbody>" +
    rows.map((_, i) =>
      "<tr>" +
      columns.map((c) => `<td style="text-align: ${align(c)}">${escapeHtml(c.cells[i])}</td>`)
        .join("") +
      "</tr>"
    ).join("") +
    "</tbody></table>" + (note ? `<p>${note}</p>` : "");
  const widths = columns.map((c) => Math.max(c.name.length, ...c.cells.map((s) => s.length)));
  const pad = (s: string, i: number) =>
    columns[i].numeric ? s.padStart(widths[i]) : s.padEnd(widths[i]);
  const lines = [
    columns.map((c, i) => pad(c.name, i)).join("  ").trimEnd(),
    ...rows.map((_, r) => columns.map((c, i) => pad(c.cells[r], i)).join("  ").trimEnd()),
  ];
  const text = lines.join("\n") + (note ? `\n(${note})` : "");
  return {
    html,
    text,
    [JUPYTER_DISPLAY]: () => ({ "text/html": html, "text/plain": text }),
  };
}
