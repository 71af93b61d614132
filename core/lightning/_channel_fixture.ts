/**
 * Test helper (private): two channel parties with real keys (Ed25519 funding seeds, ristretto255
 * basepoint secrets, shachain seeds) and the commitment parameters between them, for the channel
 * transaction tests. Not for production code.
 *
 * @module
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { type Ed25519KeyPair, keyPairFromSeed } from "../crypto/ed25519.ts";
import type { OutPoint } from "../primitives/tx.ts";
import {
  derivePrivateKey,
  deriveRevocationPrivateKey,
  perCommitmentPoint,
  pointOfScalar,
} from "./commitment_keys.ts";
import type {
  ChannelPartyParams,
  ChannelSide,
  CommitmentSpec,
  HtlcSpec,
} from "./commitment_spec.ts";
import type { CommitmentTxParams } from "./commitment_tx.ts";
import { FIRST_COMMITMENT_INDEX, perCommitmentSecret } from "./shachain.ts";

/** One side's secrets and public parameters. */
export interface TestParty {
  /** The funding key pair (an RFC 8032 seed). */
  readonly funding: Ed25519KeyPair;
  /** Basepoint secrets (ristretto255 scalars). */
  readonly revocationSecret: bigint;
  readonly paymentSecret: bigint;
  readonly delayedSecret: bigint;
  readonly htlcSecret: bigint;
  /** The shachain seed of this side's per-commitment secrets. */
  readonly shachainSeed: Uint8Array;
  /** The public parameters. */
  readonly params: ChannelPartyParams;
}

/** A scalar from a label (SHA-256, little-endian); uniform enough for tests. */
export function testScalar(label: string): bigint {
  const h = sha256(new TextEncoder().encode(label));
  let n = 0n;
  for (let i = h.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(h[i]!);
  return n % (2n ** 252n);
}

/** A party named `name` that makes its peer wait `toSelfDelaySecs` and trims below `dust`. */
export function testParty(name: string, toSelfDelaySecs: number, dust: bigint): TestParty {
  const funding = keyPairFromSeed(sha256(new TextEncoder().encode(`${name} funding`)));
  const revocationSecret = testScalar(`${name} revocation`);
  const paymentSecret = testScalar(`${name} payment`);
  const delayedSecret = testScalar(`${name} delayed`);
  const htlcSecret = testScalar(`${name} htlc`);
  return {
    funding,
    revocationSecret,
    paymentSecret,
    delayedSecret,
    htlcSecret,
    shachainSeed: sha256(new TextEncoder().encode(`${name} shachain`)),
    params: {
      fundingKey: funding.publicKey,
      revocationBasepoint: pointOfScalar(revocationSecret),
      paymentBasepoint: pointOfScalar(paymentSecret),
      delayedPaymentBasepoint: pointOfScalar(delayedSecret),
      htlcBasepoint: pointOfScalar(htlcSecret),
      toSelfDelaySecs,
      dustLimitResonances: dust,
    },
  };
}

/** The per-commitment secret of `party` at commitment number `n`. */
export function secretAt(party: TestParty, n: bigint): Uint8Array {
  return perCommitmentSecret(party.shachainSeed, FIRST_COMMITMENT_INDEX - Number(n));
}

/** The per-commitment point of `party` at commitment number `n`. */
export function pointAt(party: TestParty, n: bigint): Uint8Array {
  return perCommitmentPoint(secretAt(party, n));
}

/** The private keys `party` holds for a commitment whose owner's point is `ownerPoint`. */
export function scalarsFor(party: TestParty, ownerPoint: Uint8Array) {
  return {
    delayed: derivePrivateKey(party.delayedSecret, ownerPoint),
    htlc: derivePrivateKey(party.htlcSecret, ownerPoint),
    payment: party.paymentSecret,
  };
}

/** The revocation scalar `punisher` gets once `cheater` revealed its secret of commitment `n`. */
export function revocationScalar(punisher: TestParty, cheater: TestParty, n: bigint): bigint {
  return deriveRevocationPrivateKey(punisher.revocationSecret, secretAt(cheater, n));
}

/**
 * The builder parameters of the commitment `owner` holds at `spec.commitmentNumber`, seen from
 * `local`'s node (`local` funds the channel when `funder` is "local").
 */
export function commitmentParams(
  local: TestParty,
  remote: TestParty,
  owner: ChannelSide,
  n: bigint,
  funding: { outpoint: OutPoint; value: bigint },
  funder: ChannelSide = "local",
): CommitmentTxParams {
  return {
    local: local.params,
    remote: remote.params,
    funder,
    fundingOutpoint: funding.outpoint,
    fundingValue: funding.value,
    ownerPerCommitmentPoint: pointAt(owner === "local" ? local : remote, n),
  };
}

/** A spec with the given balances and HTLCs. */
export function spec(
  owner: ChannelSide,
  n: bigint,
  toOwnerMres: bigint,
  toOtherMres: bigint,
  feeResonances: bigint,
  htlcs: readonly HtlcSpec[] = [],
): CommitmentSpec {
  return { owner, commitmentNumber: n, toOwnerMres, toOtherMres, feeResonances, htlcs };
}
