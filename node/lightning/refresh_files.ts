/**
 * The node's funding refreshes in progress (PROTOCOL §9.7 "Heartbeat of a channel"): one JSON
 * file per channel under `<datadir>/lightning/refresh/`, replaced atomically and fsynced
 * (`writeFileAtomic`) before any refresh message that depends on it is sent, removed once the
 * refresh has confirmed and the channel record carries the new funding outpoint. Kept apart
 * from the channel record: a refresh is short-lived, and the record's format stays as it is.
 *
 * @module
 */
import { fromHex, toHex } from "../../core/crypto/keccak.ts";
import { writeFileAtomic } from "../../core/util/atomic_write.ts";
import type { OutPoint } from "../../core/primitives/tx.ts";

/** One refresh in progress, as this side knows it. */
export interface PendingRefresh {
  readonly channelId: Uint8Array;
  /** The funding outpoint being refreshed (the channel record's when the refresh started). */
  readonly fundingOutpoint: OutPoint;
  readonly feeResonances: bigint;
  /** The peer's signature on our commitment rebuilt on the new outpoint. */
  readonly theirCommit?: Uint8Array;
  /** The peer's signature on the refresh transaction. */
  readonly theirRefresh?: Uint8Array;
  /**
   * Whether we gave the peer our signature on the refresh transaction (the funder in
   * `refresh_complete`, the fundee in `refresh_accept`): from then on the refresh may confirm at
   * any time, so the channel stays frozen until it does (or the channel is force closed).
   */
  readonly signed: boolean;
}

/** Version of the stored JSON document. */
const VERSION = 1;

/** The JSON text of `p`. */
export function encodePendingRefresh(p: PendingRefresh): string {
  return JSON.stringify({
    version: VERSION,
    channel_id: toHex(p.channelId),
    funding_txid: toHex(p.fundingOutpoint.txid),
    funding_vout: p.fundingOutpoint.vout,
    fee_resonances: p.feeResonances.toString(),
    their_commit: p.theirCommit === undefined ? undefined : toHex(p.theirCommit),
    their_refresh: p.theirRefresh === undefined ? undefined : toHex(p.theirRefresh),
    signed: p.signed,
  });
}

/** Reads a stored refresh; Error naming the bad field on anything malformed. */
export function decodePendingRefresh(text: string): PendingRefresh {
  const j = JSON.parse(text) as Record<string, unknown>;
  if (j.version !== VERSION) throw new Error(`unknown refresh record version ${j.version}`);
  const hex = (name: string, bytes: number): Uint8Array => {
    const v = j[name];
    if (typeof v !== "string" || v.length !== bytes * 2 || !/^[0-9a-f]*$/.test(v)) {
      throw new Error(`refresh record field ${name} is not ${bytes} bytes of hex`);
    }
    return fromHex(v);
  };
  const vout = j.funding_vout;
  if (typeof vout !== "number" || !Number.isInteger(vout) || vout < 0 || vout > 0xffff_ffff) {
    throw new Error(`refresh record field funding_vout is not a u32: ${vout}`);
  }
  if (typeof j.fee_resonances !== "string" || !/^[0-9]{1,20}$/.test(j.fee_resonances)) {
    throw new Error(`refresh record field fee_resonances is not a number: ${j.fee_resonances}`);
  }
  if (typeof j.signed !== "boolean") throw new Error("refresh record field signed is missing");
  return {
    channelId: hex("channel_id", 32),
    fundingOutpoint: { txid: hex("funding_txid", 32), vout },
    feeResonances: BigInt(j.fee_resonances),
    ...(j.their_commit === undefined ? {} : { theirCommit: hex("their_commit", 64) }),
    ...(j.their_refresh === undefined ? {} : { theirRefresh: hex("their_refresh", 64) }),
    signed: j.signed,
  };
}

/** One atomically replaced, fsynced JSON file per refresh in progress. */
export class RefreshFiles {
  readonly dir: string;

  /** @param dir The directory (created on the first save). */
  constructor(dir: string) {
    this.dir = dir;
  }

  #path(channelId: Uint8Array): string {
    return `${this.dir}/${toHex(channelId)}.json`;
  }

  /** Stores `p` durably; resolves once it survives a crash. */
  async save(p: PendingRefresh): Promise<void> {
    await Deno.mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(
      this.#path(p.channelId),
      new TextEncoder().encode(encodePendingRefresh(p)),
    );
  }

  /** Forgets the refresh of `channelId` (nothing when none is stored). */
  async remove(channelId: Uint8Array): Promise<void> {
    await Deno.remove(this.#path(channelId)).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
  }

  /** Every stored refresh, with the files that could not be read (name and reason). */
  async loadAll(): Promise<{ refreshes: PendingRefresh[]; unreadable: string[] }> {
    const refreshes: PendingRefresh[] = [];
    const unreadable: string[] = [];
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(this.dir));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return { refreshes, unreadable };
      throw e;
    }
    for (const e of entries.filter((e) => e.isFile && /^[0-9a-f]{64}\.json$/.test(e.name))) {
      try {
        refreshes.push(decodePendingRefresh(await Deno.readTextFile(`${this.dir}/${e.name}`)));
      } catch (err) {
        unreadable.push(`${e.name}: ${(err as Error).message}`);
      }
    }
    return { refreshes, unreadable };
  }
}
