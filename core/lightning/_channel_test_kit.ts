/**
 * Test kit for the channel update protocol (private to tests): two real channel state machines
 * joined by a message pipe that carries the real wire bytes, with Ed25519 commitment signatures
 * (noble) over a canonical encoding of each spec. Nothing is faked: a spec the two sides disagree
 * on gives a signature that does not verify.
 *
 * @module
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { ByteWriter } from "../encoding/byte_writer.ts";
import {
  createChannel,
  initialCommitmentSpecs,
  needsCommitment,
  receiveMessage,
  signCommitment,
} from "./channel_state.ts";
import type {
  ChannelConfig,
  ChannelEvent,
  ChannelLimits,
  ChannelState,
  CommitmentSigner,
} from "./channel_types.ts";
import {
  type ChannelMessage,
  decodeChannelMessage,
  encodeChannelMessage,
  type EncodedChannelMessage,
} from "./channel_messages.ts";
import {
  disconnectChannel,
  receiveReestablish,
  reestablishMessage,
} from "./channel_reestablish.ts";
import { decodeChannelState, encodeChannelState } from "./channel_state_codec.ts";
import type { ChannelPartyParams, ChannelSide, CommitmentSpec } from "./commitment_spec.ts";
import { perCommitmentPoint, pointOfScalar } from "./commitment_keys.ts";
import { FIRST_COMMITMENT_INDEX, perCommitmentSecret } from "./shachain.ts";
import { ONION_PACKET_BYTES } from "./sphinx.ts";
import { paymentHashOf } from "./invoice.ts";
import { ChannelError, type ChannelErrorReason } from "./channel_error.ts";
import { REGTEST } from "../consensus/params.ts";
import { fundingSigner } from "./funding_signer.ts";

/** The bytes both sides sign for a commitment: sides named from the owner's point of view. */
export function canonicalCommitmentBytes(
  channelId: Uint8Array,
  spec: CommitmentSpec,
  point: Uint8Array,
): Uint8Array {
  const w = new ByteWriter(256);
  w.writeBytes(channelId).writeBytes(point).writeU64(spec.commitmentNumber);
  w.writeU64(spec.toOwnerMres).writeU64(spec.toOtherMres).writeU64(spec.feeResonances);
  const htlcs = spec.htlcs.map((h) => ({ ...h, byOwner: h.offeredBy === spec.owner }))
    .sort((a, b) =>
      a.byOwner !== b.byOwner ? (a.byOwner ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0
    );
  w.writeCompactSize(htlcs.length);
  for (const h of htlcs) {
    w.writeU8(h.byOwner ? 0 : 1).writeU64(h.id).writeU64(h.amountMres);
    w.writeBytes(h.paymentHash).writeU64(h.expirySecs);
  }
  return w.finish();
}

/** A commitment signer with real Ed25519 keys: ours to sign, the peer's to verify. */
export function ed25519Signer(
  channelId: Uint8Array,
  ourSecret: Uint8Array,
  theirPublic: Uint8Array,
): CommitmentSigner {
  return {
    signRemoteCommitment: (spec, point) =>
      ed25519.sign(canonicalCommitmentBytes(channelId, spec, point), ourSecret),
    verifyLocalCommitment: (spec, point, signature) =>
      ed25519.verify(signature, canonicalCommitmentBytes(channelId, spec, point), theirPublic),
  };
}

/** The network magic the transaction signer signs under. */
export const TEST_MAGIC = REGTEST.magic;
/** The funding outpoint of the test channels. */
export const TEST_FUNDING_OUTPOINT = { txid: new Uint8Array(32).fill(0xf0), vout: 1 };

/**
 * A commitment signer over the real commitment transactions (§9.7): it builds the transaction
 * of the spec with `buildCommitmentTx` and signs or checks its funding-input sighash with the
 * funding keys, as the node will. A spec the builder refuses throws.
 */
export function transactionSigner(
  config: ChannelConfig,
  fundingSeed: Uint8Array,
): CommitmentSigner {
  return fundingSigner(config, {
    magic: TEST_MAGIC,
    fundingOutpoint: TEST_FUNDING_OUTPOINT,
    fundingSeed,
  });
}

/** One party of a test channel. */
export interface Party {
  readonly name: "alice" | "bob";
  state: ChannelState;
  readonly signer: CommitmentSigner;
  readonly seed: Uint8Array;
  /** Messages on their way TO this party, as wire bytes. */
  inbox: EncodedChannelMessage[];
  events: ChannelEvent[];
}

/** Options of {@link openChannel}. */
export interface OpenOptions {
  capacityMres?: bigint;
  pushMres?: bigint;
  feeratePerByte?: number;
  aliceLimits?: Partial<ChannelLimits>;
  bobLimits?: Partial<ChannelLimits>;
  aliceDustLimitResonances?: bigint;
  bobDustLimitResonances?: bigint;
  /** Sign the real commitment transactions (§9.7) instead of the canonical spec bytes. */
  realTransactions?: boolean;
}

/** Default limits: large enough that only the test that means to hit one does. */
export const DEFAULT_LIMITS: ChannelLimits = {
  reserveMres: 1_000_000n,
  maxAcceptedHtlcs: 30,
  maxHtlcValueInFlightMres: 10n ** 15n,
  htlcMinimumMres: 1000n,
};

const opened = new Map<string, { alice: Party; bob: Party }>();

/**
 * A channel funded by Alice (the first party) with Bob, at commitment 0 on both sides. Opened
 * once per set of options (the keys are fixed) and copied, so many runs stay fast.
 */
export function openChannel(options: OpenOptions = {}): { alice: Party; bob: Party } {
  const key = JSON.stringify(options, (_k, v) => typeof v === "bigint" ? `${v}n` : v);
  let pair = opened.get(key);
  if (pair === undefined) {
    pair = openFreshChannel(options);
    opened.set(key, pair);
  }
  const copy = (p: Party): Party => ({
    ...p,
    state: structuredClone(p.state),
    inbox: [],
    events: [],
  });
  return { alice: copy(pair.alice), bob: copy(pair.bob) };
}

function openFreshChannel(options: OpenOptions): { alice: Party; bob: Party } {
  const channelId = new Uint8Array(32).fill(0xc4);
  const capacityMres = options.capacityMres ?? 10n ** 11n; // 1 RNT
  const pushMres = options.pushMres ?? 2n * 10n ** 10n;
  const feeratePerByte = options.feeratePerByte ?? 1;
  const aliceFunding = new Uint8Array(32).fill(0xa1);
  const bobFunding = new Uint8Array(32).fill(0xb1);
  const aliceSeed = new Uint8Array(32).fill(0xa2);
  const bobSeed = new Uint8Array(32).fill(0xb2);
  const aliceParams = partyParams(aliceFunding, 11n, options.aliceDustLimitResonances ?? 546n);
  const bobParams = partyParams(bobFunding, 22n, options.bobDustLimitResonances ?? 546n);
  const aliceLimits = { ...DEFAULT_LIMITS, ...options.aliceLimits };
  const bobLimits = { ...DEFAULT_LIMITS, ...options.bobLimits };
  const aliceConfig: ChannelConfig = {
    channelId,
    funder: "local",
    capacityMres,
    localParams: aliceParams,
    remoteParams: bobParams,
    localLimits: aliceLimits,
    remoteLimits: bobLimits,
  };
  const bobConfig: ChannelConfig = {
    channelId,
    funder: "remote",
    capacityMres,
    localParams: bobParams,
    remoteParams: aliceParams,
    localLimits: bobLimits,
    remoteLimits: aliceLimits,
  };
  const aliceSigner = options.realTransactions
    ? transactionSigner(aliceConfig, aliceFunding)
    : ed25519Signer(channelId, aliceFunding, ed25519.getPublicKey(bobFunding));
  const bobSigner = options.realTransactions
    ? transactionSigner(bobConfig, bobFunding)
    : ed25519Signer(channelId, bobFunding, ed25519.getPublicKey(aliceFunding));
  const aliceSpecs = initialCommitmentSpecs(aliceConfig, feeratePerByte, pushMres);
  const bobSpecs = initialCommitmentSpecs(bobConfig, feeratePerByte, pushMres);
  const sigForBob = aliceSigner.signRemoteCommitment(aliceSpecs.remote, pointOf(bobSeed, 0));
  const sigForAlice = bobSigner.signRemoteCommitment(bobSpecs.remote, pointOf(aliceSeed, 0));
  const alice = createChannel({
    config: aliceConfig,
    localSeed: aliceSeed,
    feeratePerByte,
    pushMres,
    remotePoints: [pointOf(bobSeed, 0), pointOf(bobSeed, 1)],
    localCommitSignature: sigForAlice,
    remoteCommitSignature: sigForBob,
  }, aliceSigner);
  const bob = createChannel({
    config: bobConfig,
    localSeed: bobSeed,
    feeratePerByte,
    pushMres,
    remotePoints: [pointOf(aliceSeed, 0), pointOf(aliceSeed, 1)],
    localCommitSignature: sigForBob,
    remoteCommitSignature: sigForAlice,
  }, bobSigner);
  return {
    alice: {
      name: "alice",
      state: alice,
      signer: aliceSigner,
      seed: aliceSeed,
      inbox: [],
      events: [],
    },
    bob: { name: "bob", state: bob, signer: bobSigner, seed: bobSeed, inbox: [], events: [] },
  };
}

function partyParams(funding: Uint8Array, base: bigint, dust: bigint): ChannelPartyParams {
  return {
    fundingKey: ed25519.getPublicKey(funding),
    revocationBasepoint: pointOfScalar(base + 1n),
    paymentBasepoint: pointOfScalar(base + 2n),
    delayedPaymentBasepoint: pointOfScalar(base + 3n),
    htlcBasepoint: pointOfScalar(base + 4n),
    toSelfDelaySecs: 86_400,
    dustLimitResonances: dust,
  };
}

/** The point of commitment `number` of the party with `seed`. */
export function pointOf(seed: Uint8Array, number: number | bigint): Uint8Array {
  return perCommitmentPoint(perCommitmentSecret(seed, FIRST_COMMITMENT_INDEX - Number(number)));
}

/** The secret of commitment `number` of the party with `seed`. */
export function secretOf(seed: Uint8Array, number: number | bigint): Uint8Array {
  return perCommitmentSecret(seed, FIRST_COMMITMENT_INDEX - Number(number));
}

let persistEveryStep = true;

/** Whether {@link persistAndReload} round-trips through bytes (default) or passes states through. */
export function setPersistEveryStep(on: boolean): void {
  persistEveryStep = on;
}

/** Persists and reloads a state the way the node will: bytes out, bytes in, same bytes again. */
export function persistAndReload(state: ChannelState): ChannelState {
  if (!persistEveryStep) return state;
  const bytes = encodeChannelState(state);
  const loaded = decodeChannelState(bytes);
  const again = encodeChannelState(loaded);
  if (again.length !== bytes.length || again.some((b, i) => b !== bytes[i])) {
    throw new Error("channel state does not re-encode to the same bytes");
  }
  return loaded;
}

/** Sends `message` from `from` to `to` as wire bytes. */
export function send(to: Party, message: ChannelMessage): void {
  to.inbox.push(encodeChannelMessage(message));
}

/** Delivers the oldest message in `to`'s inbox; replies go to `from`'s inbox. */
export function deliver(to: Party, from: Party): ChannelMessage {
  const encoded = to.inbox.shift();
  if (encoded === undefined) throw new Error(`${to.name} has nothing to receive`);
  const message = decodeChannelMessage(encoded.id, encoded.payload);
  if (message.type === "channel_reestablish") {
    const result = receiveReestablish(to.state, message);
    to.state = persistAndReload(result.state);
    for (const reply of result.replies) send(from, reply);
  } else {
    const result = receiveMessage(to.state, message, to.signer);
    to.state = persistAndReload(result.state);
    to.events.push(...result.events);
    for (const reply of result.replies) send(from, reply);
  }
  return message;
}

/** Signs and sends a commitment from `from` to `to`. */
export function commit(from: Party, to: Party): void {
  const { state, message } = signCommitment(from.state, from.signer);
  from.state = persistAndReload(state);
  send(to, message);
}

/** Runs a local action of `from` and sends its message to `to`. */
export function act(
  from: Party,
  to: Party,
  action: (state: ChannelState) => { state: ChannelState; message: ChannelMessage },
): void {
  const { state, message } = action(from.state);
  from.state = persistAndReload(state);
  send(to, message);
}

/**
 * Loses what is in flight (a dropped connection or a killed process: both persist before they
 * send), marks both sides disconnected and exchanges `channel_reestablish`, delivered first.
 */
export function reconnect(alice: Party, bob: Party): void {
  alice.inbox = [];
  bob.inbox = [];
  alice.state = persistAndReload(disconnectChannel(alice.state));
  bob.state = persistAndReload(disconnectChannel(bob.state));
  send(bob, reestablishMessage(alice.state));
  send(alice, reestablishMessage(bob.state));
  deliver(alice, bob);
  deliver(bob, alice);
}

/** Delivers everything and signs whatever needs signing until both sides are quiet. */
export function settle(alice: Party, bob: Party): void {
  for (let round = 0; round < 1000; round++) {
    if (alice.inbox.length > 0) deliver(alice, bob);
    else if (bob.inbox.length > 0) deliver(bob, alice);
    else if (needsCommitment(alice.state)) commit(alice, bob);
    else if (needsCommitment(bob.state)) commit(bob, alice);
    else return;
  }
  throw new Error("the channel did not settle in 1000 steps");
}

/** A deterministic 32-byte preimage and its payment hash. */
export function preimageOf(n: number): { preimage: Uint8Array; paymentHash: Uint8Array } {
  const preimage = new Uint8Array(32);
  new DataView(preimage.buffer).setUint32(0, n);
  preimage[31] = 0x5a;
  return { preimage, paymentHash: paymentHashOf(preimage) };
}

/** An onion-sized placeholder packet (the channel treats onions as opaque bytes). */
export function onionOf(n: number): Uint8Array {
  return new Uint8Array(ONION_PACKET_BYTES).fill(n & 0xff);
}

/** The spec as its owner's counterparty sees it: sides swapped. */
export function mirrorSide(side: ChannelSide): ChannelSide {
  return side === "local" ? "remote" : "local";
}

/** Whether two specs of one commitment, one from each side, agree (canonical bytes equal). */
export function sameCommitment(a: CommitmentSpec, b: CommitmentSpec): boolean {
  if (a.owner !== mirrorSide(b.owner)) return false;
  const point = new Uint8Array(32);
  const x = canonicalCommitmentBytes(point, a, point);
  const y = canonicalCommitmentBytes(point, b, point);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Throws unless `fn` throws a ChannelError with `reason`. */
export function expectReason(fn: () => unknown, reason: ChannelErrorReason): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof ChannelError && e.reason === reason) return;
    throw new Error(`expected ChannelError ${reason}, got ${e}`);
  }
  throw new Error(`expected ChannelError ${reason}, nothing was thrown`);
}
