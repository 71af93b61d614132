/**
 * What each new tip means for the service's channels: the funding's depth (`channel_ready`) or
 * its absence (rebroadcast, or abandonment after the deadline), closes confirmed or rebroadcast,
 * the sweep after our force close, a funding output spent by the peer, and the channel
 * heartbeat's turn (funding_refresher.ts). Penalties and sweeps of the peer's commitments are
 * the node's chain watcher's (chain_watcher.ts), not here.
 *
 * @module
 */
import { toHex } from "../../core/crypto/keccak.ts";
import { decodeTx } from "../../core/primitives/tx.ts";
import { txid } from "../../core/primitives/tx_hash.ts";
import { bytesEqual } from "../../core/util/bytes_equal.ts";
import type { ChannelRecord } from "./channel_file_record.ts";
import { cooperativeCloseOf, fundingOf } from "./channel_transactions.ts";
import { submit } from "./channel_steps.ts";
import { sweepForceClose } from "./channel_closing.ts";
import type { ServiceCore } from "./service_core.ts";

/** On each new tip: funding depth, `channel_ready`, closes confirmed, sweeps. */
export async function watchChain(core: ServiceCore): Promise<void> {
  await core.node.settled();
  const tipHeight = core.node.chainstate.tip().height;
  for (const r of [...core.channels.values()]) {
    try {
      await watchChannel(core, r, tipHeight);
    } catch (e) {
      core.log(`watching channel ${toHex(r.channelId)} failed: ${(e as Error).message}`);
    }
  }
  await core.gossip?.onBlock();
}

async function watchChannel(core: ServiceCore, r: ChannelRecord, tipHeight: number): Promise<void> {
  const node = core.node;
  const utxo = await node.chainstate.getUtxo(r.fundingOutpoint);
  if (utxo) core.refresher?.observe(r.channelId, utxo);
  if (r.status === "awaiting-funding") {
    const funding = fundingOf(r).output;
    if (!utxo) {
      const pooled = node.mempool.has(r.fundingOutpoint.txid);
      if (r.weFunded && r.fundingTx && !pooled) {
        const inChain = await node.txBlock(r.fundingOutpoint.txid);
        if (!inChain) await submit(core, decodeTx(r.fundingTx), "funding");
      }
      if (
        !r.weFunded && r.fundingDeadlineHeight !== undefined &&
        tipHeight >= r.fundingDeadlineHeight && !pooled &&
        !(await node.txBlock(r.fundingOutpoint.txid))
      ) {
        await core.save({ ...r, status: "abandoned" });
        core.log(`abandoned channel ${toHex(r.channelId)}: its funding never appeared`);
      }
      return;
    }
    if (utxo.value !== funding.value || !bytesEqual(utxo.address.hash, funding.address.hash)) {
      core.log(`channel ${toHex(r.channelId)}: the funding output is not the agreed one`);
      return;
    }
    if (tipHeight - utxo.height + 1 < r.minimumDepth || r.localReady) return;
    const next: ChannelRecord = { ...r, localReady: true };
    if (next.remoteReady) next.status = "normal";
    await core.save(next);
    core.send(r.peerId, { type: "channel_ready", channelId: r.channelId });
    core.log(`channel ${toHex(r.channelId)} funding confirmed`);
    return;
  }
  if (r.status === "normal" || r.status === "shutdown") {
    if (r.status === "normal" && await core.refresher?.onTip(r, utxo)) return;
    if (!utxo && r.status === "shutdown" && r.localShutdown && r.remoteShutdown) {
      // The peer may have broadcast the close we signed before we stored its answer (a
      // crash): its txid is known without the witnesses.
      const closeTxid = txid(node.params.magic, cooperativeCloseOf(r).tx);
      if (await node.txBlock(closeTxid)) {
        await core.save({ ...r, status: "closed", closeTxid });
        core.log(`channel ${toHex(r.channelId)} closed (cooperatively, by the peer)`);
        return;
      }
    }
    if (!utxo && node.mempool.spenderOf(r.fundingOutpoint) === undefined) {
      await core.save({ ...r, status: "funding-spent" });
      core.log(`channel ${toHex(r.channelId)}: the funding output was spent by the peer`);
    }
    return;
  }
  if ((r.status === "closing" || r.status === "force-closing") && r.closeTxid) {
    const confirmed = await node.txBlock(r.closeTxid);
    if (!confirmed) {
      if (!node.mempool.has(r.closeTxid) && utxo) {
        await submit(core, decodeTx(r.closeTx!), "close");
      }
      return;
    }
    if (r.status === "closing") {
      await core.save({ ...r, status: "closed" });
      core.log(`channel ${toHex(r.channelId)} closed`);
      return;
    }
    if (r.sweepTxid === undefined) return await sweepForceClose(core, r);
    if (await node.txBlock(r.sweepTxid)) {
      await core.save({ ...r, status: "closed" });
      core.log(`channel ${toHex(r.channelId)} closed (force close swept)`);
    }
  }
}
