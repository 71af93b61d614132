/**
 * Misbehaviour: what a peer did wrong, as an error the peer loop turns into a disconnect and a
 * discouragement of the peer's address.
 *
 * @module
 */

/** A peer broke the protocol; the peer is disconnected and discouraged. */
export class Misbehavior extends Error {
  /** Short machine-readable reason, e.g. `"decode"`, `"invalid-block"`, `"flood"`. */
  readonly reason: string;

  /**
   * @param reason Short reason tag.
   * @param message Human-readable detail.
   */
  constructor(reason: string, message: string) {
    super(message);
    this.name = "Misbehavior";
    this.reason = reason;
  }
}
