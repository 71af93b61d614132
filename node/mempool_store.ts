/**
 * The node's `mempool.dat`: loaded at startup (every transaction re-validated against the
 * current chain), written atomically at shutdown, periodically while the mempool changed, and on
 * RPC `savemempool`. A missing file is an empty mempool; an unreadable, oversized or corrupt one
 * is reported in the log and ignored (the next save replaces it), never a failed start.
 *
 * @module
 */
import { encodeTx } from "../core/primitives/tx.ts";
import {
  decodeMempoolFile,
  encodeMempoolFile,
  MAX_MEMPOOL_FILE_BYTES,
  MEMPOOL_FILE_NAME,
  restoreMempool,
  type RestoreResult,
} from "../core/mempool/mempool_file.ts";
import type { Mempool } from "../core/mempool/mempool.ts";
import type { NetworkParams } from "../core/consensus/params.ts";
import { writeFileAtomic } from "../core/util/atomic_write.ts";
import type { Logger } from "./logger.ts";

/** Default period of the background save, ms. */
export const MEMPOOL_SAVE_INTERVAL_MS = 60_000;

/** What the store works on (a Node fits). */
export interface MempoolStoreDeps {
  /** Network params (magic, max tx size). */
  readonly params: NetworkParams;
  /** The mempool. */
  readonly mempool: Mempool;
  /** Data directory. */
  readonly datadir: string;
  /** Log sink. */
  readonly logger: Logger;
}

/** `<datadir>/mempool.dat`. */
export function mempoolFilePath(datadir: string): string {
  return `${datadir}/${MEMPOOL_FILE_NAME}`;
}

/** Writes the mempool atomically; returns the number of transactions written. */
export async function saveMempool(deps: MempoolStoreDeps): Promise<number> {
  const txs = deps.mempool.entries().map((e) => encodeTx(e.tx));
  const file = encodeMempoolFile(txs, deps.params.magic, Math.floor(Date.now() / 1000));
  await writeFileAtomic(mempoolFilePath(deps.datadir), file);
  return txs.length;
}

/**
 * Loads `mempool.dat` into the mempool, re-validating each transaction. Returns what happened,
 * or undefined when there was no usable file (missing, or reported as unreadable/corrupt).
 */
export async function loadMempool(deps: MempoolStoreDeps): Promise<RestoreResult | undefined> {
  const path = mempoolFilePath(deps.datadir);
  let bytes: Uint8Array;
  try {
    const info = await Deno.stat(path);
    if (info.size > MAX_MEMPOOL_FILE_BYTES) {
      deps.logger.log(`ignoring ${path}: ${info.size} bytes exceeds ${MAX_MEMPOOL_FILE_BYTES}`);
      return undefined;
    }
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      deps.logger.log(`ignoring ${path}: ${(e as Error)?.message ?? e}`);
    }
    return undefined;
  }
  let snapshot;
  try {
    snapshot = decodeMempoolFile(bytes, deps.params.magic, deps.params.maxTxBytes);
  } catch (e) {
    deps.logger.log(`ignoring corrupt ${path}: ${(e as Error)?.message ?? e}`);
    return undefined;
  }
  const result = await restoreMempool(deps.mempool, snapshot);
  const reasons = [...new Set(result.rejected.map((r) => r.reason))].join(", ");
  deps.logger.log(
    `loaded ${result.accepted} of ${snapshot.txs.length} mempool transactions from ${path}` +
      (result.rejected.length ? ` (${result.rejected.length} refused: ${reasons})` : ""),
  );
  return result;
}

/**
 * Saves the mempool every `intervalMs` while it changed since the last save (compared by its
 * txids), and once more at {@linkcode MempoolSaver.stop}. A failed save is logged; the next one
 * retries.
 */
export class MempoolSaver {
  readonly #deps: MempoolStoreDeps;
  readonly #timer: ReturnType<typeof setInterval>;
  #lastSaved: string;
  #saving: Promise<void> = Promise.resolve();

  constructor(deps: MempoolStoreDeps, intervalMs: number = MEMPOOL_SAVE_INTERVAL_MS) {
    this.#deps = deps;
    this.#lastSaved = this.#fingerprint();
    this.#timer = setInterval(() => void this.#save(false), intervalMs);
    Deno.unrefTimer(this.#timer);
  }

  #fingerprint(): string {
    return this.#deps.mempool.entries().map((e) => e.txid.join(",")).join(";");
  }

  #save(force: boolean): Promise<void> {
    this.#saving = this.#saving.then(async () => {
      const now = this.#fingerprint();
      if (!force && now === this.#lastSaved) return;
      try {
        const n = await saveMempool(this.#deps);
        this.#lastSaved = now;
        if (force) this.#deps.logger.log(`saved ${n} mempool transactions`);
      } catch (e) {
        this.#deps.logger.log(`mempool save failed: ${(e as Error)?.message ?? e}`);
      }
    });
    return this.#saving;
  }

  /** Stops the timer and writes the mempool one last time. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#save(true);
  }
}
