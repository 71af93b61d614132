/**
 * Headers-first sync, parallel checkpoint-chunk download, block/tx relay and serving the
 * chainstate to peers.
 *
 * @module
 */
export { BlockSync, type BlockSyncOptions, type SyncStats } from "./block_sync.ts";
export { CheckpointServer } from "./checkpoint_server.ts";
export {
  type CorpusChunks,
  CorpusSync,
  type CorpusSyncOptions,
  type ServedChunk,
} from "./corpus_sync.ts";
export { buildLocator, headersAfter } from "./locator.ts";
export type { SyncNode } from "./sync_node.ts";
