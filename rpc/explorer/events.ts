/**
 * Live updates for explorer pages: server-sent events. Each block the node connects to its active
 * chain is sent as `event: block` with the block's learning-curve row ({@linkcode historyRow});
 * a reorganisation also sends `event: reorg` first, so pages reload the history. At most
 * {@linkcode MAX_EVENT_STREAMS} streams at once (more get 503); {@linkcode ExplorerEvents.close}
 * ends every stream, so the HTTP server can shut down without waiting on open pages.
 *
 * @module
 */
import type { TipChange } from "../../core/chain/chainstate.ts";
import type { Node } from "../../node/node.ts";
import { lossPointOf } from "../methods/loss_history.ts";
import { historyRow } from "./history_row.ts";

/** Most event streams open at once. */
export const MAX_EVENT_STREAMS = 64;

const encoder = new TextEncoder();

/** The event-stream side of the explorer, following one node's tip. */
export class ExplorerEvents {
  readonly #node: Node;
  readonly #streams = new Set<ReadableStreamDefaultController<Uint8Array>>();
  readonly #unsubscribe: () => void;
  #closed = false;

  constructor(node: Node) {
    this.#node = node;
    this.#unsubscribe = node.chainstate.onTipChange((change) => this.#onTipChange(change));
  }

  /** Streams open now. */
  get openStreams(): number {
    return this.#streams.size;
  }

  #onTipChange(change: TipChange): void {
    if (change.disconnected.length > 0) {
      this.#send("reorg", { disconnected: change.disconnected.length });
    }
    for (const { entry } of change.connected) {
      this.#send("block", historyRow(lossPointOf(this.#node, entry)));
    }
  }

  #send(event: string, data: unknown): void {
    const bytes = encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    for (const controller of this.#streams) {
      try {
        controller.enqueue(bytes);
      } catch {
        this.#streams.delete(controller); // the page went away
      }
    }
  }

  /** A `text/event-stream` response that gets every later event; 503 when too many are open. */
  response(): Response {
    if (this.#closed) return new Response("Explorer stopping\n", { status: 503 });
    if (this.#streams.size >= MAX_EVENT_STREAMS) {
      return new Response("Too many open event streams\n", { status: 503 });
    }
    let self: ReadableStreamDefaultController<Uint8Array> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        self = controller;
        this.#streams.add(controller);
        // A comment line first, so the client sees the stream open before any block arrives.
        controller.enqueue(encoder.encode(": connected\nretry: 3000\n\n"));
      },
      cancel: () => {
        if (self) this.#streams.delete(self);
      },
    });
    return new Response(body, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache",
      },
    });
  }

  /** Stops following the node and ends every open stream. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe();
    for (const controller of this.#streams) {
      try {
        controller.close();
      } catch {
        // already closed or errored
      }
    }
    this.#streams.clear();
  }
}
