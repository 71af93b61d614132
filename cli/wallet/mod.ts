/**
 * `rnt wallet …`: the wallet on the command line, and the one place its flags are declared.
 * The wallet file is `<datadir>/wallet.dat` (or `--wallet FILE`), encrypted with a passphrase
 * (Argon2id); chain data comes from the node by JSON-RPC (`listunspentbyaddress`,
 * `listaddresshistory`, `sendrawtransaction`). Every secret can come from a file
 * (`--password-file`, `--mnemonic-file`) or is typed with echo off; `--json` prints one JSON
 * document. Exit 0 ok, 1 failed (wrong passphrase, tampered file, node error: nothing is
 * overwritten), 2 usage.
 *
 * Each subcommand group is a file here that reads its flags, asks for secrets, calls the logic
 * (`core/wallet/`: balance, rescan, fee sizing, request files; `node/wallet/`: the wallet file
 * and the node link) and prints: `create_recover.ts`, `backup.ts`, `coins.ts`, `send.ts`,
 * `social.ts`; `env.ts` holds what they share.
 *
 * @module
 */
import {
  type CommandSpec,
  DATADIR_OPTION,
  JSON_OPTION,
  NETWORK_OPTIONS,
  type OptionSpec,
  RPC_CLIENT_OPTIONS,
} from "../command.ts";
import { runBackup, runRestore } from "./backup.ts";
import { runAddress, runBalance, runHistory, runStatus } from "./coins.ts";
import { runCreate, runRecover } from "./create_recover.ts";
import { explainNodeError, type WalletEnv, walletEnvOf } from "./env.ts";
import { runHeartbeat, runSend } from "./send.ts";
import { runSweepMinerKey } from "./sweep.ts";
import {
  runCancel,
  runGuardianKey,
  runGuardianSign,
  runSocialClaim,
  runSocialFinalize,
  runSocialRequest,
} from "./social.ts";

/** The flags of every wallet subcommand. */
const COMMON: Record<string, OptionSpec> = {
  ...NETWORK_OPTIONS,
  ...JSON_OPTION,
  ...DATADIR_OPTION,
  wallet: {
    type: "string",
    valueName: "FILE",
    description: "Wallet file (default DATADIR/wallet.dat)",
  },
  "password-file": {
    type: "string",
    valueName: "F",
    description: "Read the wallet passphrase from F (first line) instead of asking",
  },
  ...RPC_CLIENT_OPTIONS,
};
const RECOVERY_OPTION: Record<string, OptionSpec> = {
  recovery: {
    type: "string",
    valueName: "SPEC",
    description: "heartbeat:INTERVAL[:RECOVERY-PUBKEY] or social:K:G1,G2,…:DELAY",
  },
};
const FEE_OPTION: Record<string, OptionSpec> = {
  "fee-rate": {
    type: "string",
    valueName: "N",
    description: "Fee rate in resonances per byte (default the network's relay minimum)",
  },
};
const FAST_KDF_OPTION: Record<string, OptionSpec> = {
  "insecure-fast-kdf": {
    type: "boolean",
    description: "Regtest tests only: a 64 KiB Argon2id instead of 64 MiB",
  },
};
const REQUEST_OPTION: Record<string, OptionSpec> = {
  request: { type: "string", valueName: "F", description: "Request file" },
};

function cmd(
  name: string,
  summary: string,
  usage: string,
  run: (env: WalletEnv) => Promise<number>,
  options: CommandSpec["options"] = {},
  positionals = false,
): CommandSpec {
  return {
    name,
    summary,
    usage: `wallet ${usage}`,
    options: { ...COMMON, ...options },
    positionals,
    run: async (args, ctx) => {
      const env = walletEnvOf(args, ctx);
      try {
        return await run(env);
      } catch (e) {
        throw explainNodeError(env, e);
      }
    },
  };
}

/** `rnt wallet` and its subcommands. */
export const WALLET_COMMAND: CommandSpec = {
  name: "wallet",
  summary: "Wallet: 24-word recovery, encrypted backups, recovery policies",
  usage: "wallet COMMAND [OPTIONS]",
  subcommands: [
    cmd(
      "create",
      "Create a wallet (prints the 24 words once)",
      "create [--recovery SPEC]",
      runCreate,
      { ...RECOVERY_OPTION, ...FAST_KDF_OPTION },
    ),
    cmd(
      "recover",
      "Recreate a wallet from its 24 words and rescan the chain",
      "recover [--mnemonic-file F] [--recovery SPEC] [--gap N]",
      runRecover,
      {
        ...RECOVERY_OPTION,
        ...FAST_KDF_OPTION,
        "mnemonic-file": { type: "string", valueName: "F", description: "Read the words from F" },
        gap: { type: "string", valueName: "N", description: "Gap limit (default 20)" },
      },
    ),
    cmd("backup", "Write an encrypted backup", "backup FILE", runBackup, {}, true),
    cmd("restore", "Restore the wallet file from a backup", "restore FILE", runRestore, {}, true),
    cmd("address", "A new receive address", "address [--recovery SPEC] [--label L]", runAddress, {
      ...RECOVERY_OPTION,
      label: { type: "string", valueName: "L", description: "Label" },
    }),
    cmd("balance", "Confirmed, unconfirmed and immature balance", "balance", runBalance),
    cmd(
      "send",
      "Pay an address (change keeps the recovery policy)",
      "send ADDR AMOUNT [--fee-rate N] [--yes]",
      runSend,
      {
        ...FEE_OPTION,
        yes: { type: "boolean", description: "Send without asking for confirmation" },
      },
      true,
    ),
    cmd("history", "Transactions paying or spending the wallet", "history", runHistory),
    cmd(
      "heartbeat",
      "Re-spend aging coins to themselves (proof of life)",
      "heartbeat [--due-within SECS] [--fee-rate N]",
      runHeartbeat,
      {
        ...FEE_OPTION,
        "due-within": {
          type: "string",
          valueName: "SECS",
          description: "Only coins whose recovery or emission return opens within SECS",
        },
      },
    ),
    cmd(
      "sweep-miner-key",
      "Move the mined coins of DATADIR/miner.key's address into the wallet",
      "sweep-miner-key [--fee-rate N]",
      runSweepMinerKey,
      FEE_OPTION,
    ),
    cmd("status", "Time left before each coin's recovery or emission return", "status", runStatus),
    {
      name: "guardian",
      summary: "Being a guardian of someone's social recovery",
      usage: "wallet guardian key|sign",
      subcommands: [
        cmd("key", "Print a guardian public key", "guardian key [--index N]", runGuardianKey, {
          index: { type: "string", valueName: "N", description: "Key index (default 0)" },
        }),
        cmd(
          "sign",
          "Sign a recovery request",
          "guardian sign --request F [--out F]",
          runGuardianSign,
          {
            ...REQUEST_OPTION,
            out: { type: "string", valueName: "F", description: "Write the signature to F" },
          },
        ),
      ],
    },
    {
      name: "recover-social",
      summary: "Recover a social-recovery coin with guardians",
      usage: "wallet recover-social request|finalize|claim",
      subcommands: [
        cmd(
          "request",
          "Write a recovery request to a key of this wallet",
          "recover-social request --policy P --out F [--coin TXID:N] [--delay S] [--key-index N]",
          runSocialRequest,
          {
            ...FEE_OPTION,
            policy: { type: "string", valueName: "P", description: "The social policy" },
            out: { type: "string", valueName: "F", description: "Request file to write" },
            coin: { type: "string", valueName: "TXID:N", description: "Coin (default largest)" },
            delay: { type: "string", valueName: "S", description: "Owner's cancel window" },
            "key-index": { type: "string", valueName: "N", description: "New owner key index" },
          },
        ),
        cmd(
          "finalize",
          "Combine guardian signatures and broadcast",
          "recover-social finalize --request F SIGFILE…",
          runSocialFinalize,
          REQUEST_OPTION,
          true,
        ),
        cmd(
          "claim",
          "After the delay, move the recovered coin to this wallet",
          "recover-social claim --request F",
          runSocialClaim,
          { ...FEE_OPTION, ...REQUEST_OPTION },
        ),
      ],
    },
    cmd(
      "cancel-recovery",
      "Owner: cancel the pending social recoveries of this wallet's coins (found on chain)",
      "cancel-recovery [--request F]",
      runCancel,
      {
        ...FEE_OPTION,
        request: { type: "string", valueName: "F", description: "Only this request's recovery" },
      },
    ),
  ],
};
