/**
 * The steps every flow of the Lightning service takes on a channel: saving a local action before
 * sending its message, signing the peer's next commitment when due, submitting a transaction,
 * the channel's funding signer, and finding a channel by id or by the short id onions name.
 *
 * @module
 */
import { toHex } from "../../core/crypto/keccak.ts";
import type { Tx } from "../../core/primitives/tx.ts";
import { txid } from "../../core/primitives/tx_hash.ts";
import { needsCommitment, signCommitment } from "../../core/lightning/channel_state.ts";
import type { ChannelAction, ChannelConfig } from "../../core/lightning/channel_types.ts";
import { fundingSigner } from "../../core/lightning/funding_signer.ts";
import type { ChannelRecord, ChannelSecrets } from "./channel_file_record.ts";
import { channelAlias } from "./htlc_forwarder.ts";
import { LnError } from "./ln_error.ts";
import type { ServiceCore } from "./service_core.ts";

/** Saves the state of a local action, then sends its message. */
export async function act(
  core: ServiceCore,
  r: ChannelRecord,
  action: ChannelAction,
): Promise<ChannelRecord> {
  const next = { ...r, state: action.state };
  await core.save(next);
  core.send(r.peerId, action.message);
  return next;
}

/** Signs the peer's next commitment when we have changes for it and may sign. */
export async function commitIfNeeded(core: ServiceCore, r: ChannelRecord): Promise<ChannelRecord> {
  if (!r.state.connected || r.state.remoteNextPoint === null || !needsCommitment(r.state)) {
    return r;
  }
  return await act(core, r, signCommitment(r.state, signerOf(core, r)));
}

/** Submits `tx` to the node; a refusal is logged (naming `what`), never thrown. */
export async function submit(core: ServiceCore, tx: Tx, what: string): Promise<void> {
  try {
    await core.node.submitTransaction(tx);
  } catch (e) {
    core.log(
      `${what} ${toHex(txid(core.node.params.magic, tx))} not accepted: ${(e as Error).message}`,
    );
  }
}

/** The funding signer of a channel with `config` funded at `outpoint`. */
export function signerFor(
  core: ServiceCore,
  config: ChannelConfig,
  outpoint: ChannelRecord["fundingOutpoint"],
  s: ChannelSecrets,
) {
  return fundingSigner(config, {
    magic: core.node.params.magic,
    fundingOutpoint: outpoint,
    fundingSeed: s.fundingSeed,
  });
}

/** The funding signer of the stored channel `r`. */
export function signerOf(core: ServiceCore, r: ChannelRecord) {
  return signerFor(core, r.state.config, r.fundingOutpoint, r.secrets);
}

/** The channel `channelId` (hex, any case); LnError `channel-not-found` when there is none. */
export function recordOf(core: ServiceCore, channelId: string): ChannelRecord {
  const r = core.channels.get(channelId.toLowerCase());
  if (!r) throw new LnError("channel-not-found", `no channel ${channelId}`);
  return r;
}

/** Our channel named `scid` in onions: its alias, or its announced short channel id. */
export function byShortId(core: ServiceCore, scid: bigint): ChannelRecord | undefined {
  const announced = core.gossip?.channelIdOf(scid);
  if (announced !== undefined) return core.channels.get(announced);
  return [...core.channels.values()].find((c) => channelAlias(c.channelId) === scid);
}
