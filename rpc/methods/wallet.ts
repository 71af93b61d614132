/**
 * Wallet RPC methods in Bitcoin Core's style, over one wallet file loaded into the node
 * (`loadwallet FILE PASSPHRASE`; default file `<datadir>/wallet.dat`): getwalletinfo,
 * getnewaddress, getbalance, listunspent, sendtoaddress, listtransactions, backupwallet,
 * unloadwallet, and cancelrecovery (the owner's cancel of pending social recoveries). Until a
 * wallet is loaded they fail with Core's −18 ("No wallet is loaded").
 * The file stays encrypted on disk; changes (new addresses, change addresses) are written back
 * with the file's own KDF parameters. Chain data comes from the node's UTXO set and mempool.
 *
 * @module
 */
import { outpointKey, type UtxoEntry } from "../../core/consensus/chain_entry.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { RpcError, UsageError } from "../../core/errors.ts";
import { parseRntAmount } from "../../core/primitives/amount.ts";
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
import { LoadedWallet } from "../../node/wallet/loaded_wallet.ts";
import { parseRecoveryFlag } from "../../node/wallet/recovery_flag.ts";
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
    return w.wallet;
  } catch (e) {
    if (e instanceof WalletFileError) {
      throw new RpcError(RpcCode.WALLET_PASSPHRASE_INCORRECT, `${e.message} (${path})`);
    }
    if (e instanceof WalletError) throw new RpcError(RpcCode.WALLET_ERROR, e.message);
    throw e;
  }
}

function need(node: Node): LoadedWallet {
  const w = loaded.get(node);
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
      { name: "passphrase", type: "string", required: true, description: "File passphrase" },
    ],
    result: "{ name, warning }",
    help: "Decrypts a wallet file (Argon2id) and loads it; the wallet methods then use it.",
    run: async (node, [filename, passphrase]) => {
      const f = filename as string;
      const path = f === ""
        ? `${node.datadir}/wallet.dat`
        : f.startsWith("/")
        ? f
        : `${node.datadir}/${f}`;
      await loadNodeWallet(node, path, passphrase as string);
      return { name: f === "" ? "wallet.dat" : f, warning: "" };
    },
  },
  {
    name: "unloadwallet",
    category: "wallet",
    params: [],
    help: "Unloads the wallet (after any pending write).",
    run: async (node) => {
      const w = need(node);
      await w.settled();
      loaded.delete(node);
      return { warning: "" };
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
      if (built.changeAddress) await w.save();
      try {
        const entry = await node.submitTransaction(built.tx);
        return toHex(entry.txid);
      } catch (e) {
        throw submitError(e, "TX");
      }
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
      await w.save();
      try {
        const entry = await node.submitTransaction(built.tx);
        return {
          txid: toHex(entry.txid),
          address: built.changeAddress,
          cancelled: coins.map((c) => outpointKey(c.outpoint)),
        };
      } catch (e) {
        throw submitError(e, "TX");
      }
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
