/**
 * The {@linkcode MiningSource} of a node reached over JSON-RPC (`rnt mine`): jobs from
 * `getminingtemplate`, the parent checkpoint fetched chunk by chunk with `getcheckpointchunk`
 * (each chunk checked against the parent header's checkpoint root with its Merkle proof, and
 * the last one cached), evaluation with the miner's own evaluator, blocks sent as
 * `uploadcheckpointchunk` calls then `submitblock`. The tip is polled in the background so
 * training stops within a step when a block arrives from elsewhere. When the node goes away
 * (restart), calls wait and retry, re-reading the cookie, until it answers again.
 *
 * @module
 */
import {
  chunkCount,
  chunkHashes,
  merkleProof,
  splitChunks,
  verifyChunk,
} from "../../core/checkpoint/chunks.ts";
import type { Evaluator } from "../../core/consensus/evaluator.ts";
import type { NetworkParams } from "../../core/consensus/params.ts";
import { fromHex, toHex } from "../../core/crypto/keccak.ts";
import { RpcError } from "../../core/errors.ts";
import { type Block, encodeBlock } from "../../core/primitives/block.ts";
import { type RpcClient, RpcTransportError } from "../../rpc/client.ts";
import { RpcCode } from "../../rpc/error_codes.ts";
import type { MiningJob, MiningSource, SubmitOutcome } from "./mining_source.ts";
import { parseMiningTemplate } from "./mining_template.ts";

/** Options of {@linkcode RpcMiningSource}. */
export interface RpcMiningSourceOptions {
  readonly params: NetworkParams;
  /** The network's evaluation corpus. */
  readonly corpus: Uint8Array;
  /** The miner's own exact evaluator. */
  readonly evaluator: Evaluator;
  /** Makes a client (called again after a lost connection, so a new cookie is read). */
  readonly connect: () => Promise<RpcClient>;
  /** Status messages (lost / regained connection). */
  readonly log?: (line: string) => void;
  /** Whether to stop. */
  readonly shouldStop?: () => boolean;
  /** Tip poll and reconnect interval, ms (default 1000). */
  readonly pollMs?: number;
}

/** Thrown out of a call when a stop was requested while waiting for the node. */
export class MiningStoppedError extends Error {
  constructor() {
    super("Mining stopped");
    this.name = "MiningStoppedError";
  }
}

/** Mining work from a node over JSON-RPC. */
export class RpcMiningSource implements MiningSource {
  readonly params: NetworkParams;
  readonly corpus: Uint8Array;
  readonly evaluator: Evaluator;
  readonly #o: RpcMiningSourceOptions;
  readonly #pollMs: number;
  #client: RpcClient | undefined;
  #tip = "";
  #clockOffsetSecs = 0;
  #cached: { hash: string; bytes: Uint8Array } | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #everConnected = false;
  #polling = false;
  #disconnected = false;

  constructor(options: RpcMiningSourceOptions) {
    this.params = options.params;
    this.corpus = options.corpus;
    this.evaluator = options.evaluator;
    this.#o = options;
    this.#pollMs = options.pollMs ?? 1000;
  }

  /** Starts polling the tip in the background. */
  start(): void {
    this.#timer ??= setInterval(() => {
      if (this.#polling || this.#disconnected) return;
      this.#polling = true;
      this.#clientNow()
        .then((c) => c.call("getbestblockhash"))
        .then((hash) => {
          if (typeof hash === "string") this.#tip = hash;
        })
        .catch(() => {})
        .finally(() => this.#polling = false);
    }, this.#pollMs);
  }

  /** Stops the background poll. */
  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #clientNow(): Promise<RpcClient> {
    this.#client ??= await this.#o.connect();
    return this.#client;
  }

  /** Calls `method`, waiting through lost connections until the node answers or a stop. */
  async call(method: string, params: unknown[] = []): Promise<unknown> {
    for (;;) {
      if (this.stopRequested()) throw new MiningStoppedError();
      try {
        const result = await (await this.#clientNow()).call(method, params);
        this.#everConnected = true;
        if (this.#disconnected) {
          this.#disconnected = false;
          this.#o.log?.("connection to the node is back");
        }
        return result;
      } catch (e) {
        if (!(e instanceof RpcTransportError) || e.kind === "bad-response") throw e;
        if (e.kind === "http" && e.status !== 503) throw e;
        // Wrong credentials fail at once; after a restart the node has a new cookie.
        if (e.kind === "unauthorized" && !this.#everConnected) throw e;
        if (!this.#disconnected) {
          this.#disconnected = true;
          this.#o.log?.(`lost the node (${e.message}); retrying every ${this.#pollMs} ms`);
        }
        this.#client = undefined;
        await new Promise((r) => setTimeout(r, this.#pollMs));
      }
    }
  }

  async job(): Promise<MiningJob> {
    const template = await this.call("getminingtemplate");
    const parsed = parseMiningTemplate(this.params, template);
    const hash = toHex(parsed.parent.hash);
    this.#tip = hash;
    this.#clockOffsetSecs = parsed.curtime - Math.floor(Date.now() / 1000);
    const parentCheckpoint = await this.fetchCheckpoint(
      hash,
      parsed.parent.header.checkpointSize,
      parsed.parent.header.checkpointRoot,
    );
    return {
      parent: parsed.parent,
      parentCheckpoint,
      txs: parsed.txs,
      feesResonances: parsed.feesResonances,
    };
  }

  /**
   * Downloads the checkpoint of block `hash` chunk by chunk, verifying each against `root`
   * (throws Error on a chunk that does not match). Keeps the last one.
   */
  async fetchCheckpoint(hash: string, size: number, root: Uint8Array): Promise<Uint8Array> {
    if (this.#cached?.hash === hash) return this.#cached.bytes;
    const bytes = new Uint8Array(size);
    const count = chunkCount(size);
    let offset = 0;
    for (let i = 0; i < count; i++) {
      const r = await this.call("getcheckpointchunk", [hash, i]) as {
        hex: string;
        proof: string[];
        size: number;
      };
      const chunk = fromHex(r.hex);
      if (r.size !== size || !verifyChunk(chunk, i, size, r.proof.map(fromHex), root)) {
        throw new Error(`Checkpoint chunk ${i} of block ${hash} does not match its root`);
      }
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    this.#cached = { hash, bytes };
    return bytes;
  }

  tipHash(): string {
    return this.#tip;
  }

  async refreshTip(): Promise<void> {
    const hash = await this.call("getbestblockhash");
    if (typeof hash === "string") this.#tip = hash;
  }

  nowSecs(): number {
    return Math.floor(Date.now() / 1000) + this.#clockOffsetSecs;
  }

  async submit(block: Block, checkpointBytes: Uint8Array): Promise<SubmitOutcome> {
    const root = toHex(block.header.checkpointRoot);
    const hashes = chunkHashes(checkpointBytes);
    const chunks = splitChunks(checkpointBytes);
    for (let i = 0; i < chunks.length; i++) {
      await this.call("uploadcheckpointchunk", [
        root,
        checkpointBytes.length,
        i,
        toHex(chunks[i]!),
        merkleProof(hashes, i).map(toHex),
      ]);
    }
    try {
      const result = await this.call("submitblock", [toHex(encodeBlock(block))]);
      if (result === null) return { status: "connected" };
      if (result === "duplicate") return { status: "duplicate" };
      if (result === "inconclusive") return { status: "side-branch" };
      return { status: "rejected", reason: String(result) };
    } catch (e) {
      if (
        e instanceof RpcError &&
        (e.rpcCode === RpcCode.VERIFY_REJECTED || e.rpcCode === RpcCode.VERIFY_ERROR)
      ) {
        return { status: "rejected", reason: e.message };
      }
      throw e;
    }
  }

  stopRequested(): boolean {
    return this.#o.shouldStop?.() ?? false;
  }
}
