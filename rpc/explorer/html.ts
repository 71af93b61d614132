/**
 * The explorer's HTML: one layout (title, navigation, search box, the node's stylesheet and
 * scripts, all served by the node) and small formatting helpers. Pages are written with Hono's
 * `html` tagged template, which escapes every interpolated string, so chain data (addresses,
 * policy text, user prompts) can never inject markup; `raw` is used only for markup built here.
 *
 * @module
 */
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { toHex } from "../../core/crypto/keccak.ts";
import { formatRnt } from "../../core/primitives/amount.ts";

export { html, raw };

/** A fragment of HTML (escaped where it came from data). */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** Navigation entries: path and label. */
const NAV: readonly [string, string][] = [
  ["/", "Tip"],
  ["/blocks", "Blocks"],
  ["/mempool", "Mempool"],
  ["/peers", "Peers"],
  ["/model", "Model"],
];

/** What the layout needs besides the page body. */
export interface LayoutOptions {
  /** Network name, shown beside the title. */
  readonly network: string;
  /** Load the chart library and the live-update script (pages with plots or live data). */
  readonly charts?: boolean;
}

/** The whole document around `body`. */
export function layout(title: string, body: Html, options: LayoutOptions): Html {
  return html`
    <!doctype html>
    <html lang="en">
      <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${title} · rnt explorer</title>
    <link rel="stylesheet" href="/assets/explorer.css">
    ${options.charts ? raw('<link rel="stylesheet" href="/assets/uPlot.min.css">') : ""}
      </head>
      <body>
    <header>
    <a class="brand" href="/">rnt explorer</a> <span class="network">${options.network}</span>
    <nav>${NAV.map(([path, label]) => html`<a href="${path}">${label}</a>`)}</nav>
    <form action="/search" method="get"><input name="q" placeholder="height, block hash, txid or address" aria-label="Search"></form>
    </header>
    <main>
    <h1>${title}</h1>
    ${body}
    </main>
    ${options.charts
      ? raw(
        '<script src="/assets/uPlot.iife.min.js"></script>\n<script src="/assets/explorer.js"></script>',
      )
      : ""}
      </body>
    </html>
  `;
}

/** A two-column table of label → value rows. */
export function facts(rows: readonly [string, unknown][], id?: string): Html {
  return html`
    <table class="facts" ${id ? raw(` id="${id}"`) : ""}>${rows.map(([k, v]) =>
      html`
        <tr>
          <th>${k}</th>
          <td>${v}</td>
        </tr>
      `
    )}</table>
  `;
}

/** A table with a header row; cells are already formatted. */
export function table(head: readonly string[], rows: readonly unknown[][], id?: string): Html {
  return html`
    <table class="list" ${id ? raw(` id="${id}"`) : ""}>
      <thead>
        <tr>${head.map((h) => html`<th>${h}</th>`)}</tr>
      </thead>
      <tbody>${rows.map((r) => html`<tr>${r.map((c) => html`<td>${c}</td>`)}</tr>`)}</tbody>
    </table>
  `;
}

/** A loss in micro-nats as nats with 6 decimals. */
export function loss(microNats: number): string {
  return (microNats / 1e6).toFixed(6);
}

/** An amount in resonances as RNT with 8 decimals (exact, from bigint). */
export function rnt(resonances: bigint): string {
  return `${formatRnt(resonances)} RNT`;
}

/** A unix time in seconds as an ISO-8601 UTC string without milliseconds. */
export function utc(secs: number): string {
  return new Date(secs * 1000).toISOString().replace(".000Z", "Z");
}

/** A span of seconds in words: "3 d 4 h", "5 h 2 min", "42 s". */
export function duration(secs: number): string {
  const s = Math.max(0, Math.round(secs));
  const d = Math.floor(s / 86_400), h = Math.floor(s % 86_400 / 3_600);
  const m = Math.floor(s % 3_600 / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s % 60} s`;
  return `${s} s`;
}

/** A link to a block by hash (shown shortened unless `full`). */
export function blockLink(hash: Uint8Array | string, full = false): Html {
  const hex = typeof hash === "string" ? hash : toHex(hash);
  return html`<a class="hash" href="/block/${hex}">${full ? hex : short(hex)}</a>`;
}

/** A link to a transaction. */
export function txLink(id: Uint8Array | string, full = false): Html {
  const hex = typeof id === "string" ? id : toHex(id);
  return html`<a class="hash" href="/tx/${hex}">${full ? hex : short(hex)}</a>`;
}

/** A link to an address page (null: an output without an encodable address). */
export function addressLink(address: string | null): Html {
  return address === null
    ? html`<span class="muted">(no address)</span>`
    : html`<a class="address" href="/address/${address}">${address}</a>`;
}

/** The first and last 8 hex digits of a hash. */
export function short(hex: string): string {
  return hex.length > 20 ? `${hex.slice(0, 8)}…${hex.slice(-8)}` : hex;
}
