/**
 * What every `rnt wallet` subcommand shares: the flags it was given read once into a
 * {@linkcode WalletEnv} (network, wallet file, `--json`), the link to the node, opening the
 * wallet file with a passphrase from `--password-file` or the terminal, and printing a result
 * as human lines or one JSON document.
 *
 * @module
 */
import { type CommandContext, networkFlag, type ParsedArgs, stringFlag } from "../command.ts";
import { resolveCliEndpoint } from "../cli_command.ts";
import { getPassphrase } from "../secrets.ts";
import { getNetworkParams, type NetworkParams } from "../../core/consensus/params.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { UsageError } from "../../core/errors.ts";
import { formatPolicy } from "../../core/primitives/policy_text.ts";
import { type RecoverySpec, specToJson } from "../../core/wallet/recovery_spec.ts";
import type { WalletAddress } from "../../core/wallet/wallet.ts";
import type { KdfParams } from "../../core/wallet/wallet_file.ts";
import { NodeLink } from "../../node/wallet/node_link.ts";
import { parseRecoveryFlag } from "../../node/wallet/recovery_flag.ts";
import { resendPendingSends } from "../../node/wallet/resend.ts";
import {
  exists,
  FAST_TEST_KDF,
  type OpenedWallet,
  readWalletBytes,
  saveWallet,
  unlockWallet,
} from "../../node/wallet/store.ts";
import { formatHostPort, RpcClient, RpcTransportError } from "../../rpc/client.ts";

/** The parsed flags of one `rnt wallet` run and where it prints. */
export interface WalletEnv {
  /** The parsed command line. */
  readonly args: ParsedArgs;
  /** Output. */
  readonly ctx: CommandContext;
  /** Network. */
  readonly params: NetworkParams;
  /** `--json`. */
  readonly json: boolean;
  /** `--wallet`, else `<datadir>/wallet.dat`. */
  readonly walletPath: string;
  /** The node's data directory. */
  readonly datadir: string;
}

/** Reads the flags every wallet subcommand has. */
export function walletEnvOf(args: ParsedArgs, ctx: CommandContext): WalletEnv {
  const network = networkFlag(args);
  const { datadir } = resolveCliEndpoint({ network, datadir: stringFlag(args, "datadir") });
  return {
    args,
    ctx,
    params: getNetworkParams(network),
    json: args.values.json === true,
    walletPath: stringFlag(args, "wallet") ?? `${datadir}/wallet.dat`,
    datadir,
  };
}

/** Where the RPC flags say the node listens, and its data directory. */
function endpointOf(env: WalletEnv) {
  const a = env.args;
  return resolveCliEndpoint({
    network: env.params.name,
    datadir: stringFlag(a, "datadir"),
    rpcconnect: stringFlag(a, "rpcconnect"),
    rpcport: stringFlag(a, "rpcport"),
  });
}

/**
 * `error` with a hint when the node is not answering (the wallet reads the chain from it): where
 * it was looked for and how to start it; other errors unchanged.
 */
export function explainNodeError(env: WalletEnv, error: unknown): unknown {
  if (!(error instanceof RpcTransportError) || error.kind !== "connect") return error;
  const { host, port, datadir } = endpointOf(env);
  const net = env.params.name === "mainnet" ? "" : ` --${env.params.name}`;
  return new Error(
    `the node is not answering at ${formatHostPort(host, port)}; the wallet reads the chain ` +
      `from it: start it with 'rnt node${net} --datadir ${datadir}' (or give --rpcconnect/--rpcport)`,
    { cause: error },
  );
}

/** A link to the node the RPC flags name (cookie from the datadir, else user and password). */
export async function linkNode(env: WalletEnv): Promise<NodeLink> {
  const a = env.args;
  const { host, port, datadir } = endpointOf(env);
  const user = stringFlag(a, "rpcuser"), password = stringFlag(a, "rpcpassword");
  const client = await RpcClient.fromDatadir({
    datadir,
    port,
    host,
    ...(user === undefined ? {} : { user }),
    ...(password === undefined ? {} : { password }),
  });
  return new NodeLink(client, env.params);
}

/**
 * A link to the node after submitting the wallet's unconfirmed sends to it again (the node may
 * have lost them in a crash); the file is saved when some were confirmed or conflicted and so
 * dropped; one the node refuses for another reason stays pending and is named on stderr. Every
 * wallet command that reads coins or history from the node links through this.
 */
export async function linkNodeResending(env: WalletEnv, w: OpenedWallet): Promise<NodeLink> {
  const node = await linkNode(env);
  const { dropped, kept } = await resendPendingSends(w.wallet, (raw) => node.submitRaw(raw));
  if (dropped.length > 0) await saveWallet(w);
  for (const k of kept) {
    env.ctx.err(`warning: unconfirmed send ${k.txid} was not accepted again: ${k.reason}`);
  }
  return node;
}

/** Opens the wallet file (one KDF run) with the passphrase from `--password-file` or asked. */
export async function openWalletFile(env: WalletEnv): Promise<OpenedWallet> {
  const bytes = await readWalletBytes(env.walletPath);
  const pass = await getPassphrase(stringFlag(env.args, "password-file"));
  const { wallet, kdf, key } = await unlockWallet(bytes, pass, env.params); // the one KDF run
  return { wallet, kdf, key, passphrase: pass, path: env.walletPath };
}

/** `--fee-rate` in resonances per byte, else the network's relay minimum. */
export function feeRateFlag(env: WalletEnv): bigint {
  const v = stringFlag(env.args, "fee-rate");
  if (v === undefined) return env.params.minRelayFeePerByte;
  if (!/^\d{1,12}$/.test(v)) throw new UsageError(`--fee-rate must be an integer, got '${v}'`);
  return BigInt(v);
}

/** `--recovery SPEC`, checked against the network; undefined when not given. */
export function recoveryFlag(env: WalletEnv): RecoverySpec | undefined {
  const v = stringFlag(env.args, "recovery");
  return v === undefined ? undefined : parseRecoveryFlag(v, env.params);
}

/** `--request FILE`; UsageError when missing. */
export function requestFlag(env: WalletEnv): string {
  const p = stringFlag(env.args, "request");
  if (p === undefined) throw new UsageError("missing --request FILE");
  return p;
}

/** `--insecure-fast-kdf`: the tiny test KDF, regtest only; undefined without the flag. */
export function fastKdfFlag(env: WalletEnv): KdfParams | undefined {
  if (env.args.values["insecure-fast-kdf"] !== true) return undefined;
  if (env.params.name !== "regtest") {
    throw new UsageError("--insecure-fast-kdf is for regtest tests only");
  }
  return FAST_TEST_KDF;
}

/** Fails when the wallet file exists: create, recover and restore never overwrite one. */
export async function refuseOverwrite(env: WalletEnv): Promise<void> {
  if (await exists(env.walletPath)) {
    throw new Error(`${env.walletPath} already exists; refusing to overwrite it`);
  }
}

/**
 * A new wallet's passphrase: from `--password-file` (never empty there: an empty file is a
 * mistake), else asked twice, retried on a mismatch; an empty typed one must be confirmed.
 */
export async function newPassphrase(env: WalletEnv): Promise<string> {
  const file = stringFlag(env.args, "password-file");
  const pass = await getPassphrase(file, { confirm: true });
  if (pass === "" && file !== undefined) {
    throw new UsageError(`the wallet passphrase must not be empty: ${file} is empty`);
  }
  return pass;
}

/** Prints `json` as one JSON document with `--json` (bigints as strings), else `lines()`. */
export function printResult(env: WalletEnv, json: unknown, lines: () => string[]): void {
  if (env.json) {
    env.ctx.out(JSON.stringify(json, (_k, v) => typeof v === "bigint" ? v.toString() : v, 2));
  } else for (const l of lines()) env.ctx.out(l);
}

/** An address as `--json` prints it. */
export function addressJson(a: WalletAddress) {
  return {
    address: a.address,
    branch: a.branch === 0 ? "receive" : "change",
    index: a.index,
    recovery: specToJson(a.spec),
    policy: formatPolicy(a.policy),
    label: a.label,
  };
}

/** An address's recovery spec in words. */
export function describeSpec(a: WalletAddress): string {
  const s = a.spec;
  return s.kind === "heartbeat"
    ? `heartbeat every ${s.intervalSecs} s (recovery key: ${
      s.recovery.type === "own" ? "own, from the 24 words" : toHex(s.recovery.publicKey)
    })`
    : `social ${s.threshold} of ${s.guardians.length} guardians, cancel delay ${s.cancelDelaySecs} s`;
}

/** `TXID:VOUT` of an outpoint. */
export function outpointText(o: { readonly txid: Uint8Array; readonly vout: number }): string {
  return `${toHex(o.txid)}:${o.vout}`;
}
