/**
 * tools/publish.ts: the published site has an index linking each notebook's HTML
 * export, and the exported page really draws its figures in a browser. The page is
 * rendered by headless Chromium twice, once as published and once with every `<svg>`
 * made invisible (`visibility: hidden` keeps the layout), and the two screenshots are
 * compared pixel by pixel: what differs is exactly what the figures draw. As a
 * control, the same notebook exported with only its `image/svg+xml` outputs (the
 * `text/html` copies removed) draws next to nothing, which is why figures carry both.
 *
 * @module
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { decode } from "fast-png";
import { countFigures, indexHtml, notebookTitle, publish } from "../../tools/publish.ts";
import { CHROMIUM, HEADLESS_FLAGS } from "../../tools/demo/chromium.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const NOTEBOOK = "notebooks/02-sampling-design.ipynb";
const WIDTH = 1000, HEIGHT = 3000;

/** Only the outputs are shown, so that all figures fit in one screenshot. */
const OUTPUTS_ONLY =
  ".jp-Cell-inputWrapper, .jp-MarkdownCell, .jp-OutputPrompt { display: none !important; }";
const HIDE_SVG = "svg { visibility: hidden !important; }";

async function screenshot(html: string, dir: string, name: string) {
  const page = join(dir, `${name}.html`), png = join(dir, `${name}.png`);
  await Deno.writeTextFile(page, html);
  const profile = await Deno.makeTempDir({ dir, prefix: "chromium-profile-" });
  const { code, stderr } = await new Deno.Command(CHROMIUM, {
    args: [
      ...HEADLESS_FLAGS,
      `--user-data-dir=${profile}`,
      `--window-size=${WIDTH},${HEIGHT}`,
      `--screenshot=${png}`,
      `file://${page}`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, `chromium failed: ${new TextDecoder().decode(stderr)}`);
  const image = decode(await Deno.readFile(png));
  assert.equal(image.width, WIDTH);
  assert.equal(image.height, HEIGHT);
  return image;
}

function withStyle(html: string, css: string): string {
  assert.ok(html.includes("</head>"), "exported page has no </head>");
  return html.replace("</head>", `<style>${css}</style></head>`);
}

type Image = ReturnType<typeof decode>;

/** Pixels that differ between two screenshots, and how many of them are coloured. */
function difference(a: Image, b: Image): { pixels: number; coloured: number; rows: number } {
  const ca = a.channels, cb = b.channels;
  let pixels = 0, coloured = 0, rows = 0;
  for (let y = 0; y < a.height; y++) {
    let rowDiffers = false;
    for (let x = 0; x < a.width; x++) {
      const i = (y * a.width + x) * ca, j = (y * b.width + x) * cb;
      const d = Math.abs(a.data[i] - b.data[j]) + Math.abs(a.data[i + 1] - b.data[j + 1]) +
        Math.abs(a.data[i + 2] - b.data[j + 2]);
      if (d <= 30) continue;
      pixels++;
      rowDiffers = true;
      const r = a.data[i], g = a.data[i + 1], bl = a.data[i + 2];
      if (Math.max(r, g, bl) - Math.min(r, g, bl) > 60) coloured++;
    }
    if (rowDiffers) rows++;
  }
  return { pixels, coloured, rows };
}

Deno.test("notebookTitle, countFigures and indexHtml", () => {
  const nb = {
    cells: [
      { cell_type: "code", source: "1", outputs: [{ data: { "text/plain": "1" } }] },
      { cell_type: "markdown", source: ["intro\n", "## 2. Sampling <design>\n"] },
      { cell_type: "code", source: "", outputs: [{ data: { "image/svg+xml": "<svg/>" } }, {}] },
    ],
  };
  assert.equal(notebookTitle(nb, "x/02-design.ipynb"), "2. Sampling <design>");
  assert.equal(notebookTitle({ cells: [] }, "x/02-design.ipynb"), "02-design");
  assert.equal(notebookTitle({ metadata: { nerss: { title: "T" } }, ...nb }, "a.ipynb"), "T");
  assert.equal(countFigures(nb), 1);
  const html = indexHtml([
    { title: "2. Sampling <design>", html: "02 design.html", ipynb: "02 design.ipynb", figures: 1 },
  ], "Supplement & more");
  assert.match(html, /<title>Supplement &amp; more<\/title>/);
  assert.match(
    html,
    /<li><a href="02%20design\.html">2\. Sampling &lt;design&gt;<\/a> \(1 figure; <a href="02%20design\.ipynb">executed notebook<\/a>\)<\/li>/,
  );
});

Deno.test("publish writes an index and HTML pages whose figures Chromium draws", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nerss-publish-" });
  try {
    const site = join(dir, "site");
    await Deno.mkdir(site);
    await Deno.writeTextFile(join(site, "stale.txt"), "from an earlier site");
    const pages = await publish({ notebooks: [join(ROOT, NOTEBOOK)], site });
    assert.equal(pages.length, 1);
    assert.equal(pages[0].html, "02-sampling-design.html");
    assert.ok(pages[0].figures >= 3, `${pages[0].figures} figures`);
    const names = [...Deno.readDirSync(site)].map((e) => e.name).sort();
    assert.deepEqual(names, ["02-sampling-design.html", "02-sampling-design.ipynb", "index.html"]);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["site"]); // no temporaries left
    const index = await Deno.readTextFile(join(site, "index.html"));
    assert.match(index, /<a href="02-sampling-design\.html">Sampling design<\/a>/);

    const html = await Deno.readTextFile(join(site, pages[0].html));
    const shown = await screenshot(withStyle(html, OUTPUTS_ONLY), dir, "shown");
    const hidden = await screenshot(withStyle(html, OUTPUTS_ONLY + HIDE_SVG), dir, "hidden");
    const drawn = difference(shown, hidden);
    // Three figures of 160-360 px height (two of them scatter plots of 200 coloured dots).
    assert.ok(drawn.rows >= 600, `figures span ${drawn.rows} pixel rows`);
    assert.ok(drawn.pixels >= 20000, `figures draw ${drawn.pixels} pixels`);
    assert.ok(drawn.coloured >= 2000, `figures draw ${drawn.coloured} coloured pixels`);

    // Control: the same outputs as image/svg+xml only, the way nbconvert exports them.
    const nb = JSON.parse(await Deno.readTextFile(join(site, pages[0].ipynb)));
    for (const cell of nb.cells) {
      for (const o of cell.outputs ?? []) {
        if (o.data?.["image/svg+xml"] !== undefined) delete o.data["text/html"];
      }
    }
    const svgOnly = join(dir, "svg-only.ipynb");
    await Deno.writeTextFile(svgOnly, JSON.stringify(nb));
    const { code } = await new Deno.Command("/usr/bin/jupyter", {
      args: ["nbconvert", "--to", "html", "--output-dir", dir, svgOnly],
      stdout: "null",
      stderr: "null",
    }).output();
    assert.equal(code, 0);
    const control = await Deno.readTextFile(join(dir, "svg-only.html"));
    const controlShown = await screenshot(withStyle(control, OUTPUTS_ONLY), dir, "c-shown");
    const controlHidden = await screenshot(
      withStyle(control, OUTPUTS_ONLY + HIDE_SVG),
      dir,
      "c-hidden",
    );
    const controlDrawn = difference(controlShown, controlHidden);
    assert.ok(
      controlDrawn.coloured < drawn.coloured / 10,
      `svg-only export draws ${controlDrawn.coloured} coloured pixels (published: ${drawn.coloured})`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
