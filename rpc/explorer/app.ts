/**
 * The explorer's Hono app: HTML pages for people (tip, blocks, block, transaction, address,
 * mempool, peers, model) and the JSON and event-stream endpoints the page script uses, over one
 * running {@linkcode Node}. Read-only except for generating a sample from the tip's model. It has
 * no login, so it is served on loopback by default (`server.ts`) and answers only requests whose
 * Host header names a loopback address (a DNS-rebinding page on another site cannot read it).
 *
 * Routes: `/`, `/blocks?from=H`, `/block/:hash-or-height`, `/tx/:txid`, `/address/:address`,
 * `/mempool`, `/peers`, `/model?prompt=&length=&seed=`, `/search?q=`, `/api/losshistory`,
 * `/api/events` (server-sent events), `/assets/*`. Test it in-process with `app.request(path)`.
 *
 * @module
 */
import { Hono } from "hono";
import type { ChainEntry } from "../../core/consensus/chain_entry.ts";
import { fromHex } from "../../core/crypto/keccak.ts";
import { type AddressData, decodeAddress } from "../../core/primitives/address.ts";
import type { Node } from "../../node/node.ts";
import { lossHistory, MAX_LOSS_HISTORY_ROWS } from "../methods/loss_history.ts";
import { addressPage } from "./address_page.ts";
import type { Asset } from "./assets.ts";
import { blockPage } from "./block_page.ts";
import { blocksPage, homePage } from "./chain_pages.ts";
import { ExplorerEvents } from "./events.ts";
import { historyRow } from "./history_row.ts";
import { type Html, html, layout } from "./html.ts";
import { modelPage } from "./model_page.ts";
import { type ExplorerPeers, mempoolPage, peersPage } from "./node_pages.ts";
import { SampleError, type SampleRequest, TipSampler } from "./sample.ts";
import { txPage } from "./tx_page.ts";

/** What the explorer is built from besides the node. */
export interface ExplorerOptions {
  /** The files under `/assets/` (`loadExplorerAssets`). */
  readonly assets: ReadonlyMap<string, Asset>;
  /** The peer manager, when P2P runs. */
  readonly peers?: ExplorerPeers;
  /** Host names accepted in the Host header (default loopback names only; `*`: any). */
  readonly allowedHosts?: readonly string[];
  /** Called with unexpected errors (logged by the node). */
  readonly onError?: (error: unknown, path: string) => void;
}

/** The explorer app and what must be closed with it. */
export interface Explorer {
  /** The Hono app. */
  readonly app: Hono;
  /** The live-update streams. */
  readonly events: ExplorerEvents;
  /** Ends the event streams, stops a running sample and stops following the node. */
  close(): void;
}

/** Loopback host names (without port). */
export const LOOPBACK_HOSTS: readonly string[] = ["127.0.0.1", "localhost", "[::1]"];

const HEX64 = /^[0-9a-fA-F]{64}$/;

function hostName(hostHeader: string): string {
  return hostHeader.startsWith("[")
    ? hostHeader.slice(0, hostHeader.indexOf("]") + 1)
    : hostHeader.replace(/:\d+$/, "");
}

/** The entry a block path segment names: a 64-hex hash (any branch) or an active-chain height. */
function findEntry(node: Node, id: string): ChainEntry | undefined {
  if (HEX64.test(id)) return node.chainstate.getEntry(fromHex(id.toLowerCase()));
  if (/^\d{1,10}$/.test(id)) return node.chainstate.getEntryByHeight(Number(id));
  return undefined;
}

function decodeAddressOrUndefined(node: Node, text: string): AddressData | undefined {
  try {
    return decodeAddress(node.params, text);
  } catch {
    return undefined;
  }
}

function intParam(text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined || !/^\d{1,10}$/.test(text)) return fallback;
  return Math.min(max, Math.max(min, Number(text)));
}

/** Builds the explorer over `node`. */
export function createExplorerApp(node: Node, options: ExplorerOptions): Explorer {
  const app = new Hono();
  const events = new ExplorerEvents(node);
  const sampler = new TipSampler(node);
  const allowed = options.allowedHosts ?? LOOPBACK_HOSTS;
  const network = node.params.name;

  const page =
    (title: string, body: Html, status: 200 | 400 | 404 = 200, charts = false) =>
    async (): Promise<Response> =>
      new Response(String(await layout(title, body, { network, charts })), {
        status,
        headers: { "content-type": "text/html; charset=utf-8" },
      });
  const notFound = (what: string) => page("Not found", html`<p id="not-found">${what}</p>`, 404)();

  app.onError((error, c) => {
    options.onError?.(error, c.req.path);
    return new Response("Internal error\n", { status: 500 });
  });

  app.use("*", async (c, next) => {
    if (!allowed.includes("*")) {
      const host = c.req.header("host");
      if (host !== undefined && !allowed.includes(hostName(host))) {
        return new Response("Host not allowed\n", { status: 421 });
      }
    }
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      return new Response("The explorer is read-only\n", { status: 405 });
    }
    await next();
  });

  app.get("/", () => page(`Tip of ${network}`, homePage(node), 200, true)());

  app.get("/blocks", (c) => {
    const tip = node.chainstate.tip().height;
    const from = intParam(c.req.query("from"), tip, 0, tip);
    return page("Blocks", blocksPage(node, from))();
  });

  app.get("/block/:id", async (c) => {
    const id = c.req.param("id");
    const entry = findEntry(node, id);
    if (!entry) return notFound(`No block ${id} here.`);
    const block = await node.chainstate.getBlock(entry.hash);
    return page(`Block ${entry.height}`, await blockPage(node, entry, block))();
  });

  app.get("/tx/:txid", async (c) => {
    const id = c.req.param("txid");
    if (!HEX64.test(id)) return notFound(`${id} is not a transaction id (64 hex digits).`);
    const bytes = fromHex(id.toLowerCase());
    const found = await node.findTx(bytes);
    if (!found) return notFound(`No transaction ${id} in the active chain or the mempool.`);
    return page("Transaction", txPage(node, bytes, found))();
  });

  app.get("/address/:address", async (c) => {
    const text = c.req.param("address");
    const data = decodeAddressOrUndefined(node, text);
    if (!data) {
      return page(
        "Invalid address",
        html`<p id="not-found">${text} is not a ${network} address.</p>`,
        400,
      )();
    }
    return page("Address", await addressPage(node, text, data))();
  });

  app.get("/mempool", () => page("Mempool", mempoolPage(node))());
  app.get("/peers", () => page("Peers", peersPage(options.peers))());

  app.get("/model", async (c) => {
    const request: SampleRequest = {
      prompt: c.req.query("prompt") ?? "The ",
      length: intParam(c.req.query("length"), 200, 0, 1_000_000),
      seed: intParam(c.req.query("seed"), 1, 0, 0xffff_ffff),
    };
    let result;
    if (c.req.query("generate") !== undefined) {
      try {
        result = { sample: await sampler.generate(request) };
      } catch (e) {
        if (!(e instanceof SampleError)) throw e;
        result = { error: e.message };
      }
    }
    return page(
      "Model",
      modelPage(node, request, result),
      result && "error" in result ? 400 : 200,
    )();
  });

  app.get("/search", async (c) => {
    const q = (c.req.query("q") ?? "").trim();
    if (/^\d{1,10}$/.test(q) && node.chainstate.getEntryByHeight(Number(q))) {
      return c.redirect(`/block/${q}`);
    }
    if (HEX64.test(q)) {
      if (findEntry(node, q)) return c.redirect(`/block/${q.toLowerCase()}`);
      if (await node.findTx(fromHex(q.toLowerCase()))) return c.redirect(`/tx/${q.toLowerCase()}`);
    }
    if (decodeAddressOrUndefined(node, q)) return c.redirect(`/address/${q}`);
    return notFound(`Nothing found for "${q}".`);
  });

  app.get("/api/losshistory", (c) => {
    const tip = node.chainstate.tip().height;
    const from = intParam(c.req.query("from"), 0, 0, tip + 1);
    return c.json(lossHistory(node, from, MAX_LOSS_HISTORY_ROWS).map(historyRow));
  });

  app.get("/api/events", () => events.response());

  app.get("/assets/:name", (c) => {
    const asset = options.assets.get(c.req.param("name"));
    if (!asset) return new Response("Not found\n", { status: 404 });
    return new Response(asset.body, {
      headers: { "content-type": asset.contentType, "cache-control": "max-age=3600" },
    });
  });

  app.notFound(() => notFound("No such page."));

  return {
    app,
    events,
    close: () => {
      events.close();
      sampler.close();
    },
  };
}
