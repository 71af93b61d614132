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
import { writeFileAtomic } from "../../core/util/atomic_write.ts";
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

  /** @param dir The directory (created on the first save). */
  constructor(dir: string) {
    this.dir = dir;
  }

  async save(record: ChannelRecord): Promise<void> {
    await Deno.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const path = `${this.dir}/${toHex(record.channelId)}.json`;
    await writeFileAtomic(path, new TextEncoder().encode(encodeChannelRecord(record)));
    await Deno.chmod(path, 0o600).catch(() => {});
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
