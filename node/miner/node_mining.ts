/**
 * Mining inside the node process (`rnt node --mine`): the shared mining loop on the node's own
 * chainstate ({@linkcode NodeMiningSource}), reporting through the hooks the command gives it.
 * The reward address defaults to the miner key's heartbeat address (so `deno task start` needs
 * none). When the loop ends (shutdown, or `maxRounds` spent on one block) it prints a summary.
 *
 * @module
 */
import { toHex } from "../../core/crypto/keccak.ts";
import { DecodeError } from "../../core/errors.ts";
import type { GpuContext } from "../../gpu/device.ts";
import type { Node } from "../node.ts";
import { BlockMiner, type MiningHooks } from "./block_miner.ts";
import { resolveRewardAddress } from "./miner_address.ts";
import { loadOrCreateMinerKey } from "./miner_key.ts";
import { NodeMiningSource } from "./node_source.ts";
import { formatMiningSummary } from "./mining_summary.ts";

/** What `rnt node --mine` mines with. */
export interface NodeMiningSettings {
  /** Training data path. */
  dataPath: string;
  /** Reward address text (default the miner key's heartbeat address). */
  address: string | undefined;
  /** Stop mining when a block misses its target within this many rounds (default never). */
  maxRounds?: number;
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
  flags: NodeMiningSettings,
  hooks: MiningHooks,
  announce: (line: string) => void,
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
    ...(flags.maxRounds === undefined ? {} : { maxRounds: flags.maxRounds }),
  });
  await miner.open(node.params.validationWindowBytes);
  let stopped = false;
  const source = new NodeMiningSource(node, () => stopped);
  const tip = node.chainstate.tip();
  announce(
    `mining on ${node.params.name} from height ${tip.height} ` +
      `(chain work ${tip.chainWork}, d_model ${tip.header.dModel}, ` +
      `layers ${tip.header.nLayers}); data ${flags.dataPath}; reward address ${reward.text}`,
  );
  node.logger.log(
    `mining: data=${flags.dataPath} address=${reward.text} miner_key=${toHex(miner.minerKey)}`,
  );
  const loop = miner.run(source, reward.data, hooks)
    .then((summary) => {
      const line = formatMiningSummary(summary);
      node.logger.log(line);
      announce(line);
      if (summary.gaveUp) announce("the node keeps running without mining (Ctrl-C stops it)");
    })
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
