/**
 * `rnt ln info|connect|open|addinvoice|pay|channels|graph|close|forceclose|backup|restore`: the
 * node's Lightning channels through
 * its JSON-RPC (`ln_*` methods). Human output by default, one JSON document with `--json`;
 * errors on stderr with exit 1 (the node's message, e.g. "Insufficient funds"), 2 for usage.
 *
 * @module
 */
import {
  type CommandContext,
  type CommandSpec,
  DATADIR_OPTION,
  JSON_OPTION,
  NETWORK_OPTIONS,
  networkFlag,
  type OptionSpec,
  type ParsedArgs,
  RPC_CLIENT_OPTIONS,
  stringFlag,
} from "./command.ts";
import { resolveCliEndpoint } from "./cli_command.ts";
import { RpcError, UsageError } from "../core/errors.ts";
import { formatHostPort, RpcClient, RpcTransportError } from "../rpc/client.ts";
import { fromHex, toHex } from "../core/crypto/keccak.ts";
import { writeFileAtomic } from "../core/util/atomic_write.ts";

type Json = Record<string, unknown>;

const OPTIONS: Record<string, OptionSpec> = {
  ...NETWORK_OPTIONS,
  ...DATADIR_OPTION,
  ...RPC_CLIENT_OPTIONS,
  ...JSON_OPTION,
};

/** Calls `method` on the node the flags name; prints errors and returns null on failure. */
async function call(
  args: ParsedArgs,
  ctx: CommandContext,
  method: string,
  params: unknown[],
): Promise<unknown | null> {
  const network = networkFlag(args);
  const { host, port, datadir } = resolveCliEndpoint({
    network,
    datadir: stringFlag(args, "datadir"),
    rpcconnect: stringFlag(args, "rpcconnect"),
    rpcport: stringFlag(args, "rpcport"),
  });
  const user = stringFlag(args, "rpcuser"), password = stringFlag(args, "rpcpassword");
  try {
    const client = await RpcClient.fromDatadir({
      datadir,
      port,
      host,
      ...(user === undefined ? {} : { user }),
      ...(password === undefined ? {} : { password }),
      // An opening waits for the peer and the wallet.
      timeoutMs: 60_000,
    });
    return await client.call(method, params);
  } catch (e) {
    if (e instanceof RpcError) {
      ctx.err(`error: ${e.message}`);
      return null;
    }
    if (e instanceof RpcTransportError) {
      const net = network === "mainnet" ? "" : ` --${network}`;
      ctx.err(
        `error: the node is not answering at ${formatHostPort(host, port)} ` +
          `(start it with 'rnt node${net} --datadir ${datadir}')`,
      );
      return null;
    }
    throw e;
  }
}

function print(args: ParsedArgs, ctx: CommandContext, result: unknown, human: () => void): number {
  if (args.values.json === true) ctx.out(JSON.stringify(result, null, 2));
  else human();
  return 0;
}

function onePositional(args: ParsedArgs, what: string): string {
  if (args.positionals.length !== 1) throw new UsageError(`give exactly one ${what}`);
  return args.positionals[0]!;
}

function channelLines(ctx: CommandContext, c: Json): void {
  ctx.out(`${c.channel_id}  ${c.status}${c.connected ? "" : " (peer offline)"}`);
  ctx.out(`  peer       ${c.peer_id}`);
  ctx.out(`  capacity   ${c.capacity} RNT${c.we_funded ? " (funded by us)" : ""}`);
  ctx.out(`  balances   ours ${c.local_balance_rnt} RNT, theirs ${c.remote_balance_rnt} RNT`);
  ctx.out(`  funding    ${c.funding_txid}:${c.funding_vout}`);
  if (typeof c.funding_age_secs === "number") {
    ctx.out(
      `  heartbeat  funding ${c.funding_age_secs} s old; refresh at ${c.refresh_at_age_secs} s, ` +
        `force close at ${c.force_close_at_age_secs} s${c.refreshing ? " (refreshing now)" : ""}`,
    );
  }
  if (c.close_txid) ctx.out(`  close tx   ${c.close_txid}`);
  if (c.sweep_txid) ctx.out(`  sweep tx   ${c.sweep_txid}`);
}

async function runInfo(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  if (args.positionals.length > 0) throw new UsageError("ln info takes no arguments");
  const r = await call(args, ctx, "ln_info", []) as Json | null;
  if (r === null) return 1;
  return print(args, ctx, r, () => {
    ctx.out(`node id   ${r.node_id}`);
    ctx.out(`network   ${r.network}`);
    if (r.listen_port !== null) ctx.out(`connect   ${r.node_id}@HOST:${r.listen_port}`);
    const counts = Object.entries(r.channels as Record<string, number>);
    ctx.out(`channels  ${counts.length ? counts.map(([k, v]) => `${v} ${k}`).join(", ") : "none"}`);
    ctx.out(`peers     ${(r.peers as string[]).length}`);
  });
}

async function runConnect(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const target = onePositional(args, "NODE_ID@HOST:PORT");
  const r = await call(args, ctx, "ln_connect", [target]) as Json | null;
  if (r === null) return 1;
  return print(args, ctx, r, () => ctx.out(`connected to ${r.node_id}`));
}

async function runOpen(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  if (args.positionals.length !== 2) throw new UsageError("give NODE_ID and AMOUNT (RNT)");
  const [peer, amount] = args.positionals as [string, string];
  if (!/^[0-9]+(\.[0-9]{1,8})?$/.test(amount)) {
    throw new UsageError(`AMOUNT must be RNT with up to 8 decimals, got ${amount}`);
  }
  const push = stringFlag(args, "push");
  if (push !== undefined && !/^[0-9]+(\.[0-9]{1,8})?$/.test(push)) {
    throw new UsageError(`--push must be RNT with up to 8 decimals, got ${push}`);
  }
  const r = await call(
    args,
    ctx,
    "ln_open",
    push === undefined ? [peer, amount] : [
      peer,
      amount,
      push,
    ],
  ) as Json | null;
  if (r === null) return 1;
  return print(args, ctx, r, () => {
    ctx.out(`channel ${r.channel_id}`);
    ctx.out(`funding ${r.funding_txid}:${r.funding_vout} (broadcast; usable once it confirms)`);
  });
}

async function runAddInvoice(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  if (args.positionals.length > 0) throw new UsageError("ln addinvoice takes flags only");
  const amount = stringFlag(args, "amount");
  if (amount !== undefined && !/^[0-9]+(\.[0-9]{1,11})?$/.test(amount)) {
    throw new UsageError(`--amount must be RNT with up to 11 decimals, got ${amount}`);
  }
  const r = await call(args, ctx, "ln_invoice", [
    amount ?? null,
    stringFlag(args, "description") ?? "",
    null,
    args.values["no-hints"] !== true,
    args.values.hold === true,
  ]) as Json | null;
  if (r === null) return 1;
  return print(args, ctx, r, () => {
    ctx.out(String(r.invoice));
    ctx.err(`payment hash: ${r.payment_hash}`);
  });
}

async function runPay(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const invoice = onePositional(args, "INVOICE");
  const amount = stringFlag(args, "amount");
  if (amount !== undefined && !/^[0-9]+(\.[0-9]{1,11})?$/.test(amount)) {
    throw new UsageError(`--amount must be RNT with up to 11 decimals, got ${amount}`);
  }
  const r = await call(
    args,
    ctx,
    "ln_pay",
    amount === undefined ? [invoice] : [
      invoice,
      amount,
    ],
  ) as Json | null;
  if (r === null) return 1;
  return print(args, ctx, r, () => {
    ctx.out(`paid ${r.amount_rnt} RNT on channel ${r.channel_id}`);
    const hops = (r.route as Json[] | undefined) ?? [];
    ctx.out(
      `route ${hops.map((h) => String(h.node_id).slice(0, 16)).join(" -> ")} ` +
        `(fee ${r.fee_mres} mres, ${r.attempts} attempt${r.attempts === 1 ? "" : "s"})`,
    );
    for (const f of (r.failed_routes as Json[] | undefined) ?? []) {
      const via = (f.route as Json[]).map((h) => String(h.node_id).slice(0, 16)).join(" -> ");
      ctx.out(`tried ${via}: ${f.failure}`);
    }
    ctx.out(`preimage ${r.preimage}`);
  });
}

async function runChannels(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  if (args.positionals.length > 0) throw new UsageError("ln channels takes no arguments");
  const r = await call(args, ctx, "ln_channels", []) as Json[] | null;
  if (r === null) return 1;
  return print(args, ctx, r, () => {
    if (r.length === 0) ctx.out("no channels");
    for (const c of r) channelLines(ctx, c);
  });
}

async function runGraph(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  if (args.positionals.length > 0) throw new UsageError("ln graph takes no arguments");
  const r = await call(args, ctx, "ln_graph", []) as Json | null;
  if (r === null) return 1;
  return print(args, ctx, r, () => {
    const nodes = r.nodes as Json[], channels = r.channels as Json[];
    ctx.out(`${nodes.length} nodes, ${channels.length} channels`);
    for (const n of nodes) ctx.out(`node ${n.node_id}${n.alias ? `  ${n.alias}` : ""}`);
    for (const c of channels) {
      ctx.out(`channel ${c.short_channel_id}  capacity ${c.capacity_mres ?? "?"} mres`);
      ctx.out(`  ${c.node1}`);
      ctx.out(`  ${c.node2}`);
      for (const p of c.policies as Json[]) {
        ctx.out(
          `  ${String(p.from).slice(0, 16)} -> ${String(p.to).slice(0, 16)}: fee ` +
            `${p.fee_base_mres} mres + ${p.fee_proportional_millionths} ppm, delta ` +
            `${p.time_lock_delta_secs} s${p.disabled ? " (disabled)" : ""}`,
        );
      }
    }
  });
}

function runClose(method: "ln_close" | "ln_forceclose") {
  return async (args: ParsedArgs, ctx: CommandContext): Promise<number> => {
    const id = onePositional(args, "CHANNEL_ID");
    if (!/^[0-9a-fA-F]{64}$/.test(id)) throw new UsageError("CHANNEL_ID must be 64 hex characters");
    const r = await call(args, ctx, method, [id]) as Json | null;
    if (r === null) return 1;
    return print(args, ctx, r, () => channelLines(ctx, r));
  };
}

/** Largest backup file `ln restore` reads (the node's own limit). */
const MAX_BACKUP_FILE_BYTES = 16 << 20;

async function runBackup(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const out = stringFlag(args, "out", true);
  const r = await call(args, ctx, "ln_backup", []) as Json | null;
  if (r === null) return 1;
  const bytes = fromHex(String(r.backup));
  // Mode 0600: the file is sealed, yet says nothing to others about our channels' existence.
  await writeFileAtomic(out, bytes, { mode: 0o600 });
  return print(args, ctx, { file: out, bytes: bytes.length, channels: r.channels }, () => {
    ctx.out(`wrote ${out}: ${r.channels} channel(s), ${bytes.length} bytes`);
  });
}

function restoredLines(ctx: CommandContext, what: string, list: Json[]): void {
  for (const c of list) {
    ctx.out(
      `${what} ${c.channel_id}  peer ${String(c.peer).slice(0, 16)}  capacity ${c.capacity} RNT` +
        (c.asked_to_close === true ? "  (peer asked to force close)" : "") +
        (typeof c.error === "string" ? `  (peer not asked: ${c.error})` : ""),
    );
  }
}

async function runRestore(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const path = stringFlag(args, "backup", true);
  let bytes: Uint8Array;
  try {
    const info = await Deno.stat(path);
    if (info.size > MAX_BACKUP_FILE_BYTES) {
      ctx.err(`error: ${path} is ${info.size} bytes, too large for a channel backup`);
      return 1;
    }
    bytes = await Deno.readFile(path);
  } catch (e) {
    ctx.err(`error: cannot read ${path}: ${(e as Error).message}`);
    return 1;
  }
  const r = await call(args, ctx, "ln_restore", [toHex(bytes)]) as Json | null;
  if (r === null) return 1;
  return print(args, ctx, r, () => {
    restoredLines(ctx, "restored", r.restored as Json[]);
    restoredLines(ctx, "skipped (known)", r.skipped as Json[]);
    if ((r.restored as Json[]).length + (r.skipped as Json[]).length === 0) {
      ctx.out("the backup lists no channels");
    }
  });
}

/** The channel sub-commands of `rnt ln`. */
export const LN_CHANNEL_SUBCOMMANDS: CommandSpec[] = [
  {
    name: "info",
    summary: "Show this node's Lightning id, channel counts and peers",
    usage: "ln info [--regtest|--testnet] [--json]",
    options: OPTIONS,
    run: runInfo,
  },
  {
    name: "connect",
    summary: "Connect to a Lightning peer (remembered for reconnections)",
    usage: "ln connect NODE_ID@HOST:PORT [--regtest|--testnet] [--json]",
    details: "NODE_ID is the peer's 64-hex node id ('rnt ln info' on that node); HOST:PORT\n" +
      "its P2P address. The connection is refused when the id does not match.",
    options: OPTIONS,
    positionals: true,
    run: runConnect,
  },
  {
    name: "open",
    summary: "Open a channel to a connected peer, funded by the node's wallet",
    usage: "ln open NODE_ID AMOUNT [--push RNT] [--regtest|--testnet] [--json]",
    details: "AMOUNT (RNT) comes from the wallet loaded in the node (rnt node --wallet).\n" +
      "Returns once both first commitments are signed and the funding is broadcast;\n" +
      "the channel is usable ('normal') once the funding confirms.",
    options: {
      ...OPTIONS,
      push: { type: "string", valueName: "RNT", description: "Give the peer this much at opening" },
    },
    positionals: true,
    run: runOpen,
  },
  {
    name: "addinvoice",
    summary: "Ask the running node for an invoice it settles when paid",
    usage: "ln addinvoice [--amount RNT] [--description TEXT] [--no-hints] [--hold]\n" +
      "  [--regtest|--testnet] [--json]",
    details: "Unlike 'ln invoice' (offline, prints the preimage), the node keeps the preimage\n" +
      "and reveals it only by fulfilling an HTLC that pays the invoice.",
    options: {
      ...OPTIONS,
      amount: { type: "string", valueName: "RNT", description: "Amount asked (omit: any)" },
      description: { type: "string", valueName: "TEXT", description: "What it is for" },
      "no-hints": {
        type: "boolean",
        description: "No route hints: payers find the way over the gossiped graph",
      },
      hold: {
        type: "boolean",
        description:
          "Hold a paying HTLC in flight (settled only on chain) instead of fulfilling it",
      },
    },
    run: runAddInvoice,
  },
  {
    name: "pay",
    summary: "Pay an invoice over a route (the gossiped graph plus the invoice's route hints)",
    usage: "ln pay INVOICE [--amount RNT] [--regtest|--testnet] [--json]",
    details: "Finds a route, sends one HTLC along it and waits until the payee fulfills it\n" +
      "(prints the route, fee and preimage); a hop's failure is decrypted, names the\n" +
      "failing node and code, and the next route avoids it.",
    options: {
      ...OPTIONS,
      amount: {
        type: "string",
        valueName: "RNT",
        description: "Only for an invoice without an amount",
      },
    },
    positionals: true,
    run: runPay,
  },
  {
    name: "channels",
    summary: "List channels with status and balances",
    usage: "ln channels [--regtest|--testnet] [--json]",
    options: OPTIONS,
    run: runChannels,
  },
  {
    name: "graph",
    summary: "List the channel graph learned from gossip, with each direction's fees",
    usage: "ln graph [--regtest|--testnet] [--json]",
    details: "Nodes and announced channels (short channel id HEIGHTxTXxOUTPUT, capacity) and\n" +
      "each direction's policy from its signed channel_update: what 'ln pay' routes over.",
    options: OPTIONS,
    run: runGraph,
  },
  {
    name: "close",
    summary: "Close a channel cooperatively (both balances paid at once)",
    usage: "ln close CHANNEL_ID [--regtest|--testnet] [--json]",
    details: "Needs the peer online and no payment in flight; otherwise use forceclose.",
    options: OPTIONS,
    positionals: true,
    run: runClose("ln_close"),
  },
  {
    name: "forceclose",
    summary: "Publish our latest commitment; our balance returns after to_self_delay",
    usage: "ln forceclose CHANNEL_ID [--regtest|--testnet] [--json]",
    details: "Works without the peer. Our output is swept to the wallet by the node once the\n" +
      "delay the peer set (to_self_delay, seconds of median time past) has passed.",
    options: OPTIONS,
    positionals: true,
    run: runClose("ln_forceclose"),
  },
  {
    name: "backup",
    summary: "Copy the static channel backup (sealed with the wallet's key) to a file",
    usage: "ln backup --out FILE [--regtest|--testnet] [--json]",
    details: "The node keeps it in DATADIR/lightning/channels.backup, rewritten whenever a\n" +
      "channel opens, closes or moves its funding output. With the wallet's 24 words it\n" +
      "recovers each channel's balance after the node's Lightning state is lost: 'ln restore'.",
    options: {
      ...OPTIONS,
      out: { type: "string", valueName: "FILE", description: "Where to write the backup" },
    },
    run: runBackup,
  },
  {
    name: "restore",
    summary: "Watch the channels of a static backup and ask their peers to force close",
    usage: "ln restore --backup FILE [--regtest|--testnet] [--json]",
    details:
      "Needs the wallet that made the backup, loaded and unlocked. Each channel this node\n" +
      "does not know is watched and its peer asked to publish its commitment; our balance\n" +
      "comes back to the wallet from it. Channels the node knows are skipped.",
    options: {
      ...OPTIONS,
      backup: { type: "string", valueName: "FILE", description: "The backup file to restore" },
    },
    run: runRestore,
  },
];
