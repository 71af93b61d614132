/**
 * `rnt model info|init|train|eval|grow|generate`: the model on its own, outside the chain.
 *
 * @module
 */
import type { Checkpoint } from "../core/checkpoint/checkpoint.ts";
import { checkpointRoot } from "../core/checkpoint/chunks.ts";
import { genesisCheckpoint } from "../core/checkpoint/genesis_init.ts";
import {
  assertModelConfig,
  type ModelConfig,
  paramCount,
} from "../core/checkpoint/model_config.ts";
import { decodeCheckpoint, encodeCheckpoint } from "../core/checkpoint/rnet.ts";
import {
  type CommandContext,
  type CommandSpec,
  intFlag,
  JSON_OPTION,
  NETWORK_OPTIONS,
  networkFlag,
  numberFlag,
  type OptionSpec,
  type ParsedArgs,
  stringFlag,
} from "./command.ts";
import { ProgressReporter } from "./progress.ts";
import { fetchTipCheckpoint, TIP_OPTIONS } from "./tip_checkpoint.ts";
import { lossToMicroNats } from "../core/consensus/evaluator.ts";
import { getNetworkParams, type NetworkParams } from "../core/consensus/params.ts";
import { toHex } from "../core/crypto/keccak.ts";
import { UsageError } from "../core/errors.ts";
import { writeFileAtomic } from "../core/util/atomic_write.ts";
import { requestGpu } from "../gpu/device.ts";
import { generateBytes } from "../gpu/ref/generate.ts";
import { evaluateLossCpu } from "../gpu/ref/model.ts";
import {
  decodeOptimizerState,
  encodeOptimizerState,
  type OptimizerState,
  optimizerStatePath,
} from "../gpu/train/optimizer_state.ts";
import { train } from "../gpu/train/trainer.ts";
import { WindowSampler } from "../gpu/train/window_sampler.ts";
import { loadValidationSet, sampleTrainPath } from "../gpu/model/datasets.ts";
import { evaluateLossGpu } from "../gpu/model/evaluate.ts";
import {
  consensusLossMicroNats,
  exactLossNats,
  selectExactEvaluator,
  totalOf,
} from "../gpu/exact/mod.ts";
import { growCheckpoint } from "../gpu/model/grow.ts";

/** Seed of the genesis weights (PROTOCOL.md §3): the same on every network. */
export const GENESIS_MODEL_SEED = 1;

const IN: Record<string, OptionSpec> = {
  in: { type: "string", valueName: "FILE.rnet", description: "Checkpoint to read" },
};
const OUT: Record<string, OptionSpec> = {
  out: { type: "string", valueName: "FILE.rnet", description: "Checkpoint to write" },
};
const CONFIG: Record<string, OptionSpec> = {
  config: {
    type: "string",
    valueName: "DxL",
    description: "Model config, e.g. 128x2 (default: the network's genesis config)",
  },
};

/** Parses `128x2` (width × layers); throws UsageError otherwise. */
export function parseConfig(text: string): ModelConfig {
  const m = /^(\d+)x(\d+)$/.exec(text.trim());
  if (!m) throw new UsageError(`--config must look like 128x2 (width x layers), got '${text}'`);
  const config = { dModel: Number(m[1]), nLayers: Number(m[2]) };
  try {
    assertModelConfig(config);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return config;
}

function networkOf(args: ParsedArgs): NetworkParams {
  return getNetworkParams(networkFlag(args));
}

function configOf(args: ParsedArgs, params: NetworkParams): ModelConfig {
  const text = stringFlag(args, "config");
  return text ? parseConfig(text) : { dModel: params.genesisDModel, nLayers: params.genesisLayers };
}

/** Reads and decodes a .rnet file with a clear error. */
export async function readCheckpointFile(path: string): Promise<Checkpoint> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new Error(`cannot read checkpoint ${path}: ${(e as Error).message}`);
  }
  try {
    return decodeCheckpoint(bytes);
  } catch (e) {
    throw new Error(`${path} is not a valid .rnet checkpoint: ${(e as Error).message}`);
  }
}

async function inputCheckpoint(args: ParsedArgs, params: NetworkParams): Promise<Checkpoint> {
  const path = stringFlag(args, "in");
  if (path) return await readCheckpointFile(path);
  return genesisCheckpoint(configOf(args, params), GENESIS_MODEL_SEED);
}

function describe(checkpoint: Checkpoint, bytes: Uint8Array) {
  return {
    d_model: checkpoint.config.dModel,
    layers: checkpoint.config.nLayers,
    params: paramCount(checkpoint.config),
    bytes: bytes.length,
    checkpoint_root: toHex(checkpointRoot(bytes)),
  };
}

function printResult(ctx: CommandContext, args: ParsedArgs, result: Record<string, unknown>) {
  if (args.values.json) {
    ctx.out(JSON.stringify(result, null, 2));
    return;
  }
  const width = Math.max(...Object.keys(result).map((k) => k.length));
  for (const [k, v] of Object.entries(result)) ctx.out(`${k.padEnd(width)}  ${v}`);
}

/** The f32 loss with WebGPU, or the CPU reference (with a notice) when there is no adapter. */
async function evaluate(
  checkpoint: Checkpoint,
  bytes: Uint8Array,
  windowLen: number,
  forceCpu: boolean,
  notice: (line: string) => void,
): Promise<{ loss: number; evaluator: string }> {
  const gpu = forceCpu ? null : await requestGpu();
  if (gpu) {
    return {
      loss: await evaluateLossGpu(gpu, checkpoint, bytes, windowLen),
      evaluator: `webgpu (${gpu.adapterName})`,
    };
  }
  if (!forceCpu) notice("no WebGPU adapter: evaluating with the CPU reference (slow)");
  return { loss: evaluateLossCpu(checkpoint, bytes, windowLen), evaluator: "cpu reference" };
}

const info: CommandSpec = {
  name: "info",
  summary: "Show a checkpoint's (or a config's) size, parameters and root",
  usage: "model info [--in FILE.rnet | --config DxL] [--regtest|--testnet] [--json]",
  options: { ...NETWORK_OPTIONS, ...JSON_OPTION, ...IN, ...CONFIG },
  run: async (args, ctx) => {
    const params = networkOf(args);
    const checkpoint = await inputCheckpoint(args, params);
    printResult(ctx, args, describe(checkpoint, encodeCheckpoint(checkpoint)));
    return 0;
  },
};

const init: CommandSpec = {
  name: "init",
  summary: "Write the deterministic genesis weights of a config",
  usage: "model init --out FILE.rnet [--config DxL] [--seed N] [--regtest|--testnet] [--json]",
  options: {
    ...NETWORK_OPTIONS,
    ...JSON_OPTION,
    ...OUT,
    ...CONFIG,
    seed: { type: "string", valueName: "N", description: "Genesis seed (default 1)" },
  },
  run: async (args, ctx) => {
    const out = stringFlag(args, "out", true);
    const params = networkOf(args);
    const seed = intFlag(args, "seed", GENESIS_MODEL_SEED, 0, 0xffffffff);
    const checkpoint = genesisCheckpoint(configOf(args, params), seed);
    const bytes = encodeCheckpoint(checkpoint);
    await writeFileAtomic(out, bytes);
    printResult(ctx, args, { file: out, ...describe(checkpoint, bytes) });
    return 0;
  },
};

const trainCommand: CommandSpec = {
  name: "train",
  summary: "Train a checkpoint on any file (resumes its optimizer state when present)",
  usage:
    "model train --out FILE.rnet [--in FILE.rnet] [--data FILE] [--steps N] [--batch N] [--lr X] [--seed N]",
  details:
    "Without --in, training starts from the network's genesis weights. Without --data, it\n" +
    "trains on the bundled sample text. The optimizer state is saved as FILE.rnet.opt beside\n" +
    "the output, and read from beside --in, so a later run continues where this one stopped.",
  options: {
    ...NETWORK_OPTIONS,
    ...JSON_OPTION,
    ...IN,
    ...OUT,
    ...CONFIG,
    data: { type: "string", valueName: "FILE", description: "Training data (any bytes)" },
    steps: { type: "string", valueName: "N", description: "Training steps (default 200)" },
    batch: { type: "string", valueName: "N", description: "Windows per step (default 16)" },
    window: { type: "string", valueName: "W", description: "Window length (default network's)" },
    lr: { type: "string", valueName: "X", description: "Peak learning rate (default 3e-3)" },
    seed: { type: "string", valueName: "N", description: "Data-order seed (default 1)" },
    "fresh-optimizer": { type: "boolean", description: "Ignore a saved optimizer state" },
  },
  run: async (args, ctx) => {
    const out = stringFlag(args, "out", true);
    const params = networkOf(args);
    const steps = intFlag(args, "steps", 200, 1, 10_000_000);
    const batch = intFlag(args, "batch", 16, 1, 4096);
    const windowLen = intFlag(args, "window", params.validationWindowBytes, 2, 1 << 16);
    const lr = numberFlag(args, "lr", 3e-3, 0, 1);
    const seed = intFlag(args, "seed", 1, 0, 0xffffffff);
    const dataPath = stringFlag(args, "data") ?? sampleTrainPath();
    const checkpoint = await inputCheckpoint(args, params);
    const inPath = stringFlag(args, "in");
    let resume: OptimizerState | undefined;
    if (inPath && !args.values["fresh-optimizer"]) {
      const statePath = optimizerStatePath(inPath);
      const stateBytes = await Deno.readFile(statePath).catch(() => null);
      if (stateBytes) {
        try {
          resume = decodeOptimizerState(stateBytes, checkpoint.config);
          ctx.err(`resuming optimizer state from ${statePath} (step ${resume.step})`);
        } catch (e) {
          throw new UsageError(`${statePath}: ${(e as Error).message} (use --fresh-optimizer)`);
        }
      }
    }
    const gpu = await requestGpu();
    if (!gpu) {
      ctx.err("error: training needs WebGPU and this runtime has no adapter.");
      ctx.err("On a machine without a GPU install Mesa's Vulkan driver (mesa-vulkan-drivers) and");
      ctx.err("set DENO_WEBGPU_BACKEND=vulkan.");
      return 1;
    }
    const sampler = await WindowSampler.open(dataPath, windowLen, seed);
    const progress = new ProgressReporter("train");
    let lastLoss = NaN;
    try {
      const result = await train(gpu, checkpoint, sampler, {
        steps,
        batch,
        schedule: {
          maxLr: lr,
          minLr: lr / 10,
          warmupSteps: Math.min(100, Math.ceil(steps / 10)),
          totalSteps: steps,
        },
        onStep: (p) => {
          if (p.loss !== undefined) lastLoss = p.loss;
          progress.update({
            done: p.step,
            total: p.totalSteps,
            elapsedSecs: p.elapsedSecs,
            fields: {
              loss: Number.isFinite(lastLoss) ? lastLoss.toFixed(4) : "…",
              "tok/s": Math.round(p.tokensPerSec).toString(),
            },
          });
        },
      }, resume);
      progress.finish();
      const bytes = encodeCheckpoint(result.checkpoint);
      await writeFileAtomic(out, bytes);
      await writeFileAtomic(optimizerStatePath(out), encodeOptimizerState(result.state));
      printResult(ctx, args, {
        file: out,
        steps: result.steps,
        total_steps: result.state.step,
        train_loss: Number(result.lastLoss.toFixed(6)),
        tokens_per_sec: Math.round(result.tokensPerSec),
        ...describe(result.checkpoint, bytes),
      });
      return 0;
    } finally {
      sampler.close();
    }
  },
};

const evalCommand: CommandSpec = {
  name: "eval",
  summary: "Compute the consensus validation loss of a checkpoint",
  usage:
    "model eval [--in FILE.rnet] [--data FILE] [--regtest|--testnet] [--cpu|--wasm] [--exact-only] [--json]",
  details: "Without --data, evaluates on the network's bundled validation set. Prints the exact " +
    "consensus loss (PROTOCOL.md §3.10: consensus_loss, the integer micro-nats a header " +
    "carries, identical on every path), which exact path ran (evaluator) and its seconds; " +
    "then the f32 loss of §3.3 (f32_loss, f32_evaluator, f32_seconds), WebGPU when present. " +
    "The exact path defaults to the fastest present (WebAssembly SIMD, split across workers); " +
    "--cpu runs everything on the plain-TypeScript references (exact and f32, no WebGPU), " +
    "--wasm insists on WebAssembly SIMD for the exact loss.",
  options: {
    ...NETWORK_OPTIONS,
    ...JSON_OPTION,
    ...IN,
    ...CONFIG,
    data: { type: "string", valueName: "FILE", description: "Evaluate on this file instead" },
    window: { type: "string", valueName: "W", description: "Window length (default network's)" },
    cpu: {
      type: "boolean",
      description:
        "Use the CPU references: the exact loss in TypeScript, the f32 loss without WebGPU",
    },
    wasm: { type: "boolean", description: "Compute the exact loss with WebAssembly SIMD" },
    "exact-only": {
      type: "boolean",
      description: "Skip the f32 loss (its CPU reference is slow on big models without WebGPU)",
    },
  },
  run: async (args, ctx) => {
    const params = networkOf(args);
    const checkpoint = await inputCheckpoint(args, params);
    const windowLen = intFlag(args, "window", params.validationWindowBytes, 2, 1 << 16);
    const dataPath = stringFlag(args, "data");
    let bytes: Uint8Array;
    if (dataPath) {
      bytes = await Deno.readFile(dataPath).catch((e) => {
        throw new Error(`cannot read ${dataPath}: ${e.message}`);
      });
    } else {
      bytes = await loadValidationSet(params.name);
    }
    if (bytes.length < windowLen) {
      throw new UsageError(`evaluation data has ${bytes.length} bytes, less than one window`);
    }
    const forceCpu = Boolean(args.values.cpu);
    if (forceCpu && args.values.wasm) throw new UsageError("--cpu and --wasm exclude each other");
    const exact = selectExactEvaluator(forceCpu ? "cpu" : args.values.wasm ? "wasm" : "auto");
    const windows = Math.floor(bytes.length / windowLen);
    const tokens = windows * windowLen;
    let started = performance.now();
    const sums = await exact.evaluateWindows(checkpoint, bytes, windowLen);
    const secs = (performance.now() - started) / 1000;
    const micro = consensusLossMicroNats(sums, windowLen);
    const result: Record<string, unknown> = {
      consensus_loss: micro,
      consensus_loss_nats: exactLossNats(totalOf(sums), windows * (windowLen - 1)),
      evaluator: exact.name,
      seconds: Number(secs.toFixed(3)),
      windows,
      tokens,
      tokens_per_sec: Math.round(tokens / Math.max(secs, 1e-9)),
    };
    if (!args.values["exact-only"]) {
      started = performance.now();
      const f32 = await evaluate(checkpoint, bytes, windowLen, forceCpu, ctx.err);
      const f32Secs = (performance.now() - started) / 1000;
      Object.assign(result, {
        f32_loss: f32.loss,
        f32_loss_micro_nats: lossToMicroNats(f32.loss),
        f32_evaluator: f32.evaluator,
        f32_seconds: Number(f32Secs.toFixed(3)),
        f32_tokens_per_sec: Math.round(tokens / Math.max(f32Secs, 1e-9)),
      });
    }
    printResult(ctx, args, result);
    return 0;
  },
};

const grow: CommandSpec = {
  name: "grow",
  summary: "Grow a checkpoint to a wider/deeper config, preserving its function",
  usage: "model grow --in FILE.rnet --out FILE.rnet --config DxL [--seed N] [--json]",
  options: {
    ...NETWORK_OPTIONS,
    ...JSON_OPTION,
    ...IN,
    ...OUT,
    ...CONFIG,
    seed: { type: "string", valueName: "N", description: "Seed for new reader weights" },
  },
  run: async (args, ctx) => {
    const inPath = stringFlag(args, "in", true);
    const out = stringFlag(args, "out", true);
    const target = parseConfig(stringFlag(args, "config", true));
    const checkpoint = await readCheckpointFile(inPath);
    let grown: Checkpoint;
    try {
      grown = growCheckpoint(checkpoint, target, intFlag(args, "seed", 1, 0, 0xffffffff));
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const bytes = encodeCheckpoint(grown);
    await writeFileAtomic(out, bytes);
    printResult(ctx, args, {
      file: out,
      from: `${checkpoint.config.dModel}x${checkpoint.config.nLayers}`,
      ...describe(grown, bytes),
    });
    return 0;
  },
};

const generate: CommandSpec = {
  name: "generate",
  summary: "Generate text with the O(1)-state recurrent mode",
  usage:
    "model generate [--in FILE.rnet] [--prompt TEXT] [--length N] [--temperature X] [--top-k K] [--seed N]\n" +
    "model generate --tip [--datadir DIR] [--rpcport P] [--prompt TEXT] [--length N] [--seed N]",
  details: "--tip generates with the model of the running node's current tip (fetched by RPC,\n" +
    "checked against the tip header's checkpoint root).",
  options: {
    ...NETWORK_OPTIONS,
    ...JSON_OPTION,
    ...IN,
    ...CONFIG,
    ...TIP_OPTIONS,
    prompt: { type: "string", valueName: "TEXT", description: 'Text to continue (default "The ")' },
    length: { type: "string", valueName: "N", description: "Bytes to generate (default 200)" },
    temperature: {
      type: "string",
      valueName: "X",
      description: "Sampling temperature (default 0.8)",
    },
    "top-k": {
      type: "string",
      valueName: "K",
      description: "Sample among the K likeliest (default 40)",
    },
    seed: { type: "string", valueName: "N", description: "Sampling seed (default 1)" },
  },
  run: async (args, ctx) => {
    const params = networkOf(args);
    if (args.values.tip === true && (stringFlag(args, "in") ?? stringFlag(args, "config"))) {
      throw new UsageError("--tip takes the model from the node: drop --in and --config");
    }
    if (
      args.values.tip !== true &&
      ["datadir", "rpcport", "rpcconnect"].some((f) => stringFlag(args, f))
    ) {
      throw new UsageError("--datadir, --rpcport and --rpcconnect are for --tip");
    }
    const checkpoint = args.values.tip === true
      ? (await fetchTipCheckpoint({
        network: params.name,
        datadir: stringFlag(args, "datadir"),
        rpcport: stringFlag(args, "rpcport"),
        rpcconnect: stringFlag(args, "rpcconnect"),
      })).checkpoint
      : await inputCheckpoint(args, params);
    const prompt = new TextEncoder().encode(stringFlag(args, "prompt") ?? "The ");
    if (prompt.length === 0) throw new UsageError("--prompt must not be empty");
    const length = intFlag(args, "length", 200, 1, 1_000_000);
    const options = {
      temperature: numberFlag(args, "temperature", 0.8, 0, 100),
      topK: intFlag(args, "top-k", 40, 0, 256),
      seed: intFlag(args, "seed", 1, 0, 0xffffffff),
    };
    const started = performance.now();
    const bytes = generateBytes(checkpoint, prompt, length, options);
    const secs = (performance.now() - started) / 1000;
    const text = new TextDecoder().decode(bytes);
    if (args.values.json) {
      ctx.out(JSON.stringify(
        {
          prompt: new TextDecoder().decode(prompt),
          text,
          bytes: bytes.length,
          tokens_per_sec: Math.round((prompt.length + length) / Math.max(secs, 1e-9)),
        },
        null,
        2,
      ));
    } else {
      ctx.out(new TextDecoder().decode(prompt) + text);
    }
    return 0;
  },
};

/** The `rnt model` command tree. */
export const MODEL_COMMAND: CommandSpec = {
  name: "model",
  summary: "The ResonanceNet model: info, init, train, eval, grow, generate",
  usage: "model COMMAND [OPTIONS]",
  subcommands: [info, init, trainCommand, evalCommand, grow, generate],
};
