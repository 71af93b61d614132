/**
 * `rnt mine --data FILE [--address ADDR]`: mines against a running node over JSON-RPC. Connects
 * with the node's cookie (from `--datadir`) or `--rpcuser/--rpcpassword`, trains on the user's
 * bytes with the shared mining loop on this machine's WebGPU adapter, evaluates with its own
 * evaluator, uploads the checkpoint in verified chunks and submits the block signed with the
 * miner key in the datadir (`miner.key`). Restarts on a new tip; waits through a node restart.
 * Without `--address` the rewards go to the miner key's heartbeat address. With `--json` each
 * found block is one JSON line on stdout. SIGINT or SIGTERM stop it (exit 0).
 *
 * @module
 */
import {
  type CommandContext,
  intFlag,
  networkFlag,
  type ParsedArgs,
  stringFlag,
} from "./command.ts";
import { NETWORKS } from "../core/consensus/params.ts";
import { toHex } from "../core/crypto/keccak.ts";
import { DecodeError, UsageError } from "../core/errors.ts";
import { requestGpu } from "../gpu/device.ts";
import { loadValidationSet } from "../gpu/model/datasets.ts";
import { GpuEvaluator } from "../gpu/model/evaluate.ts";
import { resolveCliEndpoint } from "./cli_command.ts";
import { RpcClient } from "../rpc/client.ts";
import { BlockMiner } from "../node/miner/block_miner.ts";
import { consoleMiningHooks } from "./mine_console_hooks.ts";
import { resolveRewardAddress } from "../node/miner/miner_address.ts";
import { loadOrCreateMinerKey } from "../node/miner/miner_key.ts";
import { RpcMiningSource } from "../node/miner/rpc_source.ts";

/** Runs `rnt mine`; returns the exit status. */
export async function runMineCommand(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const network = networkFlag(args);
  const params = NETWORKS[network];
  if (!params.genesisValLossPinned) {
    ctx.err(`error: ${network} has not launched yet; use --regtest or --testnet`);
    return 1;
  }
  const dataPath = stringFlag(args, "data");
  if (dataPath === undefined) throw new UsageError("--data FILE is required (your training bytes)");
  const stepsPerRound = intFlag(args, "steps-per-round", 10, 1, 100_000);
  const endpoint = resolveCliEndpoint({
    network,
    datadir: stringFlag(args, "datadir"),
    rpcconnect: stringFlag(args, "rpcconnect"),
    rpcport: stringFlag(args, "rpcport"),
  });
  const user = stringFlag(args, "rpcuser");
  const password = stringFlag(args, "rpcpassword");
  const seed = await loadOrCreateMinerKey(endpoint.datadir);
  let reward;
  try {
    reward = resolveRewardAddress(params, stringFlag(args, "address"), seed);
  } catch (e) {
    if (e instanceof DecodeError) throw new UsageError(`--address: ${e.message}`);
    throw e;
  }
  const gpu = await requestGpu();
  if (!gpu) {
    ctx.err(
      "error: mining needs WebGPU to train the model and this machine has no adapter " +
        "(install Mesa's Vulkan driver and set DENO_WEBGPU_BACKEND=vulkan)",
    );
    return 1;
  }
  const miner = new BlockMiner(gpu, seed, { dataPath, stepsPerRound });
  try {
    await miner.open(params.validationWindowBytes);
  } catch (e) {
    ctx.err(`error: ${(e as Error).message}`);
    return 1;
  }
  let stop = false;
  const signals: [Deno.Signal, () => void][] = [];
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    const handler = () => stop = true;
    Deno.addSignalListener(sig, handler);
    signals.push([sig, handler]);
  }
  const source = new RpcMiningSource({
    params,
    validation: await loadValidationSet(network),
    evaluator: new GpuEvaluator(gpu),
    connect: () =>
      RpcClient.fromDatadir({
        datadir: endpoint.datadir,
        host: endpoint.host,
        port: endpoint.port,
        ...(user === undefined ? {} : { user }),
        ...(password === undefined ? {} : { password }),
        timeoutMs: 120_000,
      }),
    log: (line) => ctx.err(line),
    shouldStop: () => stop,
  });
  try {
    const tip = await source.call("getbestblockhash");
    ctx.err(
      `mining on ${network} node ${endpoint.host}:${endpoint.port} (tip ${tip}); ` +
        `data ${dataPath}; reward address ${reward.text}; miner key ${toHex(miner.minerKey)}`,
    );
    source.start();
    await miner.run(
      source,
      reward.data,
      consoleMiningHooks({ out: ctx.out, err: ctx.err, json: args.values.json === true }),
    );
    ctx.err("mining stopped");
    return 0;
  } catch (e) {
    if (stop) return 0;
    ctx.err(`error: ${(e as Error)?.message ?? e}`);
    return 1;
  } finally {
    source.close();
    miner.close();
    for (const [sig, handler] of signals) Deno.removeSignalListener(sig, handler);
  }
}
