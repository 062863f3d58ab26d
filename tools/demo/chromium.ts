/**
 * A page in headless Chromium driven over the DevTools protocol (a WebSocket; Chromium
 * picks the port and writes it to `DevToolsActivePort` in its profile folder): evaluate an
 * expression (promises awaited) and take a screenshot once the page says it is ready, which
 * a fixed `--screenshot` or `--virtual-time-budget` cannot wait for (the model loads
 * asynchronously). The page's uncaught errors and console errors are kept and named when
 * an evaluation fails.
 *
 * @module
 */

/** Where Debian installs Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/** Headless Chromium on a machine with no GPU and a closed network: no sandbox (root), and
 * none of the background connections that the closed network refuses. */
export const HEADLESS_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--hide-scrollbars",
];

/**
 * Options of {@link openInChromium}: the viewport in CSS pixels (default 1000 x 700), the
 * Chromium binary (default {@link CHROMIUM}) and how long one step may take (default 120 s).
 */
export type ChromiumOptions = {
  width?: number;
  height?: number;
  chromium?: string;
  timeoutMs?: number;
};

/**
 * A page open in headless Chromium: `evaluate` runs an expression in it and gives back its
 * value (JSON-like; a promise is awaited), `moveMouse` puts the pointer at a point of the
 * viewport (CSS pixels), `screenshot` is a PNG of the viewport, `errors` the page's uncaught
 * exceptions and console errors so far; `close` ends Chromium and removes its profile.
 */
export type ChromiumPage = {
  evaluate<T>(expression: string): Promise<T>;
  moveMouse(x: number, y: number): Promise<void>;
  screenshot(): Promise<Uint8Array>;
  errors: string[];
  close(): Promise<void>;
};

type Message = {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
};

async function waitFor<T>(
  what: string,
  timeoutMs: number,
  poll: () => Promise<T | undefined>,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await poll();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`openInChromium: ${what} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Opens `url` in headless Chromium and waits for its load event.
 *
 * @example
 * ```ts ignore
 * const page = await openInChromium("http://127.0.0.1:8000/");
 * try {
 *   console.log(await page.evaluate<string>("document.title"));
 *   await Deno.writeFile("page.png", await page.screenshot());
 * } finally {
 *   await page.close();
 * }
 * ```
 */
export async function openInChromium(
  url: string,
  o: ChromiumOptions = {},
): Promise<ChromiumPage> {
  const chromium = o.chromium ?? CHROMIUM;
  const timeoutMs = o.timeoutMs ?? 120_000;
  const width = o.width ?? 1000, height = o.height ?? 700;
  const profile = await Deno.makeTempDir({ prefix: "nerss-chromium-" });
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(chromium, {
      args: [
        ...HEADLESS_FLAGS,
        "--remote-debugging-port=0",
        `--user-data-dir=${profile}`,
        `--window-size=${width},${height}`,
        "about:blank",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    await Deno.remove(profile, { recursive: true });
    throw new Error(`openInChromium: cannot start ${chromium}: ${(e as Error).message}`);
  }
  let stderr = "";
  const drained = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (s) => void (stderr = (stderr + s).slice(-4000)) }),
  ).catch(() => {});
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  let socket: WebSocket | undefined;
  const close = async () => {
    socket?.close();
    if (!exited) child.kill("SIGTERM");
    await status;
    await drained;
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  };
  try {
    const port = await waitFor("no DevTools port", timeoutMs, async () => {
      if (exited) {
        throw new Error(`openInChromium: ${chromium} exited at start: ${stderr.trim()}`);
      }
      const text = await Deno.readTextFile(`${profile}/DevToolsActivePort`).catch(() => "");
      return /^\d+\n/.test(text) ? Number(text.split("\n")[0]) : undefined;
    });
    const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json() as {
      type: string;
      webSocketDebuggerUrl: string;
    }[];
    const target = targets.find((t) => t.type === "page");
    if (!target) throw new Error("openInChromium: Chromium opened no page");
    const ws = new WebSocket(target.webSocketDebuggerUrl);
    socket = ws;
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error("openInChromium: cannot connect to the page"));
    });
    const pending = new Map<number, (m: Message) => void>();
    const listeners = new Set<(m: Message) => void>();
    const errors: string[] = [];
    ws.onmessage = (event) => {
      const m = JSON.parse(event.data) as Message;
      if (m.id !== undefined) pending.get(m.id)?.(m);
      else listeners.forEach((f) => f(m));
    };
    listeners.add((m) => {
      if (m.method === "Runtime.exceptionThrown") {
        const d = m.params?.exceptionDetails as {
          text: string;
          exception?: { description?: string };
        };
        errors.push(d.exception?.description ?? d.text);
      } else if (m.method === "Runtime.consoleAPICalled" && m.params?.type === "error") {
        const args = m.params.args as { value?: unknown; description?: string }[];
        errors.push(args.map((a) => a.description ?? String(a.value)).join(" "));
      }
    });
    let nextId = 1;
    const send = (method: string, params: Record<string, unknown> = {}) => {
      const id = nextId++;
      return new Promise<Record<string, unknown>>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`openInChromium: ${method} took more than ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, (m) => {
          clearTimeout(timer);
          pending.delete(id);
          if (m.error) reject(new Error(`openInChromium: ${method}: ${m.error.message}`));
          else resolve(m.result ?? {});
        });
        ws.send(JSON.stringify({ id, method, params }));
      });
    };
    await send("Runtime.enable");
    await send("Page.enable");
    await send("Emulation.setDeviceMetricsOverride", {
      width,
      height,
      deviceScaleFactor: 1,
      mobile: false,
    });
    let loaded = false;
    listeners.add((m) => void (m.method === "Page.loadEventFired" && (loaded = true)));
    const nav = await send("Page.navigate", { url });
    if (nav.errorText) throw new Error(`openInChromium: cannot open ${url}: ${nav.errorText}`);
    await waitFor(`${url} did not load`, timeoutMs, () => Promise.resolve(loaded || undefined));
    return {
      errors,
      async evaluate<T>(expression: string): Promise<T> {
        const r = await send("Runtime.evaluate", {
          expression,
          awaitPromise: true,
          returnByValue: true,
        });
        const details = r.exceptionDetails as
          | { text: string; exception?: { description?: string } }
          | undefined;
        if (details) {
          const page = errors.length ? `; the page's errors: ${errors.join("; ")}` : "";
          throw new Error(
            `openInChromium: ${details.exception?.description ?? details.text}${page}`,
          );
        }
        return (r.result as { value: T }).value;
      },
      async moveMouse(x: number, y: number): Promise<void> {
        await send("Input.dispatchMouseEvent", { type: "mouseMoved", x, y });
      },
      async screenshot(): Promise<Uint8Array> {
        const r = await send("Page.captureScreenshot", { format: "png" });
        return Uint8Array.from(atob(r.data as string), (c) => c.charCodeAt(0));
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
