/**
 * The forward module of earlier revisions against today's, call by call: mainnet genesis (384, 6)
 * quantised once (today's `quantizeCheckpoint`), one `WasmForward` per revision, then `rounds`
 * rounds in which every revision runs one 512-byte window (W = 512, 512 rows, one thread) of the
 * mainnet set in turn; the sums must agree. Prints the minimum and median milliseconds per call
 * after two warm-up rounds. On a shared machine the minimum of many interleaved short calls is far
 * steadier than whole-evaluation medians (their spread is ±15 % here), so this is the bench that
 * resolves kernel changes of a few per cent. Run:
 * `deno run -A bench/exact_wasm_calls_ab.ts [rounds=40] rev...` (`now` = this tree).
 *
 * Each revision's `gpu/exact/wasm_forward.ts` and `forward_wasm_bytes.ts` are copied (`git show`)
 * into `bench/out/wasm_calls_ab/<rev>/` with their other imports pointed back at this tree.
 *
 * @module
 */
import { genesisCheckpoint } from "../core/checkpoint/genesis_init.ts";
import { quantizeCheckpoint, type QuantizedModel } from "../gpu/exact/quantize.ts";
import { WasmForward } from "../gpu/exact/wasm_forward.ts";

interface Forward {
  run(tokens: Uint8Array, windows: number, time: number): number[];
}
type ForwardClass = new (qm: QuantizedModel, maxRows: number) => Forward;

const rounds = Number(Deno.args[0] ?? 40), revs = Deno.args.slice(1);
if (!(rounds >= 3) || revs.length === 0) {
  throw new RangeError("usage: exact_wasm_calls_ab.ts rounds rev... (rounds >= 3)");
}
const W = 512;

/** The revision's `WasmForward`, loaded from a copy of its driver and module. */
async function forwardAt(rev: string): Promise<ForwardClass> {
  if (rev === "now") return WasmForward;
  const dir = new URL(`./out/wasm_calls_ab/${rev}/`, import.meta.url);
  await Deno.mkdir(dir, { recursive: true });
  const show = async (path: string) => {
    const out = await new Deno.Command("git", { args: ["show", `${rev}:${path}`], stdout: "piped" })
      .output();
    if (!out.success) throw new Error(`Cannot read ${path} at ${rev}`);
    return new TextDecoder().decode(out.stdout);
  };
  const driver = (await show("gpu/exact/wasm_forward.ts"))
    .replaceAll('"../../core/', '"../../../../core/')
    .replace(/"\.\/(forward|primitives|quantize)\.ts"/g, '"../../../../gpu/exact/$1.ts"');
  await Deno.writeTextFile(new URL("wasm_forward.ts", dir), driver);
  await Deno.writeTextFile(
    new URL("forward_wasm_bytes.ts", dir),
    await show("gpu/exact/forward_wasm_bytes.ts"),
  );
  return (await import(new URL("wasm_forward.ts", dir).href)).WasmForward;
}

const all = await Deno.readFile(new URL("../core/data/validation-mainnet.txt", import.meta.url));
const qm = quantizeCheckpoint(genesisCheckpoint({ dModel: 384, nLayers: 6 }, 1));
const forwards: Forward[] = [];
for (const rev of revs) forwards.push(new (await forwardAt(rev))(qm, W));
const ms: number[][] = revs.map(() => []);
const windows = Math.floor(all.length / W);
for (let round = 0; round < rounds; round++) {
  const tokens = all.subarray((round % windows) * W, (round % windows + 1) * W);
  let first: string | undefined;
  for (let v = 0; v < forwards.length; v++) {
    const t0 = performance.now();
    const sums = JSON.stringify(forwards[v]!.run(tokens, 1, W));
    if (round >= 2) ms[v]!.push(performance.now() - t0);
    if (first === undefined) first = sums;
    else if (sums !== first) throw new Error(`${revs[v]} gives other sums`);
  }
}
const median = (v: number[]) => v.slice().sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
console.log(`mainnet genesis (384, 6), ${W} rows per call, ${rounds - 2} calls each, interleaved`);
for (let v = 0; v < revs.length; v++) {
  console.log(
    `${revs[v]!.padEnd(12)} min ${Math.min(...ms[v]!).toFixed(1).padStart(7)} ms  median ${
      median(ms[v]!).toFixed(1).padStart(7)
    } ms`,
  );
}
