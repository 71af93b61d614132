/**
 * One channel as `ln_channels` (and `ln_close`, `ln_forceclose`) show it.
 *
 * @module
 */
import { toHex } from "../../core/crypto/keccak.ts";
import { MRES_PER_RESONANCE } from "../../core/lightning/commitment_tx.ts";
import type { ChannelRecord } from "./channel_file_record.ts";
import type { HeartbeatSummary } from "./funding_refresher.ts";
import { live, type ServiceCore } from "./service_core.ts";

/** One channel as `ln_channels` shows it. */
export interface ChannelSummary {
  readonly channelId: string;
  readonly peerId: string;
  readonly status: ChannelRecord["status"];
  readonly weFunded: boolean;
  readonly connected: boolean;
  readonly capacityResonances: bigint;
  readonly localBalanceMres: bigint;
  readonly remoteBalanceMres: bigint;
  readonly commitmentNumber: bigint;
  readonly fundingTxid: string;
  readonly fundingVout: number;
  readonly closeTxid?: string;
  readonly sweepTxid?: string;
  /** The funding output's age and refresh schedule (PROTOCOL §9.7, channel heartbeat). */
  readonly heartbeat?: HeartbeatSummary;
}

/** The summary of `r` (connected: its peer is connected and the channel reestablished). */
export function channelSummary(core: ServiceCore, r: ChannelRecord): ChannelSummary {
  const spec = r.state.localCommit.spec;
  return {
    channelId: toHex(r.channelId),
    peerId: r.peerId,
    status: r.status,
    weFunded: r.weFunded,
    connected: core.peer(r.peerId) !== undefined && r.state.connected,
    capacityResonances: r.state.config.capacityMres / MRES_PER_RESONANCE,
    localBalanceMres: spec.toOwnerMres,
    remoteBalanceMres: spec.toOtherMres,
    commitmentNumber: r.state.localCommit.number,
    fundingTxid: toHex(r.fundingOutpoint.txid),
    fundingVout: r.fundingOutpoint.vout,
    ...(r.closeTxid ? { closeTxid: toHex(r.closeTxid) } : {}),
    ...(r.sweepTxid ? { sweepTxid: toHex(r.sweepTxid) } : {}),
    ...(core.refresher && live(r) ? { heartbeat: core.refresher.summary(r) } : {}),
  };
}
