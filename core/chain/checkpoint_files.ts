/**
 * Checkpoint storage: one file per block, `<datadir>/checkpoints/<hex block hash>.rnet`, written
 * atomically (temp file, fsync, rename, directory fsync), so a crash leaves either no file or a
 * whole one; {@linkcode CheckpointFiles.sweep} clears what a crash leaves behind. Only a
 * {@linkcode VerifiedCheckpoint} (bytes already checked against the header's size and root) is
 * written: the files hold verified bytes and writing hashes nothing.
 *
 * @module
 */
import { fromHex, toHex } from "../crypto/keccak.ts";
import type { VerifiedCheckpoint } from "../consensus/verified_checkpoint.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";

/** The checkpoint files of one data directory. */
export class CheckpointFiles {
  /** The folder holding the files. */
  readonly dir: string;

  /** @param datadir the node's data directory (files go in its `checkpoints/` folder) */
  constructor(datadir: string) {
    this.dir = `${datadir}/checkpoints`;
  }

  /** Creates the folder if missing. */
  async init(): Promise<void> {
    await Deno.mkdir(this.dir, { recursive: true });
  }

  /** The file path of block `hash`'s checkpoint. */
  pathOf(hash: Uint8Array): string {
    return `${this.dir}/${toHex(hash)}.rnet`;
  }

  /** Writes the verified checkpoint of block `hash` atomically. */
  async put(hash: Uint8Array, checkpoint: VerifiedCheckpoint): Promise<void> {
    await writeFileAtomic(this.pathOf(hash), checkpoint.bytes);
  }

  /** The stored bytes, or undefined when absent. */
  async get(hash: Uint8Array): Promise<Uint8Array | undefined> {
    try {
      return await Deno.readFile(this.pathOf(hash));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return undefined;
      throw e;
    }
  }

  /**
   * Deletes what a crash can leave behind in the folder: temp files of interrupted writes
   * (`*.tmp-*`) and checkpoint files that `keep(hash)` disowns (written just before a crash,
   * ahead of the index record that would have claimed them). Other names are left alone.
   * Call it only while nothing is being written. Returns the names removed.
   */
  async sweep(keep: (hash: Uint8Array) => boolean): Promise<string[]> {
    const removed: string[] = [];
    for await (const e of Deno.readDir(this.dir)) {
      if (!e.isFile) continue;
      const m = /^([0-9a-f]{64})\.rnet(\.tmp-[0-9a-f-]+)?$/.exec(e.name);
      if (!m || (!m[2] && keep(fromHex(m[1]!)))) continue;
      await Deno.remove(`${this.dir}/${e.name}`).catch((err) => {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      });
      removed.push(e.name);
    }
    return removed.sort();
  }

  /** Deletes the file if present. */
  async remove(hash: Uint8Array): Promise<void> {
    try {
      await Deno.remove(this.pathOf(hash));
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
}
