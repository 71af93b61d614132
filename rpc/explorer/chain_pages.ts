/**
 * The explorer's front page (the tip, the learning-curve plots, the latest blocks, live) and the
 * paged list of all blocks.
 *
 * @module
 */
import type { ChainEntry } from "../../core/consensus/chain_entry.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import type { Node } from "../../node/node.ts";
import { lossPointOf } from "../methods/loss_history.ts";
import { blockLink, facts, type Html, html, loss, rnt, table, utc } from "./html.ts";

/** Blocks per page of the block list, and rows of the front page's latest blocks. */
export const BLOCKS_PER_PAGE = 50;
const RECENT_BLOCKS = 20;

function blockRow(node: Node, entry: ChainEntry): unknown[] {
  const p = lossPointOf(node, entry);
  return [
    html`<a href="/block/${toHex(entry.hash)}">${entry.height}</a>`,
    blockLink(entry.hash),
    utc(entry.header.timestampSecs),
    loss(p.sampleLossMicroNats),
    `${(p.improvementPpm / 1e4).toFixed(2)}%`,
    `${p.dModel}x${p.nLayers}`,
    rnt(p.mintedResonances),
  ];
}

const BLOCK_HEAD = ["height", "hash", "time", "loss", "improvement", "model", "reward"];

function rowsDown(node: Node, top: number, count: number): unknown[][] {
  const rows: unknown[][] = [];
  for (let h = top; h >= 0 && rows.length < count; h--) {
    const entry = node.chainstate.getEntryByHeight(h);
    if (entry) rows.push(blockRow(node, entry));
  }
  return rows;
}

/** The front page: tip facts, the three plots and the latest blocks (updated live). */
export function homePage(node: Node): Html {
  const tip = node.chainstate.tip();
  const h = tip.header;
  return html`
    ${facts([
      ["height", html`<span data-tip="height">${tip.height}</span>`],
      [
        "hash",
        html`<a class="hash" data-tip="hash" href="/block/${toHex(tip.hash)}">${
          toHex(tip.hash)
        }</a>`,
      ],
      [
        "loss on its sample (nats)",
        html`<span data-tip="loss">${loss(h.sampleLossMicroNats)}</span>`,
      ],
      ["model (d_model x layers)", html`<span data-tip="model">${h.dModel} x ${h.nLayers}</span>`],
      [
        "supply (minted - returned)",
        html`<span data-tip="supply">${rnt(tip.mintedResonances - tip.returnedResonances)}</span>`,
      ],
      ["mempool", html`<a href="/mempool">${node.mempool.count} transactions</a>`],
    ], "tip")}
    <h2>The model learning</h2>
    <p id="charts-error" class="warn"></p>
    <div class="charts">
      <div class="chart" id="chart-loss"></div>
      <div class="chart" id="chart-size"></div>
      <div class="chart" id="chart-supply"></div>
    </div>
    <h2>Latest blocks</h2>
    ${table(BLOCK_HEAD, rowsDown(node, tip.height, RECENT_BLOCKS), "recent-blocks")}
    <p><a href="/blocks">All blocks</a></p>
  `;
}

/** The block list, `BLOCKS_PER_PAGE` blocks from height `top` down. */
export function blocksPage(node: Node, top: number): Html {
  const tipHeight = node.chainstate.tip().height;
  const from = Math.min(Math.max(0, top), tipHeight);
  const older = from - BLOCKS_PER_PAGE;
  const newer = Math.min(from + BLOCKS_PER_PAGE, tipHeight);
  return html`${table(BLOCK_HEAD, rowsDown(node, from, BLOCKS_PER_PAGE), "blocks")}
<p>${
    from < tipHeight
      ? html`
        <a href="/blocks?from=${newer}">newer</a>
      `
      : ""
  }${older >= 0 ? html`<a href="/blocks?from=${older}">older</a>` : ""}</p>`;
}
