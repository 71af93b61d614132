/**
 * The channel graph on disk: `<datadir>/lightning/graph.dat`, the encoding of
 * `core/lightning/graph_codec.ts` (PROTOCOL §9.9 "Graph file"), replaced atomically
 * (`writeFileAtomic`) like the other files of the node's Lightning state, so a restart need not
 * learn the network again. Only announced channels are written: the node's own private channels
 * come from its channel store.
 *
 * @module
 */
import { writeFileAtomic } from "../../core/util/atomic_write.ts";
import { ChannelGraph, nodeKey } from "../../core/lightning/graph.ts";
import { decodeChannelGraph, encodeChannelGraph } from "../../core/lightning/graph_codec.ts";

/** Reads and writes one graph file. */
export class GraphStore {
  readonly path: string;

  /** @param path The file (its directory is created on the first save). */
  constructor(path: string) {
    this.path = path;
  }

  /**
   * The stored graph: empty when there is no file yet; a file that does not decode is an Error
   * naming it (the caller decides whether to start afresh).
   */
  async load(graph = new ChannelGraph()): Promise<ChannelGraph> {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(this.path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return graph;
      throw e;
    }
    try {
      return decodeChannelGraph(bytes, graph);
    } catch (e) {
      throw new Error(`${this.path}: ${(e as Error).message}`);
    }
  }

  /** Writes the announced channels and the node announcements of `graph` atomically. */
  async save(graph: ChannelGraph): Promise<void> {
    const publicOnly = new ChannelGraph();
    for (const c of graph.channels()) if (c.announcement) publicOnly.restoreChannel(c);
    for (const n of graph.nodeAnnouncements()) {
      // A node left with only private channels keeps its announcement in memory, not on disk.
      if (publicOnly.channelsOf(nodeKey(n.nodeId)).size > 0) publicOnly.restoreNodeAnnouncement(n);
    }
    const dir = this.path.slice(0, this.path.lastIndexOf("/"));
    if (dir) await Deno.mkdir(dir, { recursive: true });
    await writeFileAtomic(this.path, encodeChannelGraph(publicOnly));
  }
}
