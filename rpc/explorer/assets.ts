/**
 * The explorer's static files, every one served by the node itself (no CDN): uPlot 1.6.32 (the
 * chart library, pinned in deno.json and read from its npm package) and the explorer's own
 * script and stylesheet in `static/`. Read once when the explorer starts.
 *
 * @module
 */

/** One static file. */
export interface Asset {
  /** The bytes served. */
  readonly body: Uint8Array<ArrayBuffer>;
  /** Its Content-Type. */
  readonly contentType: string;
}

const JS = "text/javascript; charset=utf-8";
const CSS = "text/css; charset=utf-8";

/** URL path under `/assets/` → where the file is read from and its type. */
const SOURCES: Record<string, [() => string, string]> = {
  "uPlot.iife.min.js": [() => import.meta.resolve("uplot/dist/uPlot.iife.min.js"), JS],
  "uPlot.min.css": [() => import.meta.resolve("uplot/dist/uPlot.min.css"), CSS],
  "explorer.js": [() => new URL("./static/explorer.js", import.meta.url).href, JS],
  "explorer.css": [() => new URL("./static/explorer.css", import.meta.url).href, CSS],
};

/** Reads every asset; throws with the file's name when one cannot be read. */
export async function loadExplorerAssets(): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  for (const [name, [locate, contentType]] of Object.entries(SOURCES)) {
    const url = locate();
    try {
      assets.set(name, { body: await Deno.readFile(new URL(url)), contentType });
    } catch (e) {
      throw new Error(`Cannot read explorer asset ${name} (${url}): ${(e as Error).message}`);
    }
  }
  return assets;
}
