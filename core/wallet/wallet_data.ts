/**
 * The wallet's plaintext (the JSON inside the encrypted wallet file and backups) and the
 * functions that save and load it encrypted (see `wallet_file.ts` for the container).
 *
 * Schema (version 1): `{ format: "rnt-wallet", version: 1, network, mnemonic, passphrase,
 * hasPassphrase, accounts: [{ index, label, nextReceive, nextChange }], addresses: [{ address,
 * account, branch, index, kind, policy (policy text), spec, label }], labels: { address: label } }`.
 * Version 2 adds `pendingSends: [{ txid, rawTx, timeSecs }]`: transactions this wallet made and
 * broadcast that no block has confirmed yet, kept so the wallet can submit them again when the
 * node lost them. A version 1 document decodes with no pending sends; files are written as 2.
 *
 * @module
 */
import type { NetworkName } from "../consensus/params.ts";
import {
  type DecryptOptions,
  decryptWalletBytes,
  type EncryptOptions,
  encryptWalletBytes,
  loadEncryptedFile,
  saveEncryptedFile,
  type SaveOptions,
} from "./wallet_file.ts";
import { type RecoverySpecJson, specFromJson } from "./recovery_spec.ts";
import { WalletError, WalletFileError } from "./wallet_errors.ts";

/** One derived address. */
export interface WalletAddressRecord {
  /** Bech32m address. */
  readonly address: string;
  /** Account number. */
  readonly account: number;
  /** 0 receive, 1 change. */
  readonly branch: 0 | 1;
  /** Index in the branch. */
  readonly index: number;
  /** Recovery kind. */
  readonly kind: "heartbeat" | "social";
  /** The policy in canonical text form. */
  readonly policy: string;
  /** Recovery parameters. */
  readonly spec: RecoverySpecJson;
  /** User label. */
  readonly label: string;
}

/** An account's counters. */
export interface WalletAccountRecord {
  /** Account number. */
  readonly index: number;
  /** User label. */
  readonly label: string;
  /** Next receive index. */
  readonly nextReceive: number;
  /** Next change index. */
  readonly nextChange: number;
}

/** A transaction the wallet sent that is not yet confirmed (schema version 2). */
export interface PendingSendRecord {
  /** Transaction id, 64 lowercase hex digits. */
  readonly txid: string;
  /** The signed transaction's encoding, lowercase hex. */
  readonly rawTx: string;
  /** Unix seconds when it was first broadcast. */
  readonly timeSecs: number;
}

/** Everything a wallet file holds. */
export interface WalletData {
  /** Always "rnt-wallet". */
  readonly format: "rnt-wallet";
  /** Schema version (2 when written; 1 is still read). */
  readonly version: 1 | 2;
  /** Network the addresses belong to. */
  readonly network: NetworkName;
  /** The 24 BIP39 words. */
  readonly mnemonic: string;
  /** The BIP39 passphrase ("" for none). */
  readonly passphrase: string;
  /** True iff `passphrase` is not empty. */
  readonly hasPassphrase: boolean;
  /** Accounts. */
  readonly accounts: readonly WalletAccountRecord[];
  /** Derived addresses. */
  readonly addresses: readonly WalletAddressRecord[];
  /** Labels of other addresses (address book). */
  readonly labels: Readonly<Record<string, string>>;
  /** Unconfirmed sends, oldest first (empty for a version 1 document). */
  readonly pendingSends: readonly PendingSendRecord[];
}

/** UTF-8 JSON of `data`. */
export function encodeWalletData(data: WalletData): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(data));
}

/** Parses and shape-checks wallet JSON; `WalletError("bad-wallet-data")` otherwise. */
export function decodeWalletData(bytes: Uint8Array): WalletData {
  let j: unknown;
  try {
    j = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new WalletError("bad-wallet-data", "Wallet data is not UTF-8 JSON");
  }
  const bad = (what: string) => new WalletError("bad-wallet-data", `Wallet data: bad ${what}`);
  const obj = (v: unknown, what: string) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw bad(what);
    return v as Record<string, unknown>;
  };
  const str = (v: unknown, what: string) => {
    if (typeof v !== "string") throw bad(what);
    return v;
  };
  const nat = (v: unknown, what: string) => {
    if (!Number.isSafeInteger(v) || (v as number) < 0) throw bad(what);
    return v as number;
  };
  const o = obj(j, "document");
  if (o.format !== "rnt-wallet") throw bad("format");
  if (o.version !== 1 && o.version !== 2) throw bad(`version ${String(o.version)}`);
  if (o.network !== "mainnet" && o.network !== "testnet" && o.network !== "regtest") {
    throw bad("network");
  }
  if (!Array.isArray(o.accounts) || !Array.isArray(o.addresses)) throw bad("lists");
  const accounts = o.accounts.map((a): WalletAccountRecord => {
    const r = obj(a, "account");
    return {
      index: nat(r.index, "account index"),
      label: str(r.label, "account label"),
      nextReceive: nat(r.nextReceive, "nextReceive"),
      nextChange: nat(r.nextChange, "nextChange"),
    };
  });
  const addresses = o.addresses.map((a): WalletAddressRecord => {
    const r = obj(a, "address");
    if (r.branch !== 0 && r.branch !== 1) throw bad("branch");
    if (r.kind !== "heartbeat" && r.kind !== "social") throw bad("kind");
    specFromJson(r.spec);
    return {
      address: str(r.address, "address"),
      account: nat(r.account, "account"),
      branch: r.branch,
      index: nat(r.index, "index"),
      kind: r.kind,
      policy: str(r.policy, "policy"),
      spec: r.spec as RecoverySpecJson,
      label: str(r.label, "label"),
    };
  });
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(o.labels, "labels"))) labels[k] = str(v, "label");
  const passphrase = str(o.passphrase, "passphrase");
  let pendingSends: PendingSendRecord[] = [];
  if (o.version === 2 && o.pendingSends !== undefined) {
    if (!Array.isArray(o.pendingSends)) throw bad("pendingSends");
    pendingSends = o.pendingSends.map((p): PendingSendRecord => {
      const r = obj(p, "pending send");
      const txid = str(r.txid, "pending send txid");
      const rawTx = str(r.rawTx, "pending send rawTx");
      if (!/^[0-9a-f]{64}$/.test(txid)) throw bad("pending send txid");
      if (rawTx.length === 0 || !/^(?:[0-9a-f]{2})+$/.test(rawTx)) throw bad("pending send rawTx");
      return { txid, rawTx, timeSecs: nat(r.timeSecs, "pending send timeSecs") };
    });
  }
  return {
    format: "rnt-wallet",
    version: o.version,
    network: o.network,
    mnemonic: str(o.mnemonic, "mnemonic"),
    passphrase,
    hasPassphrase: passphrase !== "",
    accounts,
    addresses,
    labels,
    pendingSends,
  };
}

/** The encrypted file bytes of `data` (also the backup format). */
export function encodeWalletFile(
  data: WalletData,
  filePassphrase: string,
  opts: EncryptOptions = {},
): Promise<Uint8Array> {
  return encryptWalletBytes(encodeWalletData(data), filePassphrase, opts);
}

/** Decrypts and parses wallet file bytes; `WalletFileError` for anything wrong. */
export async function decodeWalletFile(
  bytes: Uint8Array,
  filePassphrase: string,
  opts: DecryptOptions = {},
): Promise<WalletData> {
  return parsePlaintext(await decryptWalletBytes(bytes, filePassphrase, opts));
}

/** Saves `data` encrypted to `path` atomically (mode 0o600). Backups use the same call. */
export function saveWalletFile(
  path: string,
  data: WalletData,
  filePassphrase: string,
  opts: SaveOptions = {},
): Promise<void> {
  return saveEncryptedFile(path, encodeWalletData(data), filePassphrase, opts);
}

/** Loads and decrypts the wallet file at `path`. */
export async function loadWalletFile(
  path: string,
  filePassphrase: string,
  opts: DecryptOptions = {},
): Promise<WalletData> {
  return parsePlaintext(await loadEncryptedFile(path, filePassphrase, opts));
}

function parsePlaintext(plain: Uint8Array): WalletData {
  try {
    return decodeWalletData(plain);
  } catch (e) {
    throw new WalletFileError("bad-plaintext", (e as Error).message);
  } finally {
    plain.fill(0);
  }
}
