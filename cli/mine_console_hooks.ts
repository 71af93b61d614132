/**
 * The hooks `rnt mine` and `rnt node --mine` give the shared mining loop: a status line while
 * training (terminal only), one stdout line per found block, and plain messages for a new tip
 * from elsewhere and for errors.
 *
 * @module
 */
import type { FoundBlock, MiningHooks } from "../node/miner/block_miner.ts";
import {
  formatFoundBlock,
  formatProgress,
  formatStall,
  foundBlockJson,
  StatusLine,
} from "./mine_progress_line.ts";

/** Where the hooks write. */
export interface MiningConsole {
  /** One line to stdout. */
  out: (line: string) => void;
  /** One line to stderr. */
  err: (line: string) => void;
  /** The status line (default: stderr when it is a terminal). */
  status?: StatusLine;
  /** Print found blocks as JSON lines instead of text. */
  json?: boolean;
  /** The training data path, for the stall advice. */
  dataPath?: string;
}

/** Hooks that print the miner's progress and blocks; `onBlock` also gets every block found. */
export function consoleMiningHooks(
  console: MiningConsole,
  onBlock?: (found: FoundBlock) => void,
): MiningHooks {
  const status = console.status ?? new StatusLine();
  return {
    onProgress: (p) => status.update(formatProgress(p)),
    onTrained: () => status.clear(),
    onBlock: (found) => {
      status.clear();
      console.out(
        console.json ? JSON.stringify(foundBlockJson(found)) : formatFoundBlock(found),
      );
      onBlock?.(found);
    },
    onNewTip: (hash) => {
      status.clear();
      console.err(`new tip ${hash} from elsewhere: restarting on it`);
    },
    onStall: (stall) => {
      status.clear();
      for (const line of formatStall(stall, console.dataPath)) console.err(line);
    },
    onError: (e) => {
      status.clear();
      console.err(`mining error: ${(e as Error)?.message ?? e}`);
    },
  };
}
