/**
 * The node log: one timestamped line per event (`2026-01-01T00:00:00.000Z message`) appended to
 * `<datadir>/debug.log` and echoed to stderr, like Core's debug.log. Besides the plain lines
 * every part writes with `log`, chatty detail goes through `debug(category, …)` and is written
 * only for the categories switched on (`-debug=net`, `-debug=1` for all, Core's habit). The file
 * is rotated when it grows past a size limit (one old file, `debug.log.1`, is kept). What is
 * echoed to stderr can be narrowed (`rnt node --mine` shows only errors and warnings there, so
 * its block lines and status line stay readable), and a hook runs before each echo so a
 * terminal status line can be cleared first.
 *
 * @module
 */

/** Categories of `debug` lines (`-debug=CATEGORY`). */
export const LOG_CATEGORIES = ["net", "rpc", "mempool"] as const;

/** One category of `debug` lines. */
export type LogCategory = typeof LOG_CATEGORIES[number];

/** Where the node writes its log lines. */
export interface Logger {
  /** Writes one line. */
  log(message: string): void;
  /** Writes one detail line when `category` is switched on (`-debug`). */
  debug?(category: LogCategory, message: string): void;
  /** Flushes and closes any file (later lines go to stderr only). */
  close(): void;
}

/** Formats one log line with an ISO timestamp. */
export function formatLogLine(message: string, nowMs: number): string {
  return `${new Date(nowMs).toISOString()} ${message}`;
}

/** Whether a log message reports a problem (it starts with "error" or "warning"). */
export function isProblemMessage(message: string): boolean {
  return /^(error|warning)\b/i.test(message);
}

/** debug.log size that triggers a rotation (Core shrinks its debug.log past 10 MB too). */
export const DEFAULT_MAX_LOG_BYTES = 10 * 1024 * 1024;

/** Options of {@linkcode FileLogger}. */
export interface FileLoggerOptions {
  /**
   * Echo to stderr: true (default) every line, false none, or a filter choosing which messages
   * (e.g. {@linkcode isProblemMessage}).
   */
  stderr?: boolean | ((message: string) => boolean);
  /** Runs before each echo to stderr (e.g. to clear a terminal status line). */
  beforeEcho?: () => void;
  /** Categories whose `debug` lines are written; "all" switches on every one. */
  debug?: readonly (LogCategory | "all")[];
  /** Rotate the file when it would grow past this many bytes (default 10 MiB). */
  maxBytes?: number;
  /** Time source in ms (default Date.now). */
  nowMs?: () => number;
}

/**
 * Parses `-debug` values as Core does: a category name, `1` or `all` for every category, `0` or
 * `none` for none. Throws Error naming the known categories for anything else.
 */
export function parseDebugCategories(values: readonly string[]): (LogCategory | "all")[] {
  const out: (LogCategory | "all")[] = [];
  for (const raw of values.flatMap((v) => v.split(","))) {
    const v = raw.trim().toLowerCase();
    if (v === "1" || v === "all" || v === "") out.push("all");
    else if (v === "0" || v === "none") return [];
    else if ((LOG_CATEGORIES as readonly string[]).includes(v)) out.push(v as LogCategory);
    else {
      throw new Error(
        `unknown debug category '${raw}' (known: ${LOG_CATEGORIES.join(", ")}, 1 for all)`,
      );
    }
  }
  return out;
}

/**
 * Appends lines to a file (synchronously, so a crash loses nothing logged) and echoes them to
 * stderr.
 *
 * @example
 * ```ts
 * import { FileLogger } from "./logger.ts";
 * const path = await Deno.makeTempFile();
 * const log = FileLogger.open(path, { stderr: false, nowMs: () => 0, debug: ["net"] });
 * log.log("hello");
 * log.debug("net", "peer 1 connected");
 * log.debug("rpc", "not written: rpc is off");
 * log.close();
 * console.log(await Deno.readTextFile(path));
 * // 1970-01-01T00:00:00.000Z hello
 * // 1970-01-01T00:00:00.000Z [net] peer 1 connected
 * ```
 */
export class FileLogger implements Logger {
  #file: Deno.FsFile | null;
  readonly #path: string | null;
  readonly #echo: (message: string) => boolean;
  readonly #beforeEcho: (() => void) | undefined;
  readonly #debug: ReadonlySet<string>;
  readonly #maxBytes: number;
  readonly #nowMs: () => number;
  readonly #encoder = new TextEncoder();
  #bytes: number;

  private constructor(
    file: Deno.FsFile | null,
    path: string | null,
    bytes: number,
    options: FileLoggerOptions,
  ) {
    this.#file = file;
    this.#path = path;
    this.#bytes = bytes;
    const stderr = options.stderr ?? true;
    this.#echo = typeof stderr === "function" ? stderr : () => stderr;
    this.#beforeEcho = options.beforeEcho;
    this.#debug = new Set(options.debug ?? []);
    this.#maxBytes = options.maxBytes ?? DEFAULT_MAX_LOG_BYTES;
    this.#nowMs = options.nowMs ?? Date.now;
  }

  /** Opens (creates or appends to) `path`; rotates it first when it is already too big. */
  static open(path: string, options: FileLoggerOptions = {}): FileLogger {
    let size = 0;
    try {
      size = Deno.statSync(path).size;
    } catch {
      // a new file
    }
    if (size > (options.maxBytes ?? DEFAULT_MAX_LOG_BYTES)) {
      Deno.renameSync(path, `${path}.1`);
      size = 0;
    }
    const file = Deno.openSync(path, { create: true, append: true, mode: 0o600 });
    return new FileLogger(file, path, size, options);
  }

  /** A logger to stderr only. */
  static stderrOnly(options: FileLoggerOptions = {}): FileLogger {
    return new FileLogger(null, null, 0, options);
  }

  /** Whether `debug` lines of `category` are written. */
  debugEnabled(category: LogCategory): boolean {
    return this.#debug.has("all") || this.#debug.has(category);
  }

  log(message: string): void {
    const line = formatLogLine(message, this.#nowMs());
    if (this.#echo(message)) {
      this.#beforeEcho?.();
      console.error(line);
    }
    this.#append(line);
  }

  debug(category: LogCategory, message: string): void {
    if (this.debugEnabled(category)) this.log(`[${category}] ${message}`);
  }

  close(): void {
    this.#file?.close();
    this.#file = null;
  }

  #append(line: string): void {
    if (!this.#file) return;
    const bytes = this.#encoder.encode(line + "\n");
    if (this.#path && this.#bytes > 0 && this.#bytes + bytes.length > this.#maxBytes) {
      this.#rotate(this.#path);
    }
    let off = 0;
    while (off < bytes.length) off += this.#file.writeSync(bytes.subarray(off));
    this.#bytes += bytes.length;
  }

  /** Renames the full file to `<path>.1` (replacing an older one) and starts a new one. */
  #rotate(path: string): void {
    try {
      this.#file?.close();
      Deno.renameSync(path, `${path}.1`);
    } catch {
      // keep appending to whatever is at `path`
    }
    this.#file = Deno.openSync(path, { create: true, append: true, mode: 0o600 });
    this.#bytes = 0;
  }
}
