/**
 * A headless Chromium driven over the Chrome DevTools Protocol (CDP) on one WebSocket, for the
 * explorer's browser test. Written for Deno's own permissions: playwright-core runs under Deno
 * only with `--allow-all` (it probes /proc/sys for WSL), while this needs nothing beyond the test
 * task's `--allow-run --allow-net --allow-read --allow-write`.
 *
 * The browser is started with `--remote-debugging-port=0` and a throwaway profile; it prints its
 * endpoint ("DevTools listening on ws://…") on stderr. Each page is a target attached with
 * `flatten: true`, so its commands travel on the browser's socket with a session id.
 *
 * @module
 */

/** An error the protocol returned for a command. */
export class CdpError extends Error {}

type Message = {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
};

/** A running headless Chromium. */
export class CdpBrowser {
  readonly #child: Deno.ChildProcess;
  readonly #socket: WebSocket;
  readonly #pending = new Map<
    number,
    { resolve: (r: unknown) => void; reject: (e: Error) => void }
  >();
  readonly #listeners = new Set<(m: Message) => void>();
  #nextId = 1;
  #stderr = "";

  private constructor(child: Deno.ChildProcess, socket: WebSocket, stderr: string) {
    this.#child = child;
    this.#socket = socket;
    this.#stderr = stderr;
    socket.onmessage = (e) => {
      const m = JSON.parse(e.data as string) as Message;
      if (m.id !== undefined) {
        const p = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        if (m.error) p?.reject(new CdpError(m.error.message));
        else p?.resolve(m.result ?? {});
      } else {
        for (const l of this.#listeners) l(m);
      }
    };
  }

  /**
   * Starts Chromium from `executable` with its profile in `profileDir`; throws with the browser's
   * own output when it exits or prints no endpoint within `timeoutMs`.
   */
  static async launch(
    executable: string,
    profileDir: string,
    timeoutMs = 30_000,
  ): Promise<CdpBrowser> {
    const child = new Deno.Command(executable, {
      args: [
        "--headless",
        "--no-sandbox", // the CI machine runs as root, where Chromium's sandbox refuses to start
        "--disable-gpu",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
        `--user-data-dir=${profileDir}`,
        "about:blank",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let stderr = "";
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    const endpoint = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Chromium printed no DevTools endpoint:\n${stderr}`)),
        timeoutMs,
      );
      (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          stderr += value;
          const m = stderr.match(/DevTools listening on (ws:\/\/\S+)/);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
            return;
          }
        }
        clearTimeout(timer);
        reject(new Error(`Chromium exited before it was ready:\n${stderr}`));
      })().catch(reject);
    }).catch(async (e) => {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.status;
      throw e;
    });
    // Keep draining stderr so the browser never blocks on a full pipe.
    (async () => {
      for (;;) {
        const { done } = await reader.read().catch(() => ({ done: true }));
        if (done) return;
      }
    })();
    const socket = new WebSocket(endpoint);
    await new Promise<void>((resolve, reject) => {
      socket.onopen = () => resolve();
      socket.onerror = () => reject(new Error(`Cannot connect to ${endpoint}`));
    });
    return new CdpBrowser(child, socket, stderr);
  }

  /** What the browser printed on stderr until it was ready. */
  get startupLog(): string {
    return this.#stderr;
  }

  /** Sends a command (on a page's session when `sessionId` is given) and returns its result. */
  send<T = Record<string, unknown>>(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
  ): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (r: unknown) => void, reject });
      this.#socket.send(
        JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }),
      );
    });
  }

  /** Calls `listener` with every event; returns the function that removes it. */
  onEvent(listener: (m: Message) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Opens a blank page of `width` × `height` CSS pixels. */
  async newPage(width = 1280, height = 1000): Promise<CdpPage> {
    const { targetId } = await this.send<{ targetId: string }>("Target.createTarget", {
      url: "about:blank",
    });
    const { sessionId } = await this.send<{ sessionId: string }>("Target.attachToTarget", {
      targetId,
      flatten: true,
    });
    const page = new CdpPage(this, sessionId);
    await page.send("Page.enable");
    await page.send("Runtime.enable");
    await page.send("Emulation.setDeviceMetricsOverride", {
      width,
      height,
      deviceScaleFactor: 1,
      mobile: false,
    });
    return page;
  }

  /** Closes the browser and waits for the process to end. */
  async close(): Promise<void> {
    await this.send("Browser.close").catch(() => {});
    this.#socket.close();
    const timer = setTimeout(() => {
      try {
        this.#child.kill("SIGKILL");
      } catch { /* already gone */ }
    }, 5_000);
    await this.#child.status;
    clearTimeout(timer);
  }
}

/** One page (tab) of a {@linkcode CdpBrowser}. */
export class CdpPage {
  readonly #browser: CdpBrowser;
  readonly #sessionId: string;
  /** Uncaught exceptions the page's scripts threw. */
  readonly errors: string[] = [];

  constructor(browser: CdpBrowser, sessionId: string) {
    this.#browser = browser;
    this.#sessionId = sessionId;
    browser.onEvent((m) => {
      if (m.sessionId !== sessionId || m.method !== "Runtime.exceptionThrown") return;
      const details = m.params?.exceptionDetails as { exception?: { description?: string } };
      this.errors.push(details?.exception?.description ?? JSON.stringify(details));
    });
  }

  /** Sends a command on this page's session. */
  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}) {
    return this.#browser.send<T>(method, params, this.#sessionId);
  }

  /** Resolves at the next event `method` of this page. */
  #nextEvent(method: string, timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`No ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.#browser.onEvent((m) => {
        if (m.sessionId === this.#sessionId && m.method === method) {
          clearTimeout(timer);
          off();
          resolve();
        }
      });
    });
  }

  /** Loads `url` and waits for its load event. */
  async goto(url: string): Promise<void> {
    const loaded = this.#nextEvent("Page.loadEventFired");
    const { errorText } = await this.send<{ errorText?: string }>("Page.navigate", { url });
    if (errorText) throw new Error(`Cannot load ${url}: ${errorText}`);
    await loaded;
  }

  /** The JSON value of `expression` evaluated in the page (promises awaited). */
  async evaluate<T>(expression: string): Promise<T> {
    const reply = await this.send<{
      result: { value?: unknown };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    }>("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true });
    if (reply.exceptionDetails) {
      const d = reply.exceptionDetails;
      throw new Error(`${expression}: ${d.exception?.description ?? d.text}`);
    }
    return reply.result.value as T;
  }

  /** The text of the first element matching `selector` (null when none). */
  textOf(selector: string): Promise<string | null> {
    return this.evaluate(
      `document.querySelector(${JSON.stringify(selector)})?.textContent?.trim() ?? null`,
    );
  }

  /** Clicks the middle of the first element matching `selector` with the mouse; waits for the load. */
  async clickAndLoad(selector: string): Promise<void> {
    const box = await this.evaluate<{ x: number; y: number } | null>(`(() => {
      const el = document.querySelector(${JSON.stringify(selector)});
      if (!el) return null;
      el.scrollIntoView({ block: "center" });
      const r = el.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    })()`);
    if (!box) throw new Error(`No element ${selector} to click`);
    const loaded = this.#nextEvent("Page.loadEventFired");
    for (const type of ["mousePressed", "mouseReleased"]) {
      await this.send("Input.dispatchMouseEvent", {
        type,
        x: box.x,
        y: box.y,
        button: "left",
        clickCount: 1,
      });
    }
    await loaded;
  }

  /** Saves a PNG of the whole page (beyond the viewport) to `path`. */
  async screenshot(path: string): Promise<void> {
    const { cssContentSize: size } = await this.send<{
      cssContentSize: { width: number; height: number };
    }>("Page.getLayoutMetrics");
    const { data } = await this.send<{ data: string }>("Page.captureScreenshot", {
      format: "png",
      captureBeyondViewport: true,
      clip: { x: 0, y: 0, width: size.width, height: size.height, scale: 1 },
    });
    await Deno.writeFile(path, Uint8Array.from(atob(data), (c) => c.charCodeAt(0)));
  }
}
