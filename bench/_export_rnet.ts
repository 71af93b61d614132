/**
 * Exports the gradient of the mean next-byte loss of a checkpoint, in the `.rnet` layout (a
 * gradient has the checkpoint's shapes), for `bench/torch_ref.py grad` to compare with
 * PyTorch's autograd. The batch is the first `--windows` windows of `--window` bytes of the
 * network's bundled validation set; `--device cpu` uses the CPU reference
 * (`lossAndGradients`), `--device gpu` the WebGPU model's backward pass. Prints the loss as JSON.
 *
 * Run: deno run --allow-read --allow-write --allow-env --allow-ffi bench/_export_rnet.ts \
 *        --in FILE.rnet --out GRAD.rnet --network regtest --windows 4 [--window W] [--device cpu]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { allocateCheckpoint } from "../core/checkpoint/checkpoint.ts";
import { decodeCheckpoint, encodeCheckpoint } from "../core/checkpoint/rnet.ts";
import { CommandBatch, requestGpu } from "../gpu/device.ts";
import { type DatasetNetwork, loadValidationSet } from "../gpu/model/datasets.ts";
import { GpuModel } from "../gpu/model/gpu_model.ts";
import { lossAndGradients } from "../gpu/ref/model.ts";

const WINDOWS: Record<DatasetNetwork, number> = { regtest: 64, testnet: 256, mainnet: 512 };

const { values } = parseArgs({
  args: Deno.args,
  options: {
    in: { type: "string" },
    out: { type: "string" },
    network: { type: "string", default: "regtest" },
    windows: { type: "string", default: "4" },
    window: { type: "string" },
    device: { type: "string", default: "cpu" },
  },
});
if (!values.in || !values.out) throw new Error("--in and --out are required");
const network = values.network as DatasetNetwork;
if (!(network in WINDOWS)) throw new Error(`unknown network ${network}`);
const count = Number(values.windows);
const windowLen = values.window ? Number(values.window) : WINDOWS[network];
const checkpoint = decodeCheckpoint(await Deno.readFile(values.in));
const text = await loadValidationSet(network);
if (count * windowLen > text.length) throw new Error("not enough validation text");
const tokens = Uint32Array.from(text.subarray(0, count * windowLen));

let loss: number;
let grads: Map<string, Float32Array>;
if (values.device === "gpu") {
  const gpu = await requestGpu();
  if (!gpu) throw new Error("no WebGPU adapter");
  const model = GpuModel.create(gpu, checkpoint, count, windowLen);
  model.setBatch(tokens);
  const b = new CommandBatch(gpu);
  model.recordForward(b);
  model.recordBackward(b);
  b.submit();
  loss = await model.readMeanLoss();
  grads = await model.readGradients();
  model.destroy();
} else {
  ({ loss, grads } = lossAndGradients(checkpoint, tokens, count, windowLen));
}
const { checkpoint: out } = allocateCheckpoint(checkpoint.config);
for (const [name, g] of grads) out.tensors.get(name)!.set(g);
await Deno.writeFile(values.out, encodeCheckpoint(out));
console.log(JSON.stringify({ loss, device: values.device, windows: count, window: windowLen }));
