/**
 * Closing channels: cooperatively (`shutdown`, then `closing_signed`, the funder proposing once
 * both addresses are known and nothing is in flight) or by force (publishing our latest
 * commitment, then sweeping our output once `to_self_delay` allows; the sweep is driven by
 * channel_chain_watch.ts on each block).
 *
 * @module
 */
import { toHex } from "../../core/crypto/keccak.ts";
import { type AddressData, encodeAddressPayload } from "../../core/primitives/address.ts";
import { encodeTx } from "../../core/primitives/tx.ts";
import { sighash, txid } from "../../core/primitives/tx_hash.ts";
import { verify } from "../../core/crypto/ed25519.ts";
import type { ChannelRecord } from "./channel_file_record.ts";
import {
  addressOf,
  cooperativeCloseOf,
  fundingOf,
  ownOutputSweep,
  quiescent,
  signedLocalCommitment,
  signFundingSpendOf,
  withBothSignatures,
} from "./channel_transactions.ts";
import { recordOf, submit } from "./channel_steps.ts";
import { type ChannelSummary, channelSummary } from "./channel_summary.ts";
import { LnError } from "./ln_error.ts";
import type { ServiceCore } from "./service_core.ts";

/** How long `ln_close` waits for HTLCs and updates in flight to settle, ms. */
const CLOSE_WAIT_MS = 10_000;

/** Starts a cooperative close of `channelId` (hex); resolves once `shutdown` is sent. */
export async function closeChannel(core: ServiceCore, channelId: string): Promise<ChannelSummary> {
  // A payment that just finished still exchanges its last commitments: wait for them a while.
  for (let waited = 0; waited < CLOSE_WAIT_MS; waited += 250) {
    const busy = await core.enqueue(() => {
      const r = recordOf(core, channelId);
      return r.status === "normal" && !quiescent(r.state) && core.peer(r.peerId) !== undefined;
    });
    if (!busy) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return await core.enqueue(async () => {
    const r = recordOf(core, channelId);
    if (r.status !== "normal") {
      throw new LnError("bad-state", `channel ${channelId} is ${r.status}, not normal`);
    }
    if (!quiescent(r.state)) {
      throw new LnError(
        "bad-state",
        "the channel has HTLCs or updates in flight; try again once they settle",
      );
    }
    if (core.refresher?.frozen(r.channelId)) {
      throw new LnError("bad-state", "the channel's funding refresh is in progress; try later");
    }
    if (!core.peer(r.peerId)) {
      throw new LnError(
        "peer-not-connected",
        `peer ${r.peerId} is not connected: a cooperative close needs it (or use ln forceclose)`,
      );
    }
    const address = await walletAddress(core);
    const next: ChannelRecord = {
      ...r,
      status: "shutdown",
      localShutdown: encodeAddressPayload(address),
    };
    await core.save(next);
    core.send(r.peerId, { type: "shutdown", channelId: r.channelId, address });
    maybeProposeClose(core, next);
    return channelSummary(core, core.channels.get(toHex(r.channelId))!);
  });
}

/** Publishes our latest commitment of `channelId`; our output is swept after `to_self_delay`. */
export function forceCloseChannel(core: ServiceCore, channelId: string): Promise<ChannelSummary> {
  return core.enqueue(async () => {
    const r = recordOf(core, channelId);
    if (!["awaiting-funding", "normal", "shutdown"].includes(r.status)) {
      throw new LnError(
        "bad-state",
        `channel ${channelId} is ${r.status}: nothing to force close`,
      );
    }
    if (r.localLostState) {
      throw new LnError(
        "bad-state",
        "the peer proved our channel state is old: publishing our commitment would lose the " +
          "channel to its penalty; ask the peer to close it",
      );
    }
    const sweepAddress = encodeAddressPayload(await walletAddress(core));
    const tx = signedLocalCommitment(r, core.node.params.magic);
    const next: ChannelRecord = {
      ...r,
      status: "force-closing",
      closeTx: encodeTx(tx),
      closeTxid: txid(core.node.params.magic, tx),
      sweepAddress,
    };
    await core.save(next); // before publishing: a crash must not forget what is on chain
    await submit(core, tx, "commitment");
    core.send(r.peerId, { type: "channel_error", channelId: r.channelId, text: "force closed" });
    core.log(`force closed channel ${channelId}: commitment ${toHex(next.closeTxid!)}`);
    return channelSummary(core, next);
  });
}

/** A fresh wallet address (the wallet's own error when none is loaded or it is locked). */
async function walletAddress(core: ServiceCore): Promise<AddressData> {
  return await core.wallet.newAddress();
}

/** `shutdown` from the peer: answers with ours (the first time), then maybe proposes the close. */
export async function onShutdown(
  core: ServiceCore,
  r: ChannelRecord,
  address: AddressData,
): Promise<void> {
  if (r.status !== "normal" && r.status !== "shutdown") {
    throw new LnError("bad-state", `shutdown on a channel that is ${r.status}`);
  }
  const next: ChannelRecord = {
    ...r,
    status: "shutdown",
    remoteShutdown: encodeAddressPayload(address),
  };
  const first = next.localShutdown === undefined;
  if (first) next.localShutdown = encodeAddressPayload(await walletAddress(core));
  await core.save(next);
  if (first) {
    core.send(r.peerId, {
      type: "shutdown",
      channelId: r.channelId,
      address: addressOf(next.localShutdown!),
    });
  }
  maybeProposeClose(core, next);
}

/** The funder signs the close once both addresses are known and nothing is in flight. */
export function maybeProposeClose(core: ServiceCore, r: ChannelRecord): void {
  if (!r.weFunded || !r.localShutdown || !r.remoteShutdown || !quiescent(r.state)) return;
  if (!r.state.connected) return;
  const { tx, fee } = cooperativeCloseOf(r);
  const signature = signFundingSpendOf(r, core.node.params.magic, tx);
  core.send(r.peerId, {
    type: "closing_signed",
    channelId: r.channelId,
    feeResonances: fee,
    signature,
  });
}

/** `closing_signed` from the peer: checks it, stores the close, answers (fundee) and submits. */
export async function onClosingSigned(
  core: ServiceCore,
  r: ChannelRecord,
  m: { feeResonances: bigint; signature: Uint8Array },
): Promise<void> {
  if (r.status === "closing" || r.status === "closed") return; // a repeat after reconnection
  if (r.status !== "shutdown" || !r.localShutdown || !r.remoteShutdown) {
    throw new LnError("bad-state", "closing_signed before both shutdowns");
  }
  if (!quiescent(r.state)) {
    throw new LnError("bad-state", "closing_signed with updates in flight");
  }
  const { tx, fee } = cooperativeCloseOf(r);
  if (m.feeResonances !== fee) {
    throw new LnError("bad-state", `close fee ${m.feeResonances} is not the agreed ${fee}`);
  }
  const funding = fundingOf(r);
  if (
    !verify(
      m.signature,
      sighash(core.node.params.magic, tx, 0, [funding.output]),
      r.state.config.remoteParams.fundingKey,
    )
  ) throw new LnError("bad-state", "the close signature does not verify");
  const ours = signFundingSpendOf(r, core.node.params.magic, tx);
  const signed = withBothSignatures(r, tx, ours, m.signature);
  const next: ChannelRecord = {
    ...r,
    status: "closing",
    closeTx: encodeTx(signed),
    closeTxid: txid(core.node.params.magic, signed),
  };
  await core.save(next);
  if (!r.weFunded) {
    core.send(r.peerId, {
      type: "closing_signed",
      channelId: r.channelId,
      feeResonances: fee,
      signature: ours,
    });
  }
  await submit(core, signed, "cooperative close");
  core.log(`closing channel ${toHex(r.channelId)}: ${toHex(next.closeTxid!)}`);
}

/** Sweeps our to_owner output of our published commitment once `to_self_delay` allows. */
export async function sweepForceClose(core: ServiceCore, r: ChannelRecord): Promise<void> {
  const tx = ownOutputSweep(
    r,
    core.node.params.magic,
    addressOf(r.sweepAddress!),
    core.node.params.minRelayFeePerByte,
  );
  if (!tx) {
    await core.save({ ...r, status: "closed" }); // our balance was dust: nothing to sweep
    return;
  }
  try {
    await core.node.submitTransaction(tx);
  } catch {
    return; // not mature yet (older(to_self_delay)): tried again on the next block
  }
  const sweepTxid = txid(core.node.params.magic, tx);
  await core.save({ ...r, sweepTxid });
  core.log(`swept our output of channel ${toHex(r.channelId)}: ${toHex(sweepTxid)}`);
}
