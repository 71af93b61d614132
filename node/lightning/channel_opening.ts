/**
 * Opening channels (PROTOCOL §9.11): `open_channel` → `accept_channel` → `funding_created` →
 * `funding_signed`, then `channel_ready` once the funding is deep enough (the depth itself is
 * watched by channel_chain_watch.ts). Holds the openings in progress in both directions, in
 * memory only: a channel is stored once both commitments 0 are signed.
 *
 * @module
 */
import { toHex } from "../../core/crypto/keccak.ts";
import type { Tx } from "../../core/primitives/tx.ts";
import { txid } from "../../core/primitives/tx_hash.ts";
import { encodeTx } from "../../core/primitives/tx.ts";
import { bytesEqual } from "../../core/util/bytes_equal.ts";
import type { AcceptChannel, OpenChannel } from "../../core/lightning/channel_open_messages.ts";
import { createChannel, initialCommitmentSpecs } from "../../core/lightning/channel_state.ts";
import type {
  ChannelConfig,
  ChannelLimits,
  ChannelState,
} from "../../core/lightning/channel_types.ts";
import type { ChannelPartyParams } from "../../core/lightning/commitment_spec.ts";
import { fundingOutput, MRES_PER_RESONANCE } from "../../core/lightning/commitment_tx.ts";
import { perCommitmentPoint } from "../../core/lightning/commitment_keys.ts";
import { FIRST_COMMITMENT_INDEX, perCommitmentSecret } from "../../core/lightning/shachain.ts";
import { fundingChannelId } from "../../core/lightning/funding_channel_id.ts";
import type { ChannelRecord, ChannelSecrets } from "./channel_file_record.ts";
import {
  freshChannelSecrets,
  fundingTimeoutBlocksFor,
  limitsFor,
  MAX_MINIMUM_DEPTH,
  MIN_CHANNEL_RESONANCES,
  minimumDepthFor,
  partyParamsOf,
  refusePeerTerms,
  toSelfDelayFor,
} from "./channel_setup.ts";
import { signerFor } from "./channel_steps.ts";
import { LnError } from "./ln_error.ts";
import type { ServiceCore } from "./service_core.ts";

/** The result of an open: the channel id and the funding transaction. */
export interface OpenResult {
  readonly channelId: string;
  readonly fundingTxid: string;
  readonly fundingVout: number;
}

/** A channel we proposed, until `funding_signed`. */
interface OutgoingOpen {
  readonly peerId: string;
  readonly open: OpenChannel;
  readonly secrets: ChannelSecrets;
  readonly seed: Uint8Array;
  readonly resolve: (r: OpenResult) => void;
  readonly reject: (e: Error) => void;
  /** After `accept_channel`: what `funding_signed` completes. */
  funded?: {
    readonly accept: AcceptChannel;
    readonly config: ChannelConfig;
    readonly tx: Tx;
    readonly vout: number;
    readonly remoteSignature: Uint8Array;
  };
}

/** A channel proposed to us, until `funding_created`. */
interface IncomingOpen {
  readonly peerId: string;
  /** When it arrived (Date.now()): forgotten after {@link INCOMING_OPEN_TTL_MS}. */
  readonly arrivedMs: number;
  readonly open: OpenChannel;
  readonly params: ChannelPartyParams;
  readonly limits: ChannelLimits;
  readonly minimumDepth: number;
  readonly secrets: ChannelSecrets;
  readonly seed: Uint8Array;
}

/** Openings a peer may have pending with us at once (each holds fresh secrets in memory). */
const MAX_INCOMING_OPENS_PER_PEER = 8;
/** Channels a peer funds that may await their funding transaction at once. */
const MAX_UNFUNDED_CHANNELS_PER_PEER = 4;
/** An opening proposed to us is forgotten when no `funding_created` came this long, ms. */
const INCOMING_OPEN_TTL_MS = 60_000;
/** How long `ln_open` waits for the peer, ms. */
const OPEN_TIMEOUT_MS = 30_000;

/** The channel openings in progress, ours and the peers'. */
export class ChannelOpening {
  readonly #core: ServiceCore;
  readonly #outgoing = new Map<string, OutgoingOpen>();
  readonly #incoming = new Map<string, IncomingOpen>();

  constructor(core: ServiceCore) {
    this.#core = core;
  }

  /** Channel openings proposed to us that await `funding_created`. */
  get pendingIncoming(): number {
    return this.#incoming.size;
  }

  /**
   * Opens a channel of `fundingResonances` with the connected peer `peerId`, giving it `pushMres`;
   * resolves once both commitments 0 are signed and the funding transaction is broadcast.
   */
  open(peerId: string, fundingResonances: bigint, pushMres = 0n): Promise<OpenResult> {
    if (!this.#core.peer(peerId)) {
      throw new LnError("peer-not-connected", `peer ${peerId} is not connected (use ln connect)`);
    }
    if (fundingResonances < MIN_CHANNEL_RESONANCES) {
      throw new LnError(
        "bad-amount",
        `a channel needs at least ${MIN_CHANNEL_RESONANCES} resonances, got ${fundingResonances}`,
      );
    }
    if (pushMres < 0n || pushMres > fundingResonances * MRES_PER_RESONANCE / 2n) {
      throw new LnError("bad-amount", "the push must be at most half the channel");
    }
    const { secrets, seed } = freshChannelSecrets();
    const params = partyParamsOf(secrets, toSelfDelayFor(this.#core.node.params));
    const open: OpenChannel = {
      type: "open_channel",
      temporaryChannelId: crypto.getRandomValues(new Uint8Array(32)),
      fundingResonances,
      pushMres,
      feeratePerByte: Number(this.#core.node.params.minRelayFeePerByte),
      params,
      limits: limitsFor(fundingResonances),
      firstPoint: pointAt(seed, 0n),
      secondPoint: pointAt(seed, 1n),
    };
    return new Promise<OpenResult>((resolve, reject) => {
      const key = toHex(open.temporaryChannelId);
      // The entry moves from the temporary to the real channel id at accept_channel, so the
      // timeout finds it by identity, in the service's queue (never in the middle of a step).
      const timer = setTimeout(() =>
        void this.#core.enqueue(() => {
          for (const [k, o] of this.#outgoing) {
            if (o !== entry) continue;
            this.#outgoing.delete(k);
            o.reject(
              new LnError("open-failed", "the peer did not finish the channel opening in time"),
            );
          }
        }), OPEN_TIMEOUT_MS);
      const entry: OutgoingOpen = {
        peerId,
        open,
        secrets,
        seed,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.#outgoing.set(key, entry);
      void this.#core.enqueue(() => this.#core.send(peerId, open));
    });
  }

  /** A peer left: its pending opens fail (ours) or are forgotten (its). */
  peerClosed(peerId: string): void {
    for (const [key, o] of this.#outgoing) {
      if (o.peerId !== peerId) continue;
      this.#outgoing.delete(key);
      o.reject(new LnError("open-failed", "the peer disconnected during the opening"));
    }
    for (const [key, o] of this.#incoming) {
      if (o.peerId === peerId) this.#incoming.delete(key);
    }
  }

  /** Forgets the openings proposed to us that got no `funding_created` in time. */
  expire(nowMs: number): void {
    for (const [key, o] of this.#incoming) {
      if (nowMs - o.arrivedMs > INCOMING_OPEN_TTL_MS) this.#incoming.delete(key);
    }
  }

  /** A `channel_error` from `peerId`: an opening it names is given up. */
  onError(peerId: string, channelId: Uint8Array, text: string): void {
    const key = toHex(channelId);
    if (this.#incoming.get(key)?.peerId === peerId) this.#incoming.delete(key); // it gave up
    const o = this.#outgoing.get(key);
    if (o && o.peerId === peerId) {
      this.#outgoing.delete(key);
      o.reject(new LnError("open-failed", `the peer refused the channel: ${text}`));
    }
    this.#core.log(`peer ${peerId.slice(0, 16)} reports an error on channel ${key}: ${text}`);
  }

  /** `open_channel` from `peerId`: checks its terms and answers `accept_channel`. */
  onOpen(peerId: string, open: OpenChannel): void {
    if (open.fundingResonances < MIN_CHANNEL_RESONANCES) {
      throw new LnError(
        "bad-amount",
        `channel of ${open.fundingResonances} resonances is too small`,
      );
    }
    if (open.pushMres > open.fundingResonances * MRES_PER_RESONANCE) {
      throw new LnError("bad-amount", "the push exceeds the channel");
    }
    const refused = refusePeerTerms(open.fundingResonances, open.params, open.limits);
    if (refused) throw new LnError("open-failed", refused);
    if (this.#incoming.has(toHex(open.temporaryChannelId))) {
      throw new LnError("open-failed", "this temporary channel id is already pending");
    }
    const pending = [...this.#incoming.values()].filter((o) => o.peerId === peerId).length;
    if (pending >= MAX_INCOMING_OPENS_PER_PEER) {
      throw new LnError("open-failed", `${pending} channel openings are already pending`);
    }
    // Channels it funds are stored before their funding exists: bound what a peer can make us keep.
    const unfunded =
      [...this.#core.channels.values()].filter((r) =>
        r.peerId === peerId && !r.weFunded && r.status === "awaiting-funding"
      ).length;
    if (unfunded >= MAX_UNFUNDED_CHANNELS_PER_PEER) {
      throw new LnError("open-failed", `${unfunded} channels from this peer await their funding`);
    }
    const { secrets, seed } = freshChannelSecrets();
    const params = partyParamsOf(secrets, toSelfDelayFor(this.#core.node.params));
    const limits = limitsFor(open.fundingResonances);
    const minimumDepth = minimumDepthFor(this.#core.node.params);
    this.#incoming.set(toHex(open.temporaryChannelId), {
      peerId,
      arrivedMs: Date.now(),
      open,
      params,
      limits,
      minimumDepth,
      secrets,
      seed,
    });
    this.#core.send(peerId, {
      type: "accept_channel",
      temporaryChannelId: open.temporaryChannelId,
      minimumDepth,
      params,
      limits,
      firstPoint: pointAt(seed, 0n),
      secondPoint: pointAt(seed, 1n),
    });
  }

  /** `accept_channel` for our opening: funds the channel and sends `funding_created`. */
  async onAccept(peerId: string, accept: AcceptChannel): Promise<void> {
    const key = toHex(accept.temporaryChannelId);
    const o = this.#outgoing.get(key);
    if (!o || o.peerId !== peerId || o.funded) {
      throw new LnError("open-failed", "unexpected accept");
    }
    const fail = (why: string) => {
      this.#outgoing.delete(key);
      o.reject(new LnError("open-failed", why));
      return new LnError("open-failed", why);
    };
    const refused = refusePeerTerms(o.open.fundingResonances, accept.params, accept.limits) ??
      (accept.minimumDepth > MAX_MINIMUM_DEPTH
        ? `minimum depth ${accept.minimumDepth} exceeds ${MAX_MINIMUM_DEPTH}`
        : undefined);
    if (refused) throw fail(refused);
    const value = o.open.fundingResonances;
    const funding = fundingOutput(o.open.params.fundingKey, accept.params.fundingKey, value).output;
    let tx: Tx;
    try {
      tx = await this.#core.wallet.fundingTx(funding.address, value);
    } catch (e) {
      // The wallet's own error (insufficient funds, no wallet) goes to the caller as it is.
      this.#outgoing.delete(key);
      o.reject(e as Error);
      throw new LnError("open-failed", `cannot fund the channel: ${(e as Error).message}`);
    }
    const vout = tx.outputs.findIndex((out) =>
      out.value === value && out.address.kind === funding.address.kind &&
      bytesEqual(out.address.hash, funding.address.hash)
    );
    if (vout < 0) throw fail("the wallet's funding transaction lacks the funding output");
    const outpoint = { txid: txid(this.#core.node.params.magic, tx), vout };
    const config: ChannelConfig = {
      channelId: fundingChannelId(outpoint),
      funder: "local",
      capacityMres: value * MRES_PER_RESONANCE,
      localParams: o.open.params,
      remoteParams: accept.params,
      localLimits: o.open.limits,
      remoteLimits: accept.limits,
    };
    const signer = signerFor(this.#core, config, outpoint, o.secrets);
    const specs = initialCommitmentSpecs(config, o.open.feeratePerByte, o.open.pushMres);
    const remoteSignature = signer.signRemoteCommitment(specs.remote, accept.firstPoint);
    o.funded = { accept, config, tx, vout, remoteSignature };
    this.#outgoing.delete(key);
    this.#outgoing.set(toHex(config.channelId), o);
    this.#core.send(peerId, {
      type: "funding_created",
      temporaryChannelId: accept.temporaryChannelId,
      fundingTxid: outpoint.txid,
      fundingVout: vout,
      signature: remoteSignature,
    });
  }

  /** `funding_created` for an opening proposed to us: stores the channel, signs it back. */
  async onFundingCreated(
    peerId: string,
    m: {
      temporaryChannelId: Uint8Array;
      fundingTxid: Uint8Array;
      fundingVout: number;
      signature: Uint8Array;
    },
  ): Promise<void> {
    const key = toHex(m.temporaryChannelId);
    const o = this.#incoming.get(key);
    if (!o || o.peerId !== peerId) throw new LnError("open-failed", "unexpected funding_created");
    this.#incoming.delete(key);
    const outpoint = { txid: m.fundingTxid, vout: m.fundingVout };
    const config: ChannelConfig = {
      channelId: fundingChannelId(outpoint),
      funder: "remote",
      capacityMres: o.open.fundingResonances * MRES_PER_RESONANCE,
      localParams: o.params,
      remoteParams: o.open.params,
      localLimits: o.limits,
      remoteLimits: o.open.limits,
    };
    if (this.#core.channels.has(toHex(config.channelId))) {
      throw new LnError("open-failed", "a channel with this funding outpoint exists");
    }
    const signer = signerFor(this.#core, config, outpoint, o.secrets);
    const specs = initialCommitmentSpecs(config, o.open.feeratePerByte, o.open.pushMres);
    const ourSignature = signer.signRemoteCommitment(specs.remote, o.open.firstPoint);
    const state = createChannel({
      config,
      localSeed: o.seed,
      feeratePerByte: o.open.feeratePerByte,
      pushMres: o.open.pushMres,
      remotePoints: [o.open.firstPoint, o.open.secondPoint],
      localCommitSignature: m.signature,
      remoteCommitSignature: ourSignature,
    }, signer);
    await this.#core.save({
      channelId: config.channelId,
      peerId,
      weFunded: false,
      status: "awaiting-funding",
      fundingOutpoint: outpoint,
      minimumDepth: o.minimumDepth,
      fundingDeadlineHeight: this.#core.node.chainstate.tip().height +
        fundingTimeoutBlocksFor(this.#core.node.params),
      secrets: o.secrets,
      state,
      localReady: false,
      remoteReady: false,
    });
    this.#core.send(peerId, {
      type: "funding_signed",
      channelId: config.channelId,
      signature: ourSignature,
    });
    this.#core.log(`accepted channel ${toHex(config.channelId)} from ${peerId.slice(0, 16)}`);
  }

  /** `funding_signed` for our opening: stores the channel, then broadcasts its funding. */
  async onFundingSigned(
    peerId: string,
    m: { channelId: Uint8Array; signature: Uint8Array },
  ): Promise<void> {
    const key = toHex(m.channelId);
    const o = this.#outgoing.get(key);
    if (!o || o.peerId !== peerId || !o.funded) {
      throw new LnError("open-failed", "unexpected funding_signed");
    }
    this.#outgoing.delete(key);
    const { accept, config, tx, vout, remoteSignature } = o.funded;
    const outpoint = { txid: txid(this.#core.node.params.magic, tx), vout };
    let state: ChannelState;
    try {
      state = createChannel({
        config,
        localSeed: o.seed,
        feeratePerByte: o.open.feeratePerByte,
        pushMres: o.open.pushMres,
        remotePoints: [accept.firstPoint, accept.secondPoint],
        localCommitSignature: m.signature,
        remoteCommitSignature: remoteSignature,
      }, signerFor(this.#core, config, outpoint, o.secrets));
    } catch (e) {
      o.reject(new LnError("open-failed", `the peer's signature is bad: ${(e as Error).message}`));
      throw e;
    }
    // Saved before the funding is broadcast: from then on our commitment 0 is what gets the
    // money back if the peer vanishes.
    await this.#core.save({
      channelId: config.channelId,
      peerId,
      weFunded: true,
      status: "awaiting-funding",
      fundingOutpoint: outpoint,
      fundingTx: encodeTx(tx),
      minimumDepth: accept.minimumDepth,
      secrets: o.secrets,
      state,
      localReady: false,
      remoteReady: false,
    });
    try {
      await this.#core.wallet.publish(tx);
    } catch (e) {
      o.reject(
        new LnError("open-failed", `the funding transaction was refused: ${(e as Error).message}`),
      );
      return;
    }
    this.#core.log(
      `opened channel ${key} with ${peerId.slice(0, 16)}: funding ${toHex(outpoint.txid)}:${vout}`,
    );
    o.resolve({ channelId: key, fundingTxid: toHex(outpoint.txid), fundingVout: vout });
  }

  /** `channel_ready` from the peer: the channel is normal once we are ready too. */
  async onReady(r: ChannelRecord): Promise<void> {
    if (r.remoteReady) return;
    const next = { ...r, remoteReady: true };
    if (next.localReady && next.status === "awaiting-funding") next.status = "normal";
    await this.#core.save(next);
  }
}

function pointAt(seed: Uint8Array, n: bigint): Uint8Array {
  return perCommitmentPoint(perCommitmentSecret(seed, FIRST_COMMITMENT_INDEX - Number(n)));
}
