/**
 * Helpers for the `rnt wallet` tests: run `rnt wallet …` against a regtest node with the
 * passphrase from a file and a fast (test-only) KDF, and parse `--json` output.
 *
 * @module
 */
import { type RntResult, runRnt } from "./helpers.ts";
import type { NodeProcess } from "./node_process.ts";

/** A wallet file with its passphrase file, used against one node. */
export class TestWalletCli {
  readonly node: NodeProcess;
  readonly file: string;
  readonly passwordFile: string;

  constructor(node: NodeProcess, dir: string, name: string) {
    this.node = node;
    this.file = `${dir}/${name}.dat`;
    this.passwordFile = `${dir}/${name}.pass`;
  }

  /** Writes the passphrase file. */
  async setPassphrase(pass: string): Promise<void> {
    await Deno.writeTextFile(this.passwordFile, pass + "\n");
  }

  /**
   * Runs `rnt wallet ARGS --regtest --datadir D --rpcport P --wallet F --password-file F`,
   * with `input` piped to its stdin when given.
   */
  run(args: string[], input?: string): Promise<RntResult> {
    return runRnt([
      "wallet",
      ...args,
      "--regtest",
      "--datadir",
      this.node.datadir,
      "--rpcport",
      String(this.node.rpcPort),
      "--wallet",
      this.file,
      "--password-file",
      this.passwordFile,
    ], input === undefined ? {} : { input });
  }

  /** Runs with `--json`, asserts exit 0 and parses stdout. */
  async json<T = Record<string, unknown>>(args: string[]): Promise<T> {
    const r = await this.run([...args, "--json"]);
    if (r.code !== 0) {
      throw new Error(`rnt wallet ${args.join(" ")} exited ${r.code}: ${r.stderr}${r.stdout}`);
    }
    return JSON.parse(r.stdout) as T;
  }
}
