/**
 * The explorer's block page: the header, what the block taught the model (loss, improvement
 * over the parent, the consensus minimum, model size), how long this node took to verify it, the
 * reward, the checkpoint and the transactions.
 *
 * @module
 */
import { chunkCount } from "../../core/checkpoint/chunks.ts";
import { paramCount } from "../../core/checkpoint/model_config.ts";
import type { ChainEntry } from "../../core/consensus/chain_entry.ts";
import { blockReward } from "../../core/consensus/emission.ts";
import { headerProgressPpm } from "../../core/consensus/growth.ts";
import { requiredImprovementPpm } from "../../core/consensus/paired_improvement.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import type { Block } from "../../core/primitives/block.ts";
import { encodeBlock } from "../../core/primitives/block.ts";
import { encodeTx, isCoinbase } from "../../core/primitives/tx.ts";
import { txid } from "../../core/primitives/tx_hash.ts";
import type { Node } from "../../node/node.ts";
import { confirmations } from "../methods/format.ts";
import { lossPointOf } from "../methods/loss_history.ts";
import { blockLink, facts, type Html, html, loss, rnt, table, txLink, utc } from "./html.ts";

/** The body of the page of `entry` (its block `block`, when stored). */
export async function blockPage(
  node: Node,
  entry: ChainEntry,
  block: Block | undefined,
): Promise<Html> {
  const h = entry.header;
  const hash = toHex(entry.hash);
  const parent = entry.height > 0 ? node.chainstate.getEntry(h.prevHash) : undefined;
  const next = node.chainstate.isActive(entry.hash)
    ? node.chainstate.getEntryByHeight(entry.height + 1)
    : undefined;
  const point = lossPointOf(node, entry);
  const verify = node.verifySeconds(entry.hash);
  const stored = (await node.chainstate.getCheckpoint(entry.hash)) !== undefined;
  const coinbaseValue = block?.txs[0]?.outputs.reduce((s, o) => s + o.value, 0n);
  const minImprovement = node.params.sampleMinImprovementPpm;
  const required = parent
    ? requiredImprovementPpm(node.params, parent.header.timestampSecs, h.timestampSecs)
    : 0;
  return html`
    <h2>Header</h2>
    ${facts([
      ["height", html`<span data-field="height">${entry.height}</span>`],
      ["hash", html`<code data-field="hash">${hash}</code>`],
      ["confirmations", confirmations(node, entry)],
      ["previous block", parent ? blockLink(parent.hash, true) : "(genesis)"],
      ["next block", next ? blockLink(next.hash, true) : "(none yet)"],
      ["time", utc(h.timestampSecs)],
      ["median time past", utc(entry.mtpSecs)],
      ["version", h.version],
      ["merkle root (txids)", html`<code>${toHex(h.txRoot)}</code>`],
      ["witness root", html`<code>${toHex(h.witnessRoot)}</code>`],
      ["miner key", html`<code>${toHex(h.minerKey)}</code>`],
      ["signature", html`<code>${toHex(h.signature)}</code>`],
      ["size", block ? `${encodeBlock(block).length} bytes (without the checkpoint)` : "?"],
    ], "header")}
    <h2>Learning</h2>
    ${facts([
      [
        "loss on its sample (nats)",
        html`<span data-field="loss">${
          loss(h.sampleLossMicroNats)
        }</span> (${h.sampleLossMicroNats} µnats, exact)`,
      ],
      [
        "parent's loss on the same sample",
        parent
          ? `${loss(h.parentSampleLossMicroNats)} (${h.parentSampleLossMicroNats} µnats)`
          : "(genesis)",
      ],
      [
        "improvement",
        parent
          ? html`<span data-field="improvement">${(point.improvementPpm / 1e4).toFixed(4)}%</span>
 (${point.improvementPpm} ppm; required ${required} ppm at its time, μ ${minImprovement} ppm)`
          : "(genesis)",
      ],
      ["chain work", `${entry.chainWork}`],
      ["stagnation", `${entry.stagnation} block(s) below twice the minimum improvement`],
      [
        "model",
        `d_model ${h.dModel}, ${h.nLayers} layer(s), ${
          paramCount(h).toLocaleString("en")
        } parameters`,
      ],
      [
        "verify time",
        verify !== undefined
          ? html`
            <span
              data-field="verify">${verify.toFixed(
                3,
              )} s</span> (this node: every rule and the model's evaluation, ${node.evaluator.name})
          `
          : html`
            <span
              class="muted">not measured: this node accepted the block before it last started, or without its checkpoint</span>
          `,
      ],
    ], "learning")}
    <h2>Reward</h2>
    ${facts([
      [
        "minted by this block",
        html`<span data-field="reward">${rnt(point.mintedResonances)}</span>`,
      ],
      [
        "reward the loss earned",
        parent ? rnt(blockReward(node.params, parent, headerProgressPpm(h))) : "(genesis)",
      ],
      ["coinbase pays", coinbaseValue === undefined ? "?" : rnt(coinbaseValue)],
      ["supply after it", rnt(point.supplyResonances)],
    ], "reward")}
    <h2>Checkpoint</h2>
    ${facts([
      ["root", html`<code>${toHex(h.checkpointRoot)}</code>`],
      [
        "size",
        `${h.checkpointSize.toLocaleString("en")} bytes in ${
          chunkCount(h.checkpointSize)
        } chunk(s)`,
      ],
      [
        "stored here",
        stored
          ? html`yes: <code>rnt cli getcheckpoint ${hash}</code>`
          : html`<span class="muted">no (pruned)</span>`,
      ],
    ], "checkpoint")}
    <h2>Transactions</h2>
    ${block
      ? table(
        ["txid", "kind", "inputs", "outputs", "paid out", "size"],
        block.txs.map((tx) => [
          txLink(txid(node.params.magic, tx)),
          isCoinbase(tx) ? "coinbase" : tx.witnesses.length === 0 ? "emission sweep" : "transfer",
          tx.inputs.length,
          tx.outputs.length,
          rnt(tx.outputs.reduce((s, o) => s + o.value, 0n)),
          `${encodeTx(tx).length} B`,
        ]),
        "transactions",
      )
      : html`<p class="muted">Block body not stored.</p>`}
  `;
}
