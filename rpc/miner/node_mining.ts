/**
 * `rnt node --mine [--data FILE] [--address ADDR]`: the shared mining loop run inside the node
 * process on its own chainstate ({@linkcode NodeMiningSource}), printing one line per block
 * found. Training data defaults to the bundled sample text, the reward address to the miner
 * key's heartbeat address (so `deno task start` needs neither).
 *
 * @module
 */
import { type CommandContext, type ParsedArgs, stringFlag } from "../../core/cli/command.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { DecodeError, UsageError } from "../../core/errors.ts";
import type { GpuContext } from "../../gpu/device.ts";
import { sampleTrainPath } from "../../gpu/model/datasets.ts";
import type { Node } from "../node/node.ts";
import { BlockMiner } from "./block_miner.ts";
import { consoleMiningHooks } from "./console_hooks.ts";
import { resolveRewardAddress } from "./miner_address.ts";
import { loadOrCreateMinerKey } from "./miner_key.ts";
import { NodeMiningSource } from "./node_source.ts";

/** The `--mine` settings of `rnt node`. */
export interface NodeMiningFlags {
  /** Training data path (default the bundled sample text). */
  dataPath: string;
  /** Reward address text (default the miner key's heartbeat address). */
  address: string | undefined;
}

/**
 * Reads `--mine`, `--data`, `--address`: undefined without `--mine`; UsageError for `--data`
 * or `--address` without it.
 */
export function nodeMiningFlags(args: ParsedArgs): NodeMiningFlags | undefined {
  const dataPath = stringFlag(args, "data");
  const address = stringFlag(args, "address");
  if (args.values.mine !== true) {
    if (dataPath !== undefined || address !== undefined) {
      throw new UsageError("--data and --address are for --mine");
    }
    return undefined;
  }
  return { dataPath: dataPath ?? sampleTrainPath(), address };
}

/** Mining running inside a node. */
export interface NodeMining {
  /** The reward address. */
  readonly address: string;
  /**
   * Stops after the current training step and waits for the loop to end (the node's shutdown
   * signal already aborts training and evaluation in flight).
   */
  stop(): Promise<void>;
}

/**
 * Starts mining in this process. Throws Error when there is no GPU, the data cannot be opened
 * or the address does not decode.
 */
export async function startNodeMining(
  node: Node,
  gpu: GpuContext | null,
  flags: NodeMiningFlags,
  ctx: CommandContext,
): Promise<NodeMining> {
  if (!gpu) {
    throw new Error(
      "--mine needs WebGPU to train the model and this machine has no adapter " +
        "(install Mesa's Vulkan driver and set DENO_WEBGPU_BACKEND=vulkan)",
    );
  }
  const seed = await loadOrCreateMinerKey(node.datadir);
  let reward;
  try {
    reward = resolveRewardAddress(node.params, flags.address, seed);
  } catch (e) {
    if (e instanceof DecodeError) throw new Error(`--address: ${e.message}`);
    throw e;
  }
  const miner = new BlockMiner(gpu, seed, {
    dataPath: flags.dataPath,
    signal: node.shutdownSignal,
  });
  await miner.open(node.params.validationWindowBytes);
  let stopped = false;
  const source = new NodeMiningSource(node, () => stopped);
  const tip = node.chainstate.tip();
  ctx.out(
    `mining on ${node.params.name} from height ${tip.height} ` +
      `(val_loss ${
        (tip.header.valLossMicroNats / 1e6).toFixed(6)
      }, d_model ${tip.header.dModel}, ` +
      `layers ${tip.header.nLayers}); data ${flags.dataPath}; reward address ${reward.text}`,
  );
  node.logger.log(
    `mining: data=${flags.dataPath} address=${reward.text} miner_key=${toHex(miner.minerKey)}`,
  );
  const loop = miner.run(source, reward.data, consoleMiningHooks({ out: ctx.out, err: ctx.err }))
    .catch((e) => node.logger.log(`mining loop failed: ${(e as Error)?.stack ?? e}`))
    .finally(() => miner.close());
  return {
    address: reward.text,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
