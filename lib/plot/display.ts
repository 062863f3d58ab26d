/**
 * Jupyter display for what the toolkit shows: Observable Plot figures as SVG (with
 * `xmlns`, and inline in `text/html` as well, because Debian's nbconvert HTML export
 * drops the shapes of `image/svg+xml` outputs) and arquero tables as HTML. Objects
 * carry the `Symbol.for("Jupyter.display")` method that Deno's kernel calls, so
 * library code never needs `Deno.jupyter`.
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
 * const bundle = htmlDisplay("<b>hi</b>")[JUPYTER_DISPLAY]();
 * ```
 */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for(
  "Jupyter.display",
) as typeof JUPYTER_DISPLAY;

/**
 * A MIME bundle as Jupyter frontends take it.
 *
 * @example
 * ```ts
 * const bundle: MimeBundle = { "text/plain": "hello" };
 * ```
 */
export type MimeBundle = Record<string, string>;

/**
 * Something the Deno kernel displays through its MIME bundle.
 *
 * @example
 * ```ts
 * const d: Displayable = htmlDisplay("<b>hi</b>");
 * d[JUPYTER_DISPLAY](); // { "text/html": "<b>hi</b>", ... }
 * ```
 */
export type Displayable = { [JUPYTER_DISPLAY]: () => MimeBundle };

/**
 * A rendered figure: the SVG markup (standalone, with `xmlns`), the HTML to embed
 * (the SVG or Plot's `<figure>` with legends), and Jupyter display.
 *
 * @example
 * ```ts
 * const fig: Figure = plotFigure({ marks: [] });
 * await Deno.writeTextFile("plot.svg", fig.svg);
 * ```
 */
export type Figure = Displayable & { svg: string; html: string };

/** The few DOM members this module reads (Deno's type libraries have no DOM). */
type DomNode = {
  tagName: string;
  outerHTML: string;
  children: ArrayLike<DomNode>;
};
type PlotDocument = NonNullable<Plot.PlotOptions["document"]>;

let plotDocument: PlotDocument | undefined;

/**
 * The linkedom document Observable Plot renders into (Plot needs a DOM; Deno has none).
 *
 * @example
 * ```ts
 * import * as Plot from "@observablehq/plot";
 * const svg = Plot.plot({ document: domDocument(), marks: [Plot.dot([1, 2])] });
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

/**
 * Renders Observable Plot options to a {@link Figure} (SVG and HTML), displayed inline by the
 * Deno kernel as `image/svg+xml` and `text/html`.
 *
 * @example
 * ```ts
 * import * as Plot from "@observablehq/plot";
 * plotFigure({ marks: [Plot.dot([{ x: 1, y: 2 }], { x: "x", y: "y" })] }); // shows in Jupyter
 * ```
 */
export function plotFigure(options: Plot.PlotOptions): Figure {
  const node = Plot.plot({ ...options, document: domDocument() }) as unknown as DomNode;
  // A figure holds legends (with swatch svgs) first, then the plot's own svg as a direct child.
  const svgNode = node.tagName.toLowerCase() === "svg"
    ? node
    : Array.from(node.children).findLast((c) => c.tagName.toLowerCase() === "svg");
  if (!svgNode) throw new Error("plotFigure: Plot produced no <svg>");
  const svg = withXmlns(svgNode.outerHTML);
  const html = node === svgNode ? svg : withXmlns(node.outerHTML);
  return {
    svg,
    html,
    [JUPYTER_DISPLAY]: () => ({
      "image/svg+xml": svg,
      "text/html": html,
      "text/plain": "[figure]",
    }),
  };
}

/**
 * Wraps HTML so the Deno kernel displays it.
 *
 * @example
 * ```ts
 * htmlDisplay("<table><tr><td>1</td></tr></table>");
 * ```
 */
export function htmlDisplay(html: string, text = "[html]"): Displayable {
  return { [JUPYTER_DISPLAY]: () => ({ "text/html": html, "text/plain": text }) };
}

/**
 * Something with arquero's `toHTML` (an arquero table).
 *
 * @example
 * ```ts
 * import * as aq from "arquero";
 * const t: HtmlTable = aq.table({ a: [1] });
 * ```
 */
export type HtmlTable = { toHTML(options?: { limit?: number }): string; numRows(): number };

/**
 * Displays an arquero table as an HTML table (arquero alone shows a raw object dump).
 *
 * @example
 * ```ts
 * import * as aq from "arquero";
 * tableDisplay(aq.table({ model: ["bert"], f1: [0.91] }));
 * ```
 */
export function tableDisplay(table: HtmlTable, options: { limit?: number } = {}): Displayable {
  const limit = options.limit ?? 50;
  const note = table.numRows() > limit ? `<p>${limit} of ${table.numRows()} rows</p>` : "";
  return htmlDisplay(table.toHTML({ limit }) + note, `[table: ${table.numRows()} rows]`);
}
