/**
 * The wallet model (pure: no I/O; randomness only when generating a mnemonic).
 *
 * Keys: `m/44'/9555'/account'/branch'/index'` with branch 0 receive, 1 change, 2 and 3 the own
 * heartbeat recovery keys of receive and change addresses (same index), 4 guardian keys (keys
 * this wallet holds as a guardian of other people's social-recovery addresses).
 *
 * Every address carries a recovery spec ({@linkcode RecoverySpec}); none can be created
 * without one. Coins are given by the caller (from the node's UTXO set) as
 * {@linkcode WalletCoin}s; times are median-time-past seconds, as consensus uses them.
 *
 * @module
 */
import { keyPairFromSeed, sign } from "../crypto/ed25519.ts";
import { toHex } from "../crypto/keccak.ts";
import type { UtxoEntry } from "../consensus/chain_entry.ts";
import { isMature } from "../consensus/coinbase_maturity.ts";
import type { NetworkParams } from "../consensus/params.ts";
import { getNetworkParams } from "../consensus/params.ts";
import {
  type AddressData,
  decodeAddress,
  encodeAddress,
  RecoveryKind,
} from "../primitives/address.ts";
import { formatRnt } from "../primitives/amount.ts";
import { pk, type Policy } from "../primitives/policy.ts";
import { policyHash } from "../primitives/policy_codec.ts";
import { formatPolicy } from "../primitives/policy_text.ts";
import { makeSatisfaction } from "../primitives/satisfaction.ts";
import { encodeTx, type OutPoint, type Tx, type TxOut, txSize } from "../primitives/tx.ts";
import { sighashes, txid } from "../primitives/tx_hash.ts";
import { checkMnemonic, generateMnemonic, mnemonicToSeed, type RandomBytes } from "./mnemonic.ts";
import {
  checkRecoverySpec,
  defaultRecoverySpec,
  policyOfSpec,
  type RecoverySpec,
  specFromJson,
  specKind,
  specToJson,
} from "./recovery_spec.ts";
import { deriveSlip10, slip10PublicKey, walletKeyPath } from "./slip10.ts";
import type {
  PendingSendRecord,
  WalletAccountRecord,
  WalletAddressRecord,
  WalletData,
} from "./wallet_data.ts";
import { signedTxSize } from "./fee_sizing.ts";
import { WalletError } from "./wallet_errors.ts";

/** Key branches. */
export const Branch = Object.freeze(
  {
    receive: 0,
    change: 1,
    receiveRecovery: 2,
    changeRecovery: 3,
    guardian: 4,
  } as const,
);

/** A wallet address with its policy. */
export interface WalletAddress {
  /** Bech32m string. */
  readonly address: string;
  /** Kind and policy hash (what outputs carry). */
  readonly data: AddressData;
  /** Account number. */
  readonly account: number;
  /** 0 receive, 1 change. */
  readonly branch: 0 | 1;
  /** Index in the branch. */
  readonly index: number;
  /** Recovery parameters. */
  readonly spec: RecoverySpec;
  /** The full policy revealed when spending. */
  readonly policy: Policy;
  /** The owner public key. */
  readonly ownerKey: Uint8Array;
  /** User label. */
  readonly label: string;
}

/** An unspent output the caller found (e.g. in the node's UTXO set). */
export interface WalletCoin {
  /** Where it is. */
  readonly outpoint: OutPoint;
  /** Value in resonances. */
  readonly value: bigint;
  /** Its kind and policy hash. */
  readonly address: AddressData;
  /** Height of the creating block. */
  readonly height: number;
  /** Created by a coinbase. */
  readonly coinbase: boolean;
  /** MTP the creating block was validated against (UtxoEntry.createdMtpSecs). */
  readonly createdMtpSecs: number;
}

/** The timers of one coin, seen from a child of the tip (negative values never appear). */
export interface CoinStatus {
  /** The coin. */
  readonly coin: WalletCoin;
  /** Its address string. */
  readonly address: string;
  /** Age as consensus would measure it in a child of the tip: tip MTP − created MTP. */
  readonly ageSecs: number;
  /** Seconds until the heartbeat recovery branch opens (0 = open); null for social coins. */
  readonly recoveryOpensInSecs: number | null;
  /** Seconds until miners may sweep it back to the emission pool (0 = sweepable now). */
  readonly emissionReturnInSecs: number;
}

/** A payment. */
export interface Payment {
  /** Recipient address string (any known kind except pending recovery). */
  readonly address: string;
  /** Amount in resonances (> 0). */
  readonly value: bigint;
}

/** Options of {@linkcode Wallet.createSpend}. */
export interface SpendRequest {
  /** Candidate coins (foreign, immature and non-spendable ones are ignored). */
  readonly coins: readonly WalletCoin[];
  /** Payments. */
  readonly payments: readonly Payment[];
  /** Fee rate in resonances per byte of the whole transaction. */
  readonly feeRatePerByte: bigint;
  /** Height of the tip (the transaction goes in tip + 1; coinbase maturity). */
  readonly tipHeight: number;
  /** Spec of the change address (default: the spec of the first selected coin's address). */
  readonly changeSpec?: RecoverySpec;
  /** Change smaller than this is left to the fee (default max(1000, 150 × fee rate)). */
  readonly minChangeResonances?: bigint;
  /** Locktime (default 0). */
  readonly locktime?: number;
}

/** Options of {@linkcode Wallet.createHeartbeat}. */
export interface HeartbeatRequest {
  /** Candidate coins. */
  readonly coins: readonly WalletCoin[];
  /** Fee rate in resonances per byte. */
  readonly feeRatePerByte: bigint;
  /** Tip height and MTP. */
  readonly tipHeight: number;
  /** MTP of the tip. */
  readonly tipMtpSecs: number;
  /** Only coins whose recovery window or emission-return age is this close (default: all). */
  readonly dueWithinSecs?: number;
}

/** A built, signed transaction. */
export interface BuiltTx {
  /** The signed transaction. */
  readonly tx: Tx;
  /** Inputs − outputs. */
  readonly feeResonances: bigint;
  /** The coins spent, in input order. */
  readonly spent: readonly WalletCoin[];
  /** The change address, if one was made. */
  readonly changeAddress: string | null;
  /** Encoded size in bytes. */
  readonly sizeBytes: number;
}

/** The wallet coin of a UTXO entry keyed by `txidhex:vout`. */
export function coinFromUtxo(outpointKey: string, e: UtxoEntry): WalletCoin {
  const m = /^([0-9a-f]{64}):(\d+)$/.exec(outpointKey);
  if (!m) throw new RangeError(`Bad outpoint key: ${outpointKey}`);
  const txid = new Uint8Array(32);
  for (let i = 0; i < 32; i++) txid[i] = parseInt(m[1]!.slice(2 * i, 2 * i + 2), 16);
  return {
    outpoint: { txid, vout: Number(m[2]) },
    value: e.value,
    address: e.address,
    height: e.height,
    coinbase: e.coinbase,
    createdMtpSecs: e.createdMtpSecs,
  };
}

/** A pending-recovery coin with the owner its `UtxoEntry` records. */
export interface PendingRecoveryCoin extends WalletCoin {
  /** `UtxoEntry.pendingOwnerHash`: `policyHash(pk(owner))` of the social coin the guardians spent. */
  readonly pendingOwnerHash: Uint8Array;
}

/** {@linkcode coinFromUtxo} for a pending-recovery entry; null for any other entry. */
export function pendingCoinFromUtxo(
  outpointKey: string,
  e: UtxoEntry,
): PendingRecoveryCoin | null {
  if (e.address.kind !== RecoveryKind.pendingRecovery || !e.pendingOwnerHash) return null;
  return { ...coinFromUtxo(outpointKey, e), pendingOwnerHash: e.pendingOwnerHash };
}

/** SLIP-10 path of the Lightning root secret (purpose 1017', as LND's key family root). */
export const LIGHTNING_ROOT_PATH = "m/1017'/9555'/0'";

/** The policy hash of the change output while the cancel is sized (any 32 bytes will do). */
const PLACEHOLDER_HASH = new Uint8Array(32);

/** A deterministic wallet over one BIP39 mnemonic. */
export class Wallet {
  /** Network params. */
  readonly params: NetworkParams;
  readonly #mnemonic: string;
  readonly #passphrase: string;
  readonly #seed: Uint8Array;
  readonly #accounts = new Map<
    number,
    { label: string; nextReceive: number; nextChange: number }
  >();
  readonly #addresses: WalletAddress[] = [];
  readonly #byHash = new Map<string, WalletAddress>();
  readonly #labels = new Map<string, string>();
  /** Unconfirmed sends by txid hex, in the order they were sent. */
  readonly #pending = new Map<string, PendingSendRecord>();

  private constructor(params: NetworkParams, mnemonic: string, passphrase: string) {
    this.params = params;
    this.#mnemonic = checkMnemonic(mnemonic);
    this.#passphrase = passphrase;
    this.#seed = mnemonicToSeed(this.#mnemonic, passphrase);
    this.#accounts.set(0, { label: "default", nextReceive: 0, nextChange: 0 });
  }

  /**
   * A wallet from 24 words and an optional BIP39 passphrase (no addresses yet).
   *
   * @example
   * ```ts
   * import { Wallet } from "./wallet.ts";
   * import { REGTEST } from "../consensus/params.ts";
   * const w = Wallet.fromMnemonic(REGTEST, "abandon ".repeat(23) + "art");
   * const a = w.newAddress({ kind: "heartbeat", intervalSecs: 3600, recovery: { type: "own" } });
   * console.log(a.address.startsWith("rrnt1")); // true
   * ```
   */
  static fromMnemonic(params: NetworkParams, mnemonic: string, passphrase = ""): Wallet {
    return new Wallet(params, mnemonic, passphrase);
  }

  /** A new wallet with fresh words. */
  static generate(params: NetworkParams, passphrase = "", randomBytes?: RandomBytes): Wallet {
    return new Wallet(params, generateMnemonic(randomBytes), passphrase);
  }

  /**
   * Rebuilds a wallet from its saved data, re-deriving every address; an address that does not
   * re-derive to the stored string is `WalletError("bad-wallet-data")`.
   */
  static fromData(data: WalletData): Wallet {
    const w = new Wallet(getNetworkParams(data.network), data.mnemonic, data.passphrase);
    w.#accounts.clear();
    for (const a of data.accounts) {
      w.#accounts.set(a.index, {
        label: a.label,
        nextReceive: a.nextReceive,
        nextChange: a.nextChange,
      });
    }
    for (const r of data.addresses) {
      const spec = specFromJson(r.spec);
      const made = w.#derive(spec, r.account, r.branch, r.index, r.label);
      if (made.address !== r.address || formatPolicy(made.policy) !== r.policy) {
        throw new WalletError(
          "bad-wallet-data",
          `Stored address ${r.address} does not match its derivation`,
        );
      }
      w.#add(made);
    }
    for (const [k, v] of Object.entries(data.labels)) w.#labels.set(k, v);
    for (const p of data.pendingSends) w.#pending.set(p.txid, p);
    return w;
  }

  /** The plaintext to save (contains the mnemonic: encrypt it, see `wallet_data.ts`). */
  toData(): WalletData {
    const accounts: WalletAccountRecord[] = [...this.#accounts].map(([index, a]) => ({
      index,
      ...a,
    }));
    const addresses: WalletAddressRecord[] = this.#addresses.map((a) => ({
      address: a.address,
      account: a.account,
      branch: a.branch,
      index: a.index,
      kind: a.spec.kind,
      policy: formatPolicy(a.policy),
      spec: specToJson(a.spec),
      label: a.label,
    }));
    return {
      format: "rnt-wallet",
      version: 2,
      network: this.params.name,
      mnemonic: this.#mnemonic,
      passphrase: this.#passphrase,
      hasPassphrase: this.#passphrase !== "",
      accounts,
      addresses,
      labels: Object.fromEntries(this.#labels),
      pendingSends: [...this.#pending.values()],
    };
  }

  /**
   * Remembers `tx`, which this wallet made and broadcast at `timeSecs` (Unix seconds), until
   * {@linkcode Wallet.dropPendingSend} says a block confirmed it or another transaction spent
   * its inputs; until then the wallet submits it again to a node that lost it. Recording the
   * same transaction twice keeps the first time.
   */
  recordSend(tx: Tx, timeSecs: number): PendingSendRecord {
    const id = toHex(txid(this.params.magic, tx));
    const known = this.#pending.get(id);
    if (known) return known;
    const rec: PendingSendRecord = { txid: id, rawTx: toHex(encodeTx(tx)), timeSecs };
    this.#pending.set(id, rec);
    return rec;
  }

  /** The unconfirmed sends, oldest first (a child after the parent whose change it spends). */
  pendingSends(): readonly PendingSendRecord[] {
    return [...this.#pending.values()];
  }

  /** Forgets the pending send `txidHex` (confirmed or conflicted); false when it was not pending. */
  dropPendingSend(txidHex: string): boolean {
    return this.#pending.delete(txidHex);
  }

  /** The normalised 24 words. */
  get mnemonic(): string {
    return this.#mnemonic;
  }

  /**
   * Derives the next receive (or change) address of `account` with recovery `spec`. Throws
   * `WalletError("missing-recovery-policy")` without a spec and "bad-recovery-spec" for one
   * the network refuses.
   */
  newAddress(
    spec: RecoverySpec | undefined,
    opts: { account?: number; label?: string; change?: boolean } = {},
  ): WalletAddress {
    checkRecoverySpec(spec, this.params);
    const account = opts.account ?? 0;
    let acc = this.#accounts.get(account);
    if (!acc) {
      acc = { label: "", nextReceive: 0, nextChange: 0 };
      this.#accounts.set(account, acc);
    }
    const branch = opts.change ? 1 : 0;
    const index = branch ? acc.nextChange++ : acc.nextReceive++;
    const made = this.#derive(spec!, account, branch, index, opts.label ?? "");
    this.#add(made);
    return made;
  }

  /** Every address, in creation order. */
  addresses(): readonly WalletAddress[] {
    return this.#addresses;
  }

  /**
   * The recovery spec of a new address when none is asked for: that of the first receive
   * address, else the network's default ({@linkcode defaultRecoverySpec}).
   */
  defaultSpec(): RecoverySpec {
    return this.#addresses.find((a) => a.branch === 0)?.spec ?? defaultRecoverySpec(this.params);
  }

  /** The wallet address of an address string or payload, if it is ours. */
  addressOf(a: string | AddressData): WalletAddress | undefined {
    const data = typeof a === "string" ? decodeAddress(this.params, a) : a;
    const w = this.#byHash.get(toHex(data.hash));
    return w && w.data.kind === data.kind ? w : undefined;
  }

  /** Sets the label of an address (ours or not). */
  setLabel(address: string, label: string): void {
    decodeAddress(this.params, address);
    const i = this.#addresses.findIndex((a) => a.address === address);
    if (i >= 0) this.#addresses[i] = { ...this.#addresses[i]!, label };
    else this.#labels.set(address, label);
  }

  /** The wallet's coins among UTXO entries keyed by `txidhex:vout`. */
  ownCoins(utxos: Iterable<readonly [string, UtxoEntry]>): WalletCoin[] {
    const out: WalletCoin[] = [];
    for (const [k, e] of utxos) if (this.addressOf(e.address)) out.push(coinFromUtxo(k, e));
    return out;
  }

  /** The guardian public key `index` of `account` (give it to the person you guard). */
  guardianKey(index: number, account = 0): Uint8Array {
    return slip10PublicKey(this.#node(account, Branch.guardian, index));
  }

  /** The guardian secret key `index` of `account` (for the social-recovery signer). */
  guardianSecretKey(index: number, account = 0): Uint8Array {
    return this.#node(account, Branch.guardian, index).privateKey;
  }

  /**
   * The root secret of this wallet's Lightning keys: the SLIP-10 key at
   * {@linkcode LIGHTNING_ROOT_PATH}. Channel basepoints, the channel store's key and the static
   * channel backup's key are derived from it (node/lightning/channel_keys.ts), so the 24 words
   * restore them all.
   */
  lightningRootSecret(): Uint8Array {
    return deriveSlip10(this.#seed, LIGHTNING_ROOT_PATH).privateKey;
  }

  /** The timers of `coin` seen from a child of a tip with MTP `tipMtpSecs`. */
  coinStatus(coin: WalletCoin, tipMtpSecs: number): CoinStatus {
    const ageSecs = tipMtpSecs - coin.createdMtpSecs;
    const own = this.addressOf(coin.address);
    const interval = own?.spec.kind === "heartbeat" ? own.spec.intervalSecs : null;
    return {
      coin,
      address: encodeAddress(this.params, coin.address),
      ageSecs,
      recoveryOpensInSecs: interval === null ? null : Math.max(0, interval - ageSecs),
      emissionReturnInSecs: Math.max(0, this.params.emissionReturnAgeSecs - ageSecs),
    };
  }

  /** {@linkcode Wallet.coinStatus} of each of our coins, soonest deadline first. */
  status(coins: readonly WalletCoin[], tipMtpSecs: number): CoinStatus[] {
    const deadline = (s: CoinStatus) =>
      Math.min(s.recoveryOpensInSecs ?? Infinity, s.emissionReturnInSecs);
    return coins.filter((c) => this.addressOf(c.address))
      .map((c) => this.coinStatus(c, tipMtpSecs))
      .sort((a, b) => deadline(a) - deadline(b));
  }

  /**
   * Builds and signs a payment: largest-first coin selection over our spendable coins until
   * inputs cover payments + feeRate × size; change (if not dust) goes to a new change address
   * with the same recovery kind and parameters as the first selected coin (or `changeSpec`).
   * Throws `WalletError` ("insufficient-funds", "bad-address", "bad-amount", "bad-fee-rate").
   */
  createSpend(req: SpendRequest): BuiltTx {
    checkFeeRate(req.feeRatePerByte);
    if (req.payments.length === 0) throw new WalletError("bad-amount", "No payments");
    const outputs: TxOut[] = req.payments.map((p) => {
      if (p.value <= 0n) throw new WalletError("bad-amount", `Amount must be > 0: ${p.value}`);
      return { value: p.value, address: this.#payee(p.address) };
    });
    const target = outputs.reduce((s, o) => s + o.value, 0n);
    const candidates = this.#spendable(req.coins, req.tipHeight).sort((a, b) =>
      a.value === b.value ? compareOutpoints(a, b) : (a.value > b.value ? -1 : 1)
    );
    const minChange = req.minChangeResonances ??
      (req.feeRatePerByte * 150n > 1000n ? req.feeRatePerByte * 150n : 1000n);
    const locktime = req.locktime ?? 0;
    const selected: WalletCoin[] = [];
    let sum = 0n;
    for (const c of candidates) {
      selected.push(c);
      sum += c.value;
      const feeNoChange = req.feeRatePerByte * BigInt(this.#sizeOf(selected, outputs, locktime));
      if (sum < target + feeNoChange) continue;
      const changeSpec = req.changeSpec ?? this.addressOf(selected[0]!.address)!.spec;
      const placeholder: TxOut = {
        value: 0n,
        address: { kind: specKind(changeSpec), hash: new Uint8Array(32) },
      };
      const withChange = [...outputs, placeholder];
      const feeChange = req.feeRatePerByte * BigInt(this.#sizeOf(selected, withChange, locktime));
      const change = sum - target - feeChange;
      if (change >= minChange) {
        const addr = this.newAddress(changeSpec, { change: true });
        const outs = [...outputs, { value: change, address: addr.data }];
        return this.#signed(selected, outs, locktime, addr.address);
      }
      return this.#signed(selected, outputs, locktime, null);
    }
    const fee = req.feeRatePerByte * BigInt(this.#sizeOf(candidates, outputs, locktime));
    throw new WalletError(
      "insufficient-funds",
      `Insufficient funds: have ${formatRnt(sum)} RNT spendable, need ${formatRnt(target)} RNT ` +
        `+ fee ${formatRnt(fee)} RNT`,
    );
  }

  /**
   * A heartbeat: re-spends our aging coins, each address's coins back to that same address
   * (resetting both timers); the fee is taken from the largest output. With `dueWithinSecs`,
   * only coins whose recovery window or emission-return age is that close.
   */
  createHeartbeat(req: HeartbeatRequest): BuiltTx {
    checkFeeRate(req.feeRatePerByte);
    let coins = this.#spendable(req.coins, req.tipHeight);
    if (req.dueWithinSecs !== undefined) {
      const within = req.dueWithinSecs;
      coins = coins.filter((c) => {
        const s = this.coinStatus(c, req.tipMtpSecs);
        return Math.min(s.recoveryOpensInSecs ?? Infinity, s.emissionReturnInSecs) <= within;
      });
    }
    if (coins.length === 0) throw new WalletError("no-coins", "No coins need a heartbeat");
    coins.sort(compareOutpoints);
    const groups = new Map<string, { address: AddressData; value: bigint }>();
    for (const c of coins) {
      const k = `${c.address.kind}:${toHex(c.address.hash)}`;
      const g = groups.get(k) ?? { address: c.address, value: 0n };
      g.value += c.value;
      groups.set(k, g);
    }
    const outputs = [...groups.values()].map((g) => ({ value: g.value, address: g.address }));
    const fee = req.feeRatePerByte * BigInt(this.#sizeOf(coins, outputs, 0));
    let largest = 0;
    outputs.forEach((o, i) => {
      if (o.value > outputs[largest]!.value) largest = i;
    });
    if (outputs[largest]!.value <= fee) {
      throw new WalletError("insufficient-funds", `Coins too small to pay the fee ${fee}`);
    }
    outputs[largest] = { ...outputs[largest]!, value: outputs[largest]!.value - fee };
    return this.#signed(coins, outputs, 0, null);
  }

  /**
   * Our address whose owner key a pending recovery records as its owner
   * (`pendingOwnerHash = policyHash(pk(ownerKey))`), social addresses first; undefined if none.
   */
  pendingOwnerOf(pendingOwnerHash: Uint8Array): WalletAddress | undefined {
    const want = toHex(pendingOwnerHash);
    const mine = this.#addresses.filter((a) => toHex(policyHash(pk(a.ownerKey))) === want);
    return mine.find((a) => a.spec.kind === "social") ?? mine[0];
  }

  /**
   * The owner's cancel of pending social recoveries (PROTOCOL §5.7): each pending-recovery coin
   * is spent by revealing only `pk(owner)`, whose hash its `UtxoEntry` records; the pending
   * policy the guardians committed to is not needed. Everything goes to one new change address
   * with the first coin's original social parameters. Throws
   * `WalletError("bad-recovery-request")` when a coin is not a pending recovery or its owner is
   * not one of our keys.
   */
  createCancel(
    req: {
      readonly coins: readonly PendingRecoveryCoin[];
      readonly feeRatePerByte: bigint;
    },
  ): BuiltTx {
    checkFeeRate(req.feeRatePerByte);
    const { coins } = req;
    if (coins.length === 0) throw new WalletError("no-coins", "No pending recovery to cancel");
    const owners = coins.map((coin) => {
      if (coin.address.kind !== RecoveryKind.pendingRecovery) {
        throw new WalletError("bad-recovery-request", "Coin is not a pending recovery");
      }
      const owner = this.pendingOwnerOf(coin.pendingOwnerHash);
      if (!owner) {
        throw new WalletError("bad-recovery-request", "Pending recovery owner is not our key");
      }
      return owner;
    });
    const signers = owners.map((a) => ({
      policy: pk(a.ownerKey),
      secretKey: this.#ownerSecret(a),
    }));
    const original = owners[0]!;
    const placeholder = {
      value: 0n,
      address: { kind: specKind(original.spec), hash: PLACEHOLDER_HASH },
    };
    const policies = signers.map((s) => s.policy);
    const fee = req.feeRatePerByte * BigInt(sizeOfTx(coins, policies, [placeholder], 0));
    const total = coins.reduce((sum, c) => sum + c.value, 0n);
    if (total <= fee) throw new WalletError("insufficient-funds", "Coins cannot pay the fee");
    const to = this.newAddress(original.spec, { account: original.account, change: true });
    const tx = signTx(this.params, coins, [{ value: total - fee, address: to.data }], 0, signers);
    return {
      tx,
      feeResonances: fee,
      spent: coins,
      changeAddress: to.address,
      sizeBytes: txSize(tx),
    };
  }

  #spendable(coins: readonly WalletCoin[], tipHeight: number): WalletCoin[] {
    const seen = new Set<string>();
    return coins.filter((c) => {
      const k = `${toHex(c.outpoint.txid)}:${c.outpoint.vout}`;
      if (seen.has(k)) return false;
      seen.add(k);
      const own = this.addressOf(c.address);
      if (!own) return false;
      return isMature(c, tipHeight + 1, this.params);
    });
  }

  #payee(address: string): AddressData {
    let data: AddressData;
    try {
      data = decodeAddress(this.params, address);
    } catch (e) {
      throw new WalletError("bad-address", (e as Error).message);
    }
    if (data.kind === RecoveryKind.pendingRecovery) {
      throw new WalletError("bad-address", "Cannot pay a pending-recovery address");
    }
    return data;
  }

  #sizeOf(coins: readonly WalletCoin[], outputs: readonly TxOut[], locktime: number): number {
    const policies = coins.map((c) => this.addressOf(c.address)!.policy);
    return sizeOfTx(coins, policies, outputs, locktime);
  }

  #signed(
    coins: readonly WalletCoin[],
    outputs: readonly TxOut[],
    locktime: number,
    changeAddress: string | null,
  ): BuiltTx {
    const signers = coins.map((c) => {
      const a = this.addressOf(c.address)!;
      return { policy: a.policy, secretKey: this.#ownerSecret(a) };
    });
    const tx = signTx(this.params, coins, outputs, locktime, signers);
    const inSum = coins.reduce((s, c) => s + c.value, 0n);
    const outSum = outputs.reduce((s, o) => s + o.value, 0n);
    return {
      tx,
      feeResonances: inSum - outSum,
      spent: coins,
      changeAddress,
      sizeBytes: txSize(tx),
    };
  }

  #node(account: number, branch: number, index: number) {
    return deriveSlip10(this.#seed, walletKeyPath(account, branch, index));
  }

  #ownerSecret(a: WalletAddress): Uint8Array {
    return this.#node(a.account, a.branch, a.index).privateKey;
  }

  #derive(
    spec: RecoverySpec,
    account: number,
    branch: 0 | 1,
    index: number,
    label: string,
  ): WalletAddress {
    const ownerKey = slip10PublicKey(this.#node(account, branch, index));
    const ownRecovery = spec.kind === "heartbeat" && spec.recovery.type === "own"
      ? slip10PublicKey(this.#node(account, branch + 2, index))
      : null;
    const policy = policyOfSpec(spec, ownerKey, ownRecovery);
    const data = { kind: specKind(spec), hash: policyHash(policy) };
    return {
      address: encodeAddress(this.params, data),
      data,
      account,
      branch,
      index,
      spec,
      policy,
      ownerKey,
      label,
    };
  }

  #add(a: WalletAddress): void {
    this.#addresses.push(a);
    this.#byHash.set(toHex(a.data.hash), a);
  }
}

/** A signer of one input: the revealed policy and the secret key that signs. */
export interface InputSigner {
  readonly policy: Policy;
  readonly secretKey: Uint8Array;
}

/** Signs every input of a new version-1 transaction with one key each. */
export function signTx(
  params: NetworkParams,
  coins: readonly WalletCoin[],
  outputs: readonly TxOut[],
  locktime: number,
  signers: readonly InputSigner[],
): Tx {
  const unsigned: Tx = {
    version: 1,
    inputs: coins.map((c) => ({ prevout: c.outpoint, sequence: 0 })),
    outputs,
    locktime,
    witnesses: [],
  };
  const spent = coins.map((c) => ({ value: c.value, address: c.address }));
  const hashes = sighashes(params.magic, unsigned, spent);
  return {
    ...unsigned,
    witnesses: hashes.map((h, i) => {
      const s = signers[i]!;
      const { publicKey } = keyPairFromSeed(s.secretKey);
      return {
        policy: s.policy,
        satisfaction: makeSatisfaction([{ publicKey, signature: sign(s.secretKey, h) }]),
      };
    }),
  };
}

/** Exact size of the transaction once signed by one key per input (signatures are 64 bytes). */
function sizeOfTx(
  coins: readonly WalletCoin[],
  policies: readonly Policy[],
  outputs: readonly TxOut[],
  locktime: number,
): number {
  return signedTxSize(
    {
      version: 1,
      inputs: coins.map((c) => ({ prevout: c.outpoint, sequence: 0 })),
      outputs,
      locktime,
      witnesses: [],
    },
    policies.map((policy) => ({ policy, signatures: 1 })),
  );
}

function checkFeeRate(rate: bigint): void {
  if (rate < 0n) throw new WalletError("bad-fee-rate", `Fee rate must be ≥ 0, got ${rate}`);
}

function compareOutpoints(a: WalletCoin, b: WalletCoin): number {
  const x = toHex(a.outpoint.txid), y = toHex(b.outpoint.txid);
  return x < y ? -1 : x > y ? 1 : a.outpoint.vout - b.outpoint.vout;
}
