/**
 * The node's channel persistence until the LevelDB channel store lands (branch ln-watch,
 * `channel_store.ts`): one JSON file per channel under `<datadir>/lightning/channels/`, each
 * replaced atomically and fsynced (`writeFileAtomic`) before the service sends any message that
 * depends on it (PROTOCOL §9.8, persistence rule). Anything implementing {@link ChannelPersistence}
 * can take its place.
 *
 * @module
 */
import { toHex } from "../../core/crypto/keccak.ts";
import { syncDirectory, writeFileAtomic } from "../../core/util/atomic_write.ts";
import {
  type ChannelRecord,
  decodeChannelRecord,
  encodeChannelRecord,
} from "./channel_file_record.ts";

/** Where the Lightning service keeps its channels. */
export interface ChannelPersistence {
  /** Stores `record` durably; resolves only once it survives a crash. */
  save(record: ChannelRecord): Promise<void>;
  /** Every stored channel, with the files that could not be read (name and reason). */
  loadAll(): Promise<{ records: ChannelRecord[]; unreadable: string[] }>;
}

/** One atomically replaced, fsynced JSON file per channel (mode 0600: the files hold secrets). */
export class ChannelFiles implements ChannelPersistence {
  readonly dir: string;
  #dirReady = false;

  /** @param dir The directory (created on the first save). */
  constructor(dir: string) {
    this.dir = dir;
  }

  async save(record: ChannelRecord): Promise<void> {
    if (!this.#dirReady) {
      await Deno.mkdir(this.dir, { recursive: true, mode: 0o700 });
      // The folder's own entry (and its parent's, `lightning/` on a first channel) must be as
      // durable as the file written into it.
      const parent = this.dir.replace(/\/[^/]*\/?$/, "") || ".";
      await syncDirectory(parent);
      await syncDirectory(parent.replace(/\/[^/]*\/?$/, "") || ".");
      this.#dirReady = true;
    }
    const path = `${this.dir}/${toHex(record.channelId)}.json`;
    // Created 0600 (the file holds the channel's secrets), written, fsynced, renamed, the folder
    // fsynced: only then does the caller send what depends on it.
    await writeFileAtomic(path, new TextEncoder().encode(encodeChannelRecord(record)), {
      mode: 0o600,
    });
  }

  async loadAll(): Promise<{ records: ChannelRecord[]; unreadable: string[] }> {
    const records: ChannelRecord[] = [];
    const unreadable: string[] = [];
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(this.dir));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return { records, unreadable };
      throw e;
    }
    for (const e of entries.filter((e) => e.isFile && /^[0-9a-f]{64}\.json$/.test(e.name))) {
      try {
        records.push(decodeChannelRecord(await Deno.readTextFile(`${this.dir}/${e.name}`)));
      } catch (err) {
        unreadable.push(`${e.name}: ${(err as Error).message}`);
      }
    }
    return { records, unreadable };
  }
}
