/**
 * Progress reporting for long work (training, sync, key stretching): a redrawn bar on a
 * terminal, plain periodic lines otherwise (logs, CI, pipes).
 *
 * @module
 */

/** One progress update. */
export interface ProgressState {
  /** Units done so far. */
  done: number;
  /** Units in all (0 when unknown). */
  total: number;
  /** Seconds since the work began. */
  elapsedSecs: number;
  /** Extra fields shown after the bar, e.g. `{ loss: "2.31", "tok/s": "5120" }`. */
  fields?: Record<string, string>;
}

/** Formats seconds as `1h02m`, `3m05s` or `42s`. */
export function formatDuration(secs: number): string {
  if (!Number.isFinite(secs) || secs < 0) return "?";
  const s = Math.round(secs);
  if (s >= 3600) {
    return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  }
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}

/** Formats a long age in words: `1461 days`, `36 hours`, `1 hour` (for coin lifetimes). */
export function formatAge(secs: number): string {
  const days = secs / 86_400;
  if (days >= 2) return `${Math.floor(days)} days`;
  const h = Math.round(secs / 3600);
  return `${h} hour${h === 1 ? "" : "s"}`;
}

/** Formats one progress line: `[#####.....] 50/100 50% loss 2.31 ETA 12s`. */
export function formatProgressLine(state: ProgressState, width = 24): string {
  const parts: string[] = [];
  if (state.total > 0) {
    const frac = Math.min(1, Math.max(0, state.done / state.total));
    const filled = Math.round(frac * width);
    parts.push(`[${"#".repeat(filled)}${".".repeat(width - filled)}]`);
    parts.push(`${state.done}/${state.total}`, `${Math.floor(frac * 100)}%`);
  } else {
    parts.push(String(state.done));
  }
  for (const [k, v] of Object.entries(state.fields ?? {})) parts.push(`${k} ${v}`);
  if (state.total > 0 && state.done > 0 && state.done < state.total) {
    const eta = (state.elapsedSecs / state.done) * (state.total - state.done);
    parts.push(`ETA ${formatDuration(eta)}`);
  }
  return parts.join(" ");
}

/** Writes progress to a stream: redraws one line on a TTY, prints a line per interval otherwise. */
export class ProgressReporter {
  readonly #write: (text: string) => void;
  readonly #isTty: boolean;
  readonly #intervalMs: number;
  readonly #label: string;
  #lastPrint = -Infinity;
  #drawn = false;

  /**
   * @param label shown before each line
   * @param write sink for text (defaults to stderr)
   * @param isTty redraw in place (defaults to whether stderr is a terminal)
   * @param intervalMs minimum time between plain lines when not a TTY
   */
  constructor(
    label: string,
    write: (text: string) => void = (t) => Deno.stderr.writeSync(new TextEncoder().encode(t)),
    isTty: boolean = Deno.stderr.isTerminal(),
    intervalMs = 2000,
  ) {
    this.#label = label;
    this.#write = write;
    this.#isTty = isTty;
    this.#intervalMs = intervalMs;
  }

  /** Reports `state`; cheap to call often (throttled). */
  update(state: ProgressState, nowMs: number = performance.now()): void {
    const final = state.total > 0 && state.done >= state.total;
    if (!final && nowMs - this.#lastPrint < (this.#isTty ? 100 : this.#intervalMs)) return;
    this.#lastPrint = nowMs;
    const line = `${this.#label} ${formatProgressLine(state)}`;
    if (this.#isTty) {
      this.#write(`\r\x1b[2K${line}`);
      this.#drawn = true;
    } else {
      this.#write(line + "\n");
    }
  }

  /** Ends the bar (moves to a new line on a TTY). */
  finish(): void {
    if (this.#isTty && this.#drawn) this.#write("\n");
    this.#drawn = false;
  }
}
