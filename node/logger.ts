/**
 * The node log: one timestamped line per event (`2026-01-01T00:00:00.000Z message`) to stderr
 * and appended to `<datadir>/debug.log`, like Core's debug.log.
 *
 * @module
 */

/** Where the node writes its log lines. */
export interface Logger {
  /** Writes one line. */
  log(message: string): void;
  /** Flushes and closes any file (later lines go to stderr only). */
  close(): void;
}

/** Formats one log line with an ISO timestamp. */
export function formatLogLine(message: string, nowMs: number): string {
  return `${new Date(nowMs).toISOString()} ${message}`;
}

/** Options of {@linkcode FileLogger}. */
export interface FileLoggerOptions {
  /** Also write to stderr (default true). */
  stderr?: boolean;
  /** Time source in ms (default Date.now). */
  nowMs?: () => number;
}

/**
 * Appends lines to a file (synchronously, so a crash loses nothing logged) and echoes them to
 * stderr.
 *
 * @example
 * ```ts
 * import { FileLogger } from "./logger.ts";
 * const path = await Deno.makeTempFile();
 * const log = FileLogger.open(path, { stderr: false, nowMs: () => 0 });
 * log.log("hello");
 * log.close();
 * console.log(await Deno.readTextFile(path)); // 1970-01-01T00:00:00.000Z hello
 * ```
 */
export class FileLogger implements Logger {
  #file: Deno.FsFile | null;
  readonly #stderr: boolean;
  readonly #nowMs: () => number;
  readonly #encoder = new TextEncoder();

  private constructor(file: Deno.FsFile | null, options: FileLoggerOptions) {
    this.#file = file;
    this.#stderr = options.stderr ?? true;
    this.#nowMs = options.nowMs ?? Date.now;
  }

  /** Opens (creates or appends to) `path`. */
  static open(path: string, options: FileLoggerOptions = {}): FileLogger {
    const file = Deno.openSync(path, { create: true, append: true, mode: 0o600 });
    return new FileLogger(file, options);
  }

  /** A logger to stderr only. */
  static stderrOnly(options: FileLoggerOptions = {}): FileLogger {
    return new FileLogger(null, options);
  }

  log(message: string): void {
    const line = formatLogLine(message, this.#nowMs());
    if (this.#stderr) console.error(line);
    if (this.#file) {
      const bytes = this.#encoder.encode(line + "\n");
      let off = 0;
      while (off < bytes.length) off += this.#file.writeSync(bytes.subarray(off));
    }
  }

  close(): void {
    this.#file?.close();
    this.#file = null;
  }
}
