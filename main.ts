/**
 * `rnt` — the ResonanceNet Proof-of-Training node, miner, wallet, RPC client and Lightning node
 * in one program. This file only wires commands to the parts that implement them.
 *
 * @module
 */
import denoJson from "./deno.json" with { type: "json" };
import {
  type CommandSpec,
  DATADIR_OPTION,
  JSON_OPTION,
  NETWORK_OPTIONS,
  RPC_CLIENT_OPTIONS,
  runCommandTree,
} from "./cli/command.ts";
import { MODEL_COMMAND } from "./cli/model_command.ts";
import { allOptionNames, applyConfigFile } from "./cli/config_file.ts";
import { runCliParsed } from "./cli/cli_command.ts";
import { runKeyNewCommand } from "./cli/key_command.ts";
import { LN_COMMAND } from "./cli/ln_command.ts";
import { runMineCommand } from "./cli/mine_command.ts";
import { nodeMethodParams } from "./rpc/methods/mod.ts";
import { EVALUATOR_OPTION } from "./cli/evaluator_flag.ts";
import { CORPUS_OPTION } from "./cli/corpus_flag.ts";
import { EXPLORER_OPTION } from "./cli/explorer_flag.ts";
import { runNodeCommand } from "./cli/node_command.ts";
import { WALLET_COMMAND } from "./cli/wallet/mod.ts";

/** The program version (from deno.json). */
export const VERSION: string = denoJson.version;

/** The full command tree of `rnt`. */
export const ROOT_COMMAND: CommandSpec = {
  name: "rnt",
  summary: "ResonanceNet Proof-of-Training node",
  usage: "COMMAND [OPTIONS]\n--version",
  details: "Mining is training: a block is valid only if its model checkpoint has a strictly\n" +
    "lower validation loss than its parent's.",
  options: { version: { type: "boolean", short: "V", description: "Print the version and exit" } },
  subcommands: [
    {
      name: "node",
      summary: "Run a full node (validates every block by re-evaluating its model)",
      usage:
        "node --regtest|--testnet [--datadir DIR] [--port P] [--rpcport P] [--explorer[=PORT]]",
      options: {
        ...NETWORK_OPTIONS,
        ...DATADIR_OPTION,
        port: { type: "string", valueName: "PORT", description: "P2P listen port" },
        rpcport: { type: "string", valueName: "PORT", description: "JSON-RPC port" },
        rpcbind: {
          type: "string",
          valueName: "ADDR[:PORT]",
          multiple: true,
          description: "Serve JSON-RPC on ADDR (needs --rpcallowip; default 127.0.0.1)",
        },
        rpcallowip: {
          type: "string",
          valueName: "IP[/MASK]",
          multiple: true,
          description: "Answer RPC clients from this address or range (loopback always)",
        },
        rpcuser: {
          type: "string",
          valueName: "USER",
          description: "RPC user (with --rpcpassword)",
        },
        rpcpassword: {
          type: "string",
          valueName: "PASS",
          description: "RPC password for --rpcuser (better: rpcauth in rnt.conf)",
        },
        rpcauth: {
          type: "string",
          valueName: "USER:SALT$HASH",
          multiple: true,
          description: "RPC credentials as Core's rpcauth.py prints them",
        },
        ...EXPLORER_OPTION,
        wallet: { type: "boolean", description: "Load a wallet for the wallet RPC methods" },
        "wallet-file": {
          type: "string",
          valueName: "F",
          description: "Wallet file for --wallet (default DATADIR/wallet.dat)",
        },
        "wallet-password-file": {
          type: "string",
          valueName: "F",
          description: "Read the wallet passphrase from F (else asked on the terminal)",
        },
        connect: {
          type: "string",
          valueName: "HOST:PORT",
          multiple: true,
          description: "Connect only to this peer (0: no outbound connections)",
        },
        addnode: {
          type: "string",
          valueName: "HOST:PORT",
          multiple: true,
          description: "Keep a connection to this peer (besides others)",
        },
        seednode: {
          type: "string",
          valueName: "HOST:PORT",
          multiple: true,
          description: "Ask this peer for addresses when none are known",
        },
        dnsseed: {
          type: "string",
          valueName: "NAME[:PORT]",
          multiple: true,
          description: "Also ask this DNS name for peers when none are known (0: skip DNS seeds)",
        },
        listen: {
          type: "string",
          valueName: "ADDR",
          description: "Address to accept peers on, 0 for none (regtest 127.0.0.1, else 0.0.0.0)",
        },
        maxconnections: {
          type: "string",
          valueName: "N",
          description: "Most inbound peers (default 125)",
        },
        proxy: {
          type: "string",
          valueName: "HOST:PORT",
          description: "SOCKS5 proxy for outbound peers (Tor; needed for .onion peers)",
        },
        prune: {
          type: "string",
          valueName: "N",
          description: "Keep the checkpoints of the last N blocks (0: all; regtest allows N ≥ 2)",
        },
        ...EVALUATOR_OPTION,
        ...CORPUS_OPTION,
        debug: {
          type: "string",
          valueName: "CATEGORY",
          optionalValue: true,
          multiple: true,
          description: "Log detail of CATEGORY (net, rpc, mempool; 1: all)",
        },
        printtoconsole: {
          type: "boolean",
          description: "Echo every log line to stderr (with --mine only problems are echoed)",
        },
        mine: { type: "boolean", description: "Mine (train) in this process" },
        "max-rounds": {
          type: "string",
          valueName: "N",
          description: "With --mine: stop mining when a block misses its target in N rounds",
        },
        data: { type: "string", valueName: "FILE", description: "Training data for --mine" },
        address: { type: "string", valueName: "ADDR", description: "Reward address for --mine" },
      },
      run: runNodeCommand,
    },
    {
      name: "cli",
      summary: "Call a node's JSON-RPC method (like bitcoin-cli)",
      usage: "cli [--regtest|--testnet] [--datadir DIR] [--named] METHOD [ARGS...]\n" +
        "cli [--regtest|--testnet] [--datadir DIR] -getinfo",
      details: "Flags may also be written with one dash, as bitcoin-cli does (-regtest, " +
        "-datadir=DIR).\nAn RPC error exits with its code's absolute value (e.g. -8 gives 8).",
      options: {
        ...NETWORK_OPTIONS,
        ...DATADIR_OPTION,
        ...RPC_CLIENT_OPTIONS,
        named: { type: "boolean", description: "Pass arguments as name=value pairs" },
        getinfo: { type: "boolean", description: "Print a summary of the node" },
      },
      positionals: true,
      run: (args, ctx) => runCliParsed(args, ctx, nodeMethodParams),
    },
    {
      name: "mine",
      summary: "Mine by training the tip model on your data and submitting better checkpoints",
      usage: "mine --data FILE [--address ADDR] [--regtest|--testnet] [--datadir DIR]\n" +
        "  [--rpcconnect HOST] [--rpcport P] [--steps-per-round N] [--max-rounds N]",
      options: {
        ...NETWORK_OPTIONS,
        ...DATADIR_OPTION,
        ...RPC_CLIENT_OPTIONS,
        ...JSON_OPTION,
        ...EVALUATOR_OPTION,
        data: { type: "string", valueName: "FILE", description: "Training data (any bytes)" },
        address: {
          type: "string",
          valueName: "ADDR",
          description: "Address for block rewards (default: the miner key's heartbeat address)",
        },
        "steps-per-round": {
          type: "string",
          valueName: "N",
          description: "Training steps between evaluations",
        },
        "max-rounds": {
          type: "string",
          valueName: "N",
          description: "Give up on a block after N rounds without reaching its target (exit 1)",
        },
        rpcwait: { type: "boolean", description: "Wait for the node to answer instead of failing" },
      },
      run: runMineCommand,
    },
    WALLET_COMMAND,
    {
      name: "key",
      summary: "Key utilities (fresh Ed25519 keys with heartbeat addresses)",
      usage: "key new [--regtest|--testnet] [--json]",
      subcommands: [{
        name: "new",
        summary: "Print a fresh Ed25519 key and a heartbeat address",
        usage: "key new [--regtest|--testnet] [--json]",
        options: { ...NETWORK_OPTIONS, ...JSON_OPTION },
        run: runKeyNewCommand,
      }],
    },
    MODEL_COMMAND,
    LN_COMMAND,
  ],
};

/** Runs `rnt` with `argv`; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const context = {
    out: (line: string) => console.log(line),
    err: (line: string) => console.error(line),
  };
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
    context.out(`rnt ${VERSION}`);
    return 0;
  }
  if (argv.length === 0) {
    context.err("error: no command given");
    context.err("usage: rnt COMMAND [OPTIONS]\nRun 'rnt --help' for the commands.");
    return 2;
  }
  const known = allOptionNames(ROOT_COMMAND);
  return await runCommandTree(
    ROOT_COMMAND,
    argv,
    context,
    (spec, args) => applyConfigFile(spec, args, known),
  );
}

if (import.meta.main) {
  Deno.exitCode = await main(Deno.args);
}
