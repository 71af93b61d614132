/**
 * `--corpus bundled|fetch|FILE` of `rnt node`: where the evaluation corpus comes from (PROTOCOL
 * §4). `bundled` (the default where the network bundles it: regtest, testnet) uses the copy
 * shipped in core/data; `fetch` (the default elsewhere) starts without it and fetches its chunks
 * from peers into `<datadir>/corpus/`, resuming after a restart; `FILE` uses a local copy. Each
 * is verified against the root pinned in the network's params.
 *
 * @module
 */
import type { NetworkParams } from "../core/consensus/params.ts";
import { UsageError } from "../core/errors.ts";
import type { CorpusSource } from "../node/corpus/open_corpus.ts";
import { type OptionSpec, type ParsedArgs, stringFlag } from "./command.ts";

/** The option as `rnt node` declares it. */
export const CORPUS_OPTION: Record<string, OptionSpec> = {
  corpus: {
    type: "string",
    valueName: "SRC",
    description: "Evaluation corpus: bundled (regtest/testnet default), fetch (from peers) or " +
      "FILE; checked against the network's pinned root",
  },
};

/**
 * The corpus source the flags ask for; UsageError for `bundled` where the network bundles none.
 *
 * @example
 * ```ts
 * import { REGTEST } from "../core/consensus/params.ts";
 * import { corpusFlag } from "./corpus_flag.ts";
 * console.log(corpusFlag({ values: { corpus: "fetch" }, positionals: [] }, REGTEST)); // { kind: "fetch" }
 * ```
 */
export function corpusFlag(args: ParsedArgs, params: NetworkParams): CorpusSource {
  const v = stringFlag(args, "corpus");
  const bundled = params.evalCorpus?.bundled === true;
  if (v === undefined) return bundled ? { kind: "bundled" } : { kind: "fetch" };
  if (v === "fetch") return { kind: "fetch" };
  if (v === "bundled") {
    if (!bundled) throw new UsageError(`--corpus bundled: ${params.name} bundles no corpus`);
    return { kind: "bundled" };
  }
  if (v === "") throw new UsageError("--corpus needs bundled, fetch or a file name");
  return { kind: "file", path: v };
}
