/**
 * The explorer's pages about the node itself: its mempool and its peers.
 *
 * @module
 */
import type { PeerManager } from "../../net/connman/mod.ts";
import type { Node } from "../../node/node.ts";
import { facts, type Html, html, rnt, table, txLink } from "./html.ts";

/** What the peers page reads of the peer manager. */
export type ExplorerPeers = Pick<PeerManager, "connections">;

/** The mempool: its transactions, highest fee rate first. */
export function mempoolPage(node: Node): Html {
  const entries = [...node.mempool.entries()].sort((a, b) =>
    Number(b.feeResonances * BigInt(a.sizeBytes) - a.feeResonances * BigInt(b.sizeBytes))
  );
  const fees = entries.reduce((s, e) => s + e.feeResonances, 0n);
  return html`${
    facts([
      ["transactions", html`<span data-field="count">${entries.length}</span>`],
      ["bytes", node.mempool.bytes],
      ["total fees", rnt(fees)],
    ], "mempool")
  }
${
    table(
      ["txid", "size", "fee", "fee rate"],
      entries.map((e) => [
        txLink(e.txid),
        `${e.sizeBytes} B`,
        rnt(e.feeResonances),
        `${(Number(e.feeResonances) / e.sizeBytes).toFixed(1)} res/B`,
      ]),
      "mempool-txs",
    )
  }`;
}

/** The connected peers (or a note when P2P is off). */
export function peersPage(peers: ExplorerPeers | undefined): Html {
  if (!peers) return html`<p class="muted">Peer-to-peer networking is off in this node.</p>`;
  const list = peers.connections();
  return html`<p><span data-field="count">${list.length}</span> connected peer(s).</p>
${
    table(
      ["id", "address", "direction", "user agent", "their height", "ping", "sent", "received"],
      list.map(({ peer, kind }) => [
        peer.id,
        html`<code>${peer.address}</code>`,
        kind,
        peer.version?.userAgent ?? "",
        peer.version?.bestHeight ?? "",
        peer.pingMs === undefined ? "" : `${peer.pingMs.toFixed(1)} ms`,
        `${peer.bytesSent} B`,
        `${peer.bytesRecv} B`,
      ]),
      "peers",
    )
  }`;
}
