/**
 * The node's Lightning keys, all derived from one 32-byte root secret (the wallet's
 * `lightningRootSecret()`, SLIP-10 `m/1017'/9555'/0'`), so the wallet's 24 words restore them:
 *
 * ```
 * key(label)            = HMAC-SHA-512(root, "rnt/ln/" ‖ label)
 * store key             = key("channel-store")[0..32]      sealing the channel store's values
 * backup key            = key("static-backup")[0..32]      sealing the static channel backup
 * scalar(index, name)   = LE(key("channel/" ‖ index ‖ "/" ‖ name)) mod ℓ      (ristretto255, §9.6)
 * funding seed(index)   = key("channel/" ‖ index ‖ "/funding")[0..32]         (an RFC 8032 seed)
 * ```
 *
 * `name` is one of revocation, payment, delayed, htlc. A channel is opened with the basepoints of
 * a fresh `index`; the channel store and the backup keep only the index, never a secret.
 *
 * @module
 */
import { ristretto255 } from "@noble/curves/ed25519.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { keyPairFromSeed } from "../../core/crypto/ed25519.ts";
import { pointOfScalar } from "../../core/lightning/commitment_keys.ts";
import type { ChannelPartyParams } from "../../core/lightning/commitment_spec.ts";

const Fn = ristretto255.Point.Fn;
const LABEL_PREFIX = "rnt/ln/";

/** The secrets of one channel's side (ours), from {@link ChannelKeyRing.channelSecrets}. */
export interface ChannelSecrets {
  /** The derivation index. */
  readonly index: number;
  /** ristretto255 basepoint secrets (scalars mod ℓ). */
  readonly revocationSecret: bigint;
  readonly paymentSecret: bigint;
  readonly delayedSecret: bigint;
  readonly htlcSecret: bigint;
  /** The funding key's RFC 8032 seed and public key. */
  readonly fundingSeed: Uint8Array;
  readonly fundingKey: Uint8Array;
}

/** The keys derived from a Lightning root secret (see the module doc). */
export class ChannelKeyRing {
  readonly #root: Uint8Array;

  /** A key ring over a 32-byte root secret; RangeError for another length. */
  constructor(rootSecret: Uint8Array) {
    if (rootSecret.length !== 32) {
      throw new RangeError(`Lightning root secret must be 32 bytes, got ${rootSecret.length}`);
    }
    this.#root = rootSecret.slice();
  }

  /** The 32-byte key that seals the channel store's values. */
  storeKey(): Uint8Array {
    return this.#key("channel-store").slice(0, 32);
  }

  /** The 32-byte key that seals the static channel backup. */
  backupKey(): Uint8Array {
    return this.#key("static-backup").slice(0, 32);
  }

  /** Our secrets of channel `index` (0 … 2³² − 1). */
  channelSecrets(index: number): ChannelSecrets {
    if (!Number.isInteger(index) || index < 0 || index > 0xffff_ffff) {
      throw new RangeError(`Channel key index out of range: ${index}`);
    }
    const scalar = (name: string) => {
      const s = Fn.create(leToBigInt(this.#key(`channel/${index}/${name}`)));
      if (s === 0n) throw new RangeError(`Channel key ${name} of index ${index} is zero`);
      return s;
    };
    const fundingSeed = this.#key(`channel/${index}/funding`).slice(0, 32);
    return {
      index,
      revocationSecret: scalar("revocation"),
      paymentSecret: scalar("payment"),
      delayedSecret: scalar("delayed"),
      htlcSecret: scalar("htlc"),
      fundingSeed,
      fundingKey: keyPairFromSeed(fundingSeed).publicKey,
    };
  }

  /** Our public parameters of channel `index` with the given delay and dust limit. */
  channelParams(
    index: number,
    toSelfDelaySecs: number,
    dustLimitResonances: bigint,
  ): ChannelPartyParams {
    const s = this.channelSecrets(index);
    return {
      fundingKey: s.fundingKey,
      revocationBasepoint: pointOfScalar(s.revocationSecret),
      paymentBasepoint: pointOfScalar(s.paymentSecret),
      delayedPaymentBasepoint: pointOfScalar(s.delayedSecret),
      htlcBasepoint: pointOfScalar(s.htlcSecret),
      toSelfDelaySecs,
      dustLimitResonances,
    };
  }

  #key(label: string): Uint8Array {
    return hmac(sha512, this.#root, new TextEncoder().encode(LABEL_PREFIX + label));
  }
}

function leToBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}
