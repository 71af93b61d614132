/**
 * `--evaluator auto|cpu|wasm|webgpu` of `rnt node` and `rnt mine`: which exact consensus
 * evaluator (PROTOCOL §3.10) checks blocks. Every path gives the same integers; "auto" picks the
 * fastest present (a hardware WebGPU adapter, else WebAssembly SIMD, else the TypeScript
 * reference).
 *
 * @module
 */
import { UsageError } from "../core/errors.ts";
import type { ExactPath } from "../gpu/exact/evaluator.ts";
import { type OptionSpec, type ParsedArgs, stringFlag } from "./command.ts";

const PATHS: readonly ExactPath[] = ["auto", "cpu", "wasm", "webgpu"];

/** The option as the commands declare it. */
export const EVALUATOR_OPTION: Record<string, OptionSpec> = {
  evaluator: {
    type: "string",
    valueName: "PATH",
    description: "Exact evaluator: auto (default), cpu, wasm or webgpu — same integers on each",
  },
};

/**
 * The path the flags ask for ("auto" when absent); UsageError for another value.
 *
 * @example
 * ```ts
 * import { evaluatorFlag } from "./evaluator_flag.ts";
 * console.log(evaluatorFlag({ values: { evaluator: "wasm" }, positionals: [] })); // "wasm"
 * ```
 */
export function evaluatorFlag(args: ParsedArgs): ExactPath {
  const v = stringFlag(args, "evaluator");
  if (v === undefined) return "auto";
  if (!(PATHS as readonly string[]).includes(v)) {
    throw new UsageError(`--evaluator must be one of ${PATHS.join(", ")}, got '${v}'`);
  }
  return v as ExactPath;
}
