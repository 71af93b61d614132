/**
 * Reads exactly `n` bytes from a connection, never more, so nothing after a SOCKS5 reply is
 * consumed (private).
 *
 * @module
 */

/** A readable connection (`Deno.Conn` satisfies it). */
export interface Readable {
  /** Reads up to `buffer.length` bytes; `null` at end of stream. */
  read(buffer: Uint8Array): Promise<number | null>;
}

/** Reads exactly `n` bytes, or throws `Deno.errors.UnexpectedEof` naming `what`. */
export async function readExact(conn: Readable, n: number, what: string): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const r = await conn.read(out.subarray(got));
    if (r === null) {
      throw new Deno.errors.UnexpectedEof(
        `Connection closed after ${got} of ${n} bytes of ${what}`,
      );
    }
    got += r;
  }
  return out;
}
