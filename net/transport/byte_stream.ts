/**
 * The byte stream the transport runs over. `Deno.Conn` satisfies it as is; tests use the
 * in-memory pipe of `memory_pipe.ts`.
 *
 * @module
 */

/** A bidirectional byte stream with `Deno.Conn`'s read/write/close semantics. */
export interface ByteStream {
  /**
   * Reads up to `buffer.length` bytes into `buffer`.
   * @returns The number of bytes read, or `null` at end of stream.
   */
  read(buffer: Uint8Array): Promise<number | null>;
  /**
   * Writes some prefix of `bytes`.
   * @returns The number of bytes written (at least 1 for non-empty input).
   */
  write(bytes: Uint8Array): Promise<number>;
  /** Closes both directions; pending and later reads end. */
  close(): void;
}

/**
 * Writes all of `bytes`, looping over partial writes.
 *
 * @param stream The stream to write to.
 * @param bytes The bytes to write.
 */
export async function writeAll(stream: ByteStream, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const n = await stream.write(bytes.subarray(written));
    if (n <= 0) throw new Error(`Stream write made no progress at ${written} bytes`);
    written += n;
  }
}
