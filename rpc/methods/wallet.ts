/**
 * Wallet RPC methods in Bitcoin Core's style, over one wallet file loaded into the node
 * (`loadwallet FILE [PASSPHRASE]`; default file `<datadir>/wallet.dat`): getwalletinfo,
 * getnewaddress, getbalance, getbalances, listunspent, sendtoaddress, listtransactions,
 * backupwallet, listwallets, walletpassphrase, unloadwallet, and cancelrecovery (the owner's
 * cancel of pending social recoveries). Until a wallet is loaded they fail with Core's −18 ("No
 * wallet is loaded"). Core's `loadwallet "name"` without a passphrase loads it locked: nothing
 * is decrypted (the whole file is encrypted, addresses included) and the methods fail with −13
 * until `walletpassphrase PASSPHRASE TIMEOUT` decrypts it for TIMEOUT seconds; then it is
 * dropped from memory again (locked).
 * The file stays encrypted on disk; changes (new addresses, change addresses) are written back
 * with the file's own KDF parameters. Chain data comes from the node's UTXO set and mempool.
 *
 * @module
 */
import { outpointKey, type UtxoEntry } from "../../core/consensus/chain_entry.ts";
import { fromHex, toHex } from "../../core/crypto/keccak.ts";
import { RpcError, UsageError } from "../../core/errors.ts";
import { parseRntAmount } from "../../core/primitives/amount.ts";
import { decodeTx, type Tx } from "../../core/primitives/tx.ts";
import { txid } from "../../core/primitives/tx_hash.ts";
import { classifyBalance, type FoundCoin, isSpendableAfter } from "../../core/wallet/balance.ts";
import {
  coinFromUtxo,
  pendingCoinFromUtxo,
  type PendingRecoveryCoin,
  type Wallet,
} from "../../core/wallet/wallet.ts";
import { WalletError, WalletFileError } from "../../core/wallet/wallet_errors.ts";
import { RpcCode } from "../error_codes.ts";
import { isRawJson } from "../json_text.ts";
import type { Node } from "../../node/node.ts";
import type { LnWallet } from "../../node/lightning/lightning_service.ts";
import { type AddressData, encodeAddress } from "../../core/primitives/address.ts";
import { LoadedWallet } from "../../node/wallet/loaded_wallet.ts";
import { parseRecoveryFlag } from "../../node/wallet/recovery_flag.ts";
import { resendPendingSends } from "../../node/wallet/resend.ts";
import { readWalletBytes } from "../../node/wallet/store.ts";
import { addressKey, scanHistory, scanUnspent } from "./address_index.ts";
import { amountJson } from "./format.ts";
import type { NodeMethod } from "./node_method.ts";
import { submitError } from "./submit_errors.ts";

/** Core's code for calls that need a wallet when none is loaded. */
export const RPC_WALLET_NOT_FOUND = -18;
/** Core's code for loading a wallet when one is already loaded. */
export const RPC_WALLET_ALREADY_LOADED = -35;

const loaded = new WeakMap<Node, LoadedWallet>();
/** Wallets loaded without a passphrase (Core's `loadwallet "name"`): path, and its relock timer. */
const lockable = new WeakMap<Node, {
  path: string;
  name: string;
  timer?: ReturnType<typeof setTimeout>;
}>();
/** Called each time a wallet becomes loaded and unlocked in the node (the chain watcher waits). */
const unlockListeners = new WeakMap<Node, Set<() => void>>();

/**
 * Calls `listener` each time a wallet becomes loaded and unlocked in `node` (`loadwallet` with
 * its passphrase, `walletpassphrase`); returns the function that stops it.
 */
export function onWalletUnlocked(node: Node, listener: () => void): () => void {
  let set = unlockListeners.get(node);
  if (!set) unlockListeners.set(node, set = new Set());
  set.add(listener);
  return () => set.delete(listener);
}

function announceUnlocked(node: Node): void {
  for (const listener of unlockListeners.get(node) ?? []) {
    try {
      listener();
    } catch (e) {
      node.logger.log(`error: after the wallet unlock: ${(e as Error).message}`);
    }
  }
}

/** Core's cap on `walletpassphrase`'s timeout, seconds. */
export const MAX_UNLOCK_SECS = 100_000_000;

/**
 * Loads the wallet file at `path` into `node` (the node command's `--wallet` calls this).
 * Throws RpcError −35 when one is loaded, −14 for a wrong passphrase or damaged file.
 */
export async function loadNodeWallet(node: Node, path: string, passphrase: string) {
  if (loaded.has(node)) {
    throw new RpcError(RPC_WALLET_ALREADY_LOADED, "A wallet is already loaded");
  }
  let bytes: Uint8Array;
  try {
    bytes = await readWalletBytes(path);
  } catch (e) {
    throw new RpcError(RPC_WALLET_NOT_FOUND, (e as Error).message);
  }
  try {
    const w = await LoadedWallet.decode(path, bytes, passphrase, node.params);
    loaded.set(node, w);
    await resendLoaded(node, w);
    announceUnlocked(node);
    return w.wallet;
  } catch (e) {
    if (e instanceof WalletFileError) {
      throw new RpcError(RpcCode.WALLET_PASSPHRASE_INCORRECT, `${e.message} (${path})`);
    }
    if (e instanceof WalletError) throw new RpcError(RpcCode.WALLET_ERROR, e.message);
    throw e;
  }
}

/**
 * Submits the loaded wallet's unconfirmed sends to `node` again, as `sendrawtransaction` would
 * (the node may have lost them in a crash), and saves the file when some were dropped.
 */
async function resendLoaded(node: Node, w: LoadedWallet): Promise<void> {
  const { inMempool, dropped } = await resendPendingSends(w.wallet, async (raw) => {
    const bytes = fromHex(raw);
    const tx = decodeTx(bytes, node.params.maxTxBytes);
    const id = txid(node.params.magic, tx);
    if (node.mempool.has(id)) {
      node.unbroadcast.add(id);
      return;
    }
    if (await node.txBlock(id)) {
      throw new RpcError(RpcCode.VERIFY_ALREADY_IN_CHAIN, "Transaction already in block chain");
    }
    try {
      await node.submitTransaction(tx);
    } catch (e) {
      throw submitError(e, "TX");
    }
  });
  if (dropped.length > 0) await w.save();
  if (inMempool.length + dropped.length > 0) {
    node.logger.log(
      `wallet: resubmitted ${inMempool.length} unconfirmed sends, dropped ${dropped.length} ` +
        "confirmed or conflicted",
    );
  }
}

/** Records `tx` as the loaded wallet's pending send and saves, then submits it; a reject forgets it. */
async function submitRecorded(node: Node, w: LoadedWallet, tx: Tx) {
  const rec = w.wallet.recordSend(tx, Math.floor(Date.now() / 1000));
  await w.save();
  try {
    return await node.submitTransaction(tx);
  } catch (e) {
    w.wallet.dropPendingSend(rec.txid);
    await w.save();
    throw submitError(e, "TX");
  }
}

/**
 * A fresh receive address (label "mining") of the wallet loaded and unlocked in `node`, saved to
 * its file; undefined when no unlocked wallet is loaded. `rnt node --mine` pays it by default.
 */
export async function loadedWalletMiningAddress(node: Node): Promise<string | undefined> {
  const w = loaded.get(node);
  if (!w) return undefined;
  const a = w.wallet.newAddress(w.wallet.defaultSpec(), { label: "mining" });
  await w.save();
  return a.address;
}

/**
 * The loaded wallet as the Lightning service uses it (funding transactions, close and sweep
 * addresses); each call needs a loaded, unlocked wallet at the time it is made (RpcError −18 or
 * −13 otherwise, −6 for insufficient funds).
 */
export function lightningWallet(node: Node): LnWallet {
  return {
    fundingTx: async (address, value) => {
      const w = need(node);
      await resendLoaded(node, w);
      const coins = await walletCoins(node, w.wallet);
      try {
        return w.wallet.createSpend({
          coins,
          payments: [{ address: encodeAddress(node.params, address), value }],
          feeRatePerByte: node.params.minRelayFeePerByte,
          tipHeight: node.chainstate.tip().height,
        }).tx;
      } catch (e) {
        walletErrorToRpc(e);
      }
    },
    publish: async (tx) => {
      await submitRecorded(node, need(node), tx);
    },
    newAddress: async () => {
      const w = need(node);
      const a = w.wallet.newAddress(w.wallet.defaultSpec(), { label: "lightning" });
      await w.save();
      return a.data;
    },
  };
}

/**
 * What the node's chain watcher needs of the wallet loaded and unlocked in `node` at startup: the
 * Lightning root secret (the watcher store's key) and fresh sweep addresses (label "lightning",
 * the wallet file saved in the background); undefined when no unlocked wallet is loaded.
 */
export function lightningWatchWallet(
  node: Node,
): { rootSecret: Uint8Array; sweepAddress: () => AddressData } | undefined {
  const w = loaded.get(node);
  if (!w) return undefined;
  return {
    rootSecret: w.wallet.lightningRootSecret(),
    sweepAddress: () => {
      const current = loaded.get(node) ?? w;
      const a = current.wallet.newAddress(current.wallet.defaultSpec(), { label: "lightning" });
      current.save().catch((e) =>
        node.logger.log(`warning: wallet not saved: ${(e as Error).message}`)
      );
      return a.data;
    },
  };
}

function need(node: Node): LoadedWallet {
  const w = loaded.get(node);
  if (!w && lockable.has(node)) {
    throw new RpcError(
      RpcCode.WALLET_UNLOCK_NEEDED,
      "Error: Please enter the wallet passphrase with walletpassphrase first",
    );
  }
  if (!w) {
    throw new RpcError(
      RPC_WALLET_NOT_FOUND,
      "No wallet is loaded. Load a wallet using loadwallet or start the node with --wallet",
    );
  }
  return w;
}

function walletErrorToRpc(e: unknown): never {
  if (e instanceof WalletError) {
    if (e.reason === "insufficient-funds" || e.reason === "no-coins") {
      throw new RpcError(RpcCode.WALLET_INSUFFICIENT_FUNDS, e.message);
    }
    if (e.reason === "bad-address") throw new RpcError(RpcCode.INVALID_ADDRESS_OR_KEY, e.message);
    if (e.reason === "bad-amount" || e.reason === "bad-fee-rate") {
      throw new RpcError(RpcCode.TYPE_ERROR, e.message);
    }
    throw new RpcError(RpcCode.WALLET_ERROR, e.message);
  }
  if (e instanceof UsageError) throw new RpcError(RpcCode.INVALID_PARAMETER, e.message);
  throw e;
}

async function walletCoins(node: Node, w: Wallet): Promise<FoundCoin[]> {
  const wanted = new Set(w.addresses().map((a) => addressKey(a.data)));
  const found = await scanUnspent(node, wanted, true);
  return found.map((f) => ({ ...coinFromUtxo(f.key, f.entry), confirmations: f.confirmations }));
}

/**
 * Unspent pending recoveries (chain and mempool, minus those a mempool transaction spends) whose
 * `UtxoEntry.pendingOwnerHash` is one of the wallet's owner keys.
 */
async function pendingRecoveryCoins(node: Node, w: Wallet): Promise<PendingRecoveryCoin[]> {
  await node.settled();
  const out: PendingRecoveryCoin[] = [];
  const consider = (key: string, e: UtxoEntry) => {
    const c = pendingCoinFromUtxo(key, e);
    if (!c || !w.pendingOwnerOf(c.pendingOwnerHash)) return;
    if (node.mempool.spenderOf(c.outpoint) === undefined) out.push(c);
  };
  for await (const [op, e] of node.chainstate.utxos()) consider(outpointKey(op), e);
  for (const pooled of node.mempool.entries()) for (const [k, e] of pooled.created) consider(k, e);
  return out;
}

/** Whether `c` may be spent in a child of the node's tip (coinbase maturity). */
function spendable(node: Node, c: FoundCoin): boolean {
  return isSpendableAfter(c, node.chainstate.tip().height, node.params);
}

function amountParam(value: unknown): bigint {
  const text = typeof value === "number"
    ? String(value)
    : isRawJson(value)
    ? value.rawJSON
    : typeof value === "string"
    ? value
    : undefined;
  if (text === undefined) {
    throw new RpcError(RpcCode.TYPE_ERROR, "Amount is not a number or string");
  }
  try {
    const v = parseRntAmount(text);
    if (v <= 0n) throw new RpcError(RpcCode.TYPE_ERROR, "Invalid amount for send");
    return v;
  } catch (e) {
    if (e instanceof UsageError) throw new RpcError(RpcCode.TYPE_ERROR, "Invalid amount");
    throw e;
  }
}

/** The wallet methods. */
export const WALLET_METHODS: readonly NodeMethod[] = [
  {
    name: "loadwallet",
    category: "wallet",
    params: [
      {
        name: "filename",
        type: "string",
        required: true,
        description: 'Wallet file (relative names are in the datadir; "" = wallet.dat)',
      },
      {
        name: "passphrase",
        type: "string",
        required: false,
        description: "File passphrase; without it the wallet is loaded locked (walletpassphrase)",
      },
    ],
    result: "{ name, warning }",
    help: "Loads a wallet file: decrypted now (Argon2id) with the passphrase, else locked until " +
      "walletpassphrase; the wallet methods then use it.",
    run: async (node, [filename, passphrase]) => {
      const f = filename as string;
      const name = f === "" ? "wallet.dat" : f;
      const path = f === ""
        ? `${node.datadir}/wallet.dat`
        : f.startsWith("/")
        ? f
        : `${node.datadir}/${f}`;
      if (passphrase !== undefined) {
        if (lockable.has(node)) {
          throw new RpcError(RPC_WALLET_ALREADY_LOADED, "A wallet is already loaded");
        }
        await loadNodeWallet(node, path, passphrase as string);
        return { name, warning: "" };
      }
      if (loaded.has(node) || lockable.has(node)) {
        throw new RpcError(RPC_WALLET_ALREADY_LOADED, "A wallet is already loaded");
      }
      try {
        await readWalletBytes(path); // exists and is a wallet file; decrypted on unlock
      } catch (e) {
        throw new RpcError(RPC_WALLET_NOT_FOUND, (e as Error).message);
      }
      lockable.set(node, { path, name });
      return { name, warning: "Wallet is locked: unlock it with walletpassphrase" };
    },
  },
  {
    name: "walletpassphrase",
    category: "wallet",
    params: [
      { name: "passphrase", type: "string", required: true, description: "File passphrase" },
      { name: "timeout", type: "number", required: true, description: "Seconds to stay unlocked" },
    ],
    result: "null",
    help: "Decrypts the wallet loaded locked (loadwallet without passphrase) for timeout " +
      "seconds (at most 100000000), then drops it from memory again; a second call restarts " +
      "the time.",
    run: async (node, [passphrase, timeout]) => {
      const l = lockable.get(node);
      if (!l) {
        throw new RpcError(
          loaded.has(node) ? RpcCode.WALLET_WRONG_ENC_STATE : RPC_WALLET_NOT_FOUND,
          loaded.has(node)
            ? "Error: the wallet was loaded with its passphrase and is not locked"
            : "No wallet is loaded. Load a wallet using loadwallet",
        );
      }
      const secs = timeout as number;
      if (!Number.isInteger(secs) || secs <= 0) {
        throw new RpcError(RpcCode.INVALID_PARAMETER, "Timeout must be a positive integer");
      }
      let w: LoadedWallet;
      try {
        w = await LoadedWallet.decode(
          l.path,
          await readWalletBytes(l.path),
          passphrase as string,
          node.params,
        );
      } catch (e) {
        if (e instanceof WalletFileError) {
          throw new RpcError(
            RpcCode.WALLET_PASSPHRASE_INCORRECT,
            "Error: The wallet passphrase entered was incorrect",
          );
        }
        throw e;
      }
      if (l.timer !== undefined) clearTimeout(l.timer);
      const before = loaded.get(node);
      if (before) await before.settled();
      loaded.set(node, w);
      const timer = setTimeout(() => {
        delete l.timer;
        void w.settled().finally(() => {
          if (loaded.get(node) === w) loaded.delete(node);
        });
      }, Math.min(secs, MAX_UNLOCK_SECS) * 1000);
      Deno.unrefTimer(timer);
      l.timer = timer;
      announceUnlocked(node);
      return null;
    },
  },
  {
    name: "listwallets",
    category: "wallet",
    params: [],
    result: "[name]",
    help: "The names of the loaded wallets (locked ones included): at most one here.",
    run: (node) => {
      const l = lockable.get(node);
      if (l) return [l.name];
      const w = loaded.get(node);
      if (!w) return [];
      const dir = `${node.datadir.replace(/\/+$/, "")}/`;
      return [w.path.startsWith(dir) ? w.path.slice(dir.length) : w.path];
    },
  },
  {
    name: "unloadwallet",
    category: "wallet",
    params: [],
    help: "Unloads the wallet (after any pending write).",
    run: async (node) => {
      const l = lockable.get(node);
      if (l) {
        if (l.timer !== undefined) clearTimeout(l.timer);
        lockable.delete(node);
        const w = loaded.get(node);
        if (w) await w.settled();
        loaded.delete(node);
        return { warning: "" };
      }
      const w = need(node);
      await w.settled();
      loaded.delete(node);
      return { warning: "" };
    },
  },
  {
    name: "getbalances",
    category: "wallet",
    params: [],
    result:
      "{ mine: { trusted, untrusted_pending, immature }, lastprocessedblock: { hash, height } }",
    help: "Balances as Core shapes them: trusted (confirmed, mature), untrusted_pending " +
      "(unconfirmed) and immature (coinbase not yet mature), in RNT.",
    run: async (node) => {
      const w = need(node);
      const coins = await walletCoins(node, w.wallet);
      const tip = node.chainstate.tip();
      const b = classifyBalance(coins, tip.height, node.params);
      return {
        mine: {
          trusted: amountJson(b.confirmed),
          untrusted_pending: amountJson(b.unconfirmed),
          immature: amountJson(b.immature),
        },
        lastprocessedblock: { hash: toHex(tip.hash), height: tip.height },
      };
    },
  },
  {
    name: "getwalletinfo",
    category: "wallet",
    params: [],
    result: "{ walletname, network, balance, unconfirmed_balance, immature_balance, txcount, " +
      "addresses, keypoolsize }",
    help: "Wallet state: balances (confirmed mature, unconfirmed, immature) and address count.",
    run: async (node) => {
      const w = need(node);
      const coins = await walletCoins(node, w.wallet);
      const b = classifyBalance(coins, node.chainstate.tip().height, node.params);
      return {
        walletname: w.path.split("/").pop(),
        network: node.params.name,
        balance: amountJson(b.confirmed),
        unconfirmed_balance: amountJson(b.unconfirmed),
        immature_balance: amountJson(b.immature),
        coins: coins.length,
        addresses: w.wallet.addresses().length,
        keypoolsize: 0,
      };
    },
  },
  {
    name: "getnewaddress",
    category: "wallet",
    params: [
      { name: "label", type: "string", required: false, description: "Label", defaultHint: '""' },
      {
        name: "recovery",
        type: "string",
        required: false,
        description: "heartbeat:INTERVAL[:KEY] or social:K:G1,G2,…:DELAY (default the wallet's)",
      },
    ],
    help: "A new receive address with a recovery policy (default: that of the first address).",
    run: async (node, [label, recovery]) => {
      const w = need(node);
      try {
        const spec = recovery !== undefined
          ? parseRecoveryFlag(recovery as string, node.params)
          : w.wallet.defaultSpec();
        const a = w.wallet.newAddress(spec, { label: (label as string | undefined) ?? "" });
        await w.save();
        return a.address;
      } catch (e) {
        walletErrorToRpc(e);
      }
    },
  },
  {
    name: "getbalance",
    category: "wallet",
    params: [
      { name: "dummy", type: "any", required: false, description: 'Ignored (Core: "*")' },
      {
        name: "minconf",
        type: "number",
        required: false,
        description: "Only coins with at least this many confirmations",
        defaultHint: "0",
      },
    ],
    help: "The spendable balance (mature coins with ≥ minconf confirmations).",
    run: async (node, [_dummy, minconf]) => {
      const w = need(node);
      const min = (minconf as number | undefined) ?? 0;
      const coins = await walletCoins(node, w.wallet);
      return amountJson(
        coins.filter((c) => c.confirmations >= min && spendable(node, c))
          .reduce((s, c) => s + c.value, 0n),
      );
    },
  },
  {
    name: "listunspent",
    category: "wallet",
    params: [
      { name: "minconf", type: "number", required: false, description: "", defaultHint: "1" },
    ],
    result: "[{ txid, vout, address, amount, amount_resonances, confirmations, spendable, " +
      "recovery_opens_in_secs, emission_return_in_secs }]",
    help: "The wallet's unspent outputs, with their recovery and emission-return timers.",
    run: async (node, [minconf]) => {
      const w = need(node);
      const min = (minconf as number | undefined) ?? 1;
      const tipMtp = node.chainstate.tip().mtpSecs;
      return (await walletCoins(node, w.wallet)).filter((c) => c.confirmations >= min).map(
        (coin) => {
          const s = w.wallet.coinStatus(coin, tipMtp);
          return {
            txid: toHex(coin.outpoint.txid),
            vout: coin.outpoint.vout,
            address: s.address,
            amount: amountJson(coin.value),
            amount_resonances: coin.value,
            confirmations: coin.confirmations,
            spendable: spendable(node, coin),
            recovery_opens_in_secs: s.recoveryOpensInSecs,
            emission_return_in_secs: s.emissionReturnInSecs,
          };
        },
      );
    },
  },
  {
    name: "sendtoaddress",
    category: "wallet",
    params: [
      { name: "address", type: "string", required: true, description: "Recipient" },
      { name: "amount", type: "amount", required: true, description: "RNT (8 decimals)" },
      { name: "comment", type: "string", required: false, description: "Ignored" },
      { name: "comment_to", type: "string", required: false, description: "Ignored" },
      {
        name: "fee_rate",
        type: "number",
        required: false,
        description: "Resonances per byte (default the relay minimum)",
      },
    ],
    help: "Pays an address from the wallet (change keeps the policy) and broadcasts; the txid.",
    run: async (node, [address, amount, _c, _ct, feeRate]) => {
      const w = need(node);
      await resendLoaded(node, w); // drops sends confirmed since: the pending list stays short
      const value = amountParam(amount);
      const rate = feeRate === undefined
        ? node.params.minRelayFeePerByte
        : BigInt(feeRate as number);
      const coins = await walletCoins(node, w.wallet);
      let built;
      try {
        built = w.wallet.createSpend({
          coins,
          payments: [{ address: address as string, value }],
          feeRatePerByte: rate,
          tipHeight: node.chainstate.tip().height,
        });
      } catch (e) {
        walletErrorToRpc(e);
      }
      const entry = await submitRecorded(node, w, built.tx);
      return toHex(entry.txid);
    },
  },
  {
    name: "listtransactions",
    category: "wallet",
    params: [
      { name: "label", type: "any", required: false, description: 'Ignored (Core: "*")' },
      { name: "count", type: "number", required: false, description: "", defaultHint: "10" },
      { name: "skip", type: "number", required: false, description: "", defaultHint: "0" },
    ],
    result: "[{ txid, category, amount, amount_resonances, confirmations, blockhash, " +
      "blockheight, time }] oldest first",
    help: "The most recent wallet transactions (net amount: received − sent from the wallet).",
    run: async (node, [_label, count, skip]) => {
      const w = need(node);
      const wanted = new Set(w.wallet.addresses().map((a) => addressKey(a.data)));
      const rows = (await scanHistory(node, wanted, true)).map((r) => {
        const net = (r.received_resonances as bigint) - (r.sent_resonances as bigint);
        return {
          txid: r.txid,
          category: r.coinbase ? "generate" : net < 0n ? "send" : "receive",
          amount: amountJson(net),
          amount_resonances: net,
          confirmations: r.confirmations,
          blockhash: r.blockhash,
          blockheight: r.height,
          time: r.time,
        };
      });
      const n = (count as number | undefined) ?? 10, k = (skip as number | undefined) ?? 0;
      return rows.slice(Math.max(0, rows.length - k - n), rows.length - k);
    },
  },
  {
    name: "cancelrecovery",
    category: "wallet",
    params: [
      {
        name: "fee_rate",
        type: "number",
        required: false,
        description: "Resonances per byte (default the relay minimum)",
      },
    ],
    result: "{ txid, address, cancelled: [txid:vout] }",
    help: "Owner: cancels every pending social recovery of the wallet's coins (PROTOCOL §5.7) in " +
      "one transaction revealing only the owner keys, back to a new change address.",
    run: async (node, [feeRate]) => {
      const w = need(node);
      const rate = feeRate === undefined
        ? node.params.minRelayFeePerByte
        : BigInt(feeRate as number);
      const coins = await pendingRecoveryCoins(node, w.wallet);
      let built;
      try {
        built = w.wallet.createCancel({ coins, feeRatePerByte: rate });
      } catch (e) {
        walletErrorToRpc(e);
      }
      const entry = await submitRecorded(node, w, built.tx);
      return {
        txid: toHex(entry.txid),
        address: built.changeAddress,
        cancelled: coins.map((c) => outpointKey(c.outpoint)),
      };
    },
  },
  {
    name: "backupwallet",
    category: "wallet",
    params: [{ name: "destination", type: "string", required: true, description: "File" }],
    help: "Writes an encrypted copy of the wallet (same passphrase) to destination.",
    run: async (node, [destination]) => {
      await need(node).backup(destination as string);
      return null;
    },
  },
];

/** The `rnt node` flags that load a wallet at startup. */
export interface NodeWalletFlags {
  /** `--wallet`: load one. */
  readonly wallet: boolean;
  /** `--wallet-file F` (default `<datadir>/wallet.dat`). */
  readonly walletFile?: string | undefined;
  /**
   * The passphrase, asked for only when a wallet is to be loaded (the command reads
   * `--wallet-password-file` or asks on the terminal).
   */
  readonly passphrase: () => Promise<string>;
}

/**
 * Loads the wallet `rnt node --wallet` names; returns null when loaded (or not asked for) and
 * the error text otherwise (the node logs it and exits 1).
 */
export async function loadWalletAtStartup(
  node: Node,
  flags: NodeWalletFlags,
): Promise<string | null> {
  if (!flags.wallet) return null;
  const path = flags.walletFile ?? `${node.datadir}/wallet.dat`;
  try {
    const pass = await flags.passphrase();
    const w = await loadNodeWallet(node, path, pass);
    node.logger.log(`wallet ${path} loaded (${w.addresses().length} addresses)`);
    return null;
  } catch (e) {
    return `cannot load wallet ${path}: ${(e as Error).message}`;
  }
}
