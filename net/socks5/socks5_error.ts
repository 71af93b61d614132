/**
 * The error a SOCKS5 connection attempt fails with.
 *
 * @module
 */

/** RFC 1928 reply codes and their meaning. */
export const SOCKS5_REPLY_MESSAGES: Readonly<Record<number, string>> = Object.freeze({
  0x01: "general SOCKS server failure",
  0x02: "connection not allowed by ruleset",
  0x03: "network unreachable",
  0x04: "host unreachable",
  0x05: "connection refused",
  0x06: "TTL expired",
  0x07: "command not supported",
  0x08: "address type not supported",
});

/**
 * The proxy refused or broke the SOCKS5 exchange: no acceptable authentication method, wrong
 * credentials, a failure reply to CONNECT, or a malformed answer.
 */
export class Socks5Error extends Error {
  /** Stable machine-readable code. */
  readonly code = "socks5-error";
  /** The RFC 1928 reply code of a failed CONNECT, when there was one. */
  readonly replyCode: number | undefined;
  /**
   * @param message What failed.
   * @param replyCode The CONNECT reply code, if the proxy sent one.
   */
  constructor(message: string, replyCode?: number) {
    super(message);
    this.name = "Socks5Error";
    this.replyCode = replyCode;
  }
}
