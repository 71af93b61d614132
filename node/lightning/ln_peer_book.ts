/**
 * The Lightning peers this node connected to with `ln connect` (node id → host and port), in
 * `<datadir>/lightning/peers.json`, so that after a restart the node reconnects to the peers of
 * its channels and reestablishes them.
 *
 * @module
 */
import { writeFileAtomic } from "../../core/util/atomic_write.ts";
import { readJsonEntries } from "./json_file.ts";

/** One remembered peer. */
export interface LnPeerAddress {
  readonly host: string;
  readonly port: number;
}

/** node id (hex) → address, saved atomically on every change. */
export class LnPeerBook {
  readonly path: string;
  readonly #peers = new Map<string, LnPeerAddress>();

  private constructor(path: string) {
    this.path = path;
  }

  /** Loads the book (empty when the file does not exist; a damaged file is an Error). */
  static async load(path: string): Promise<LnPeerBook> {
    const book = new LnPeerBook(path);
    const entries = await readJsonEntries(path);
    if (!entries) return book;
    for (const [id, a] of entries as [string, { host?: unknown; port?: unknown }][]) {
      if (!/^[0-9a-f]{64}$/.test(id) || typeof a.host !== "string" || typeof a.port !== "number") {
        throw new Error(`${path}: bad entry ${id}`);
      }
      book.#peers.set(id, { host: a.host, port: a.port });
    }
    return book;
  }

  /** The address of `nodeId`, if known. */
  get(nodeId: string): LnPeerAddress | undefined {
    return this.#peers.get(nodeId);
  }

  /** Remembers (or updates) `nodeId`'s address and saves. */
  async set(nodeId: string, address: LnPeerAddress): Promise<void> {
    this.#peers.set(nodeId, address);
    const dir = this.path.slice(0, this.path.lastIndexOf("/"));
    await Deno.mkdir(dir, { recursive: true });
    await writeFileAtomic(
      this.path,
      new TextEncoder().encode(JSON.stringify(Object.fromEntries(this.#peers))),
    );
  }
}
