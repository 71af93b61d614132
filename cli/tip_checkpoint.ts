/**
 * `rnt model generate --tip`: fetches the current tip's checkpoint from a running node by RPC
 * (`getbestblockhash`, then `getcheckpoint` chunk by chunk), checks the bytes against the root the
 * tip's header commits to, and decodes them.
 *
 * @module
 */
import type { Checkpoint } from "../core/checkpoint/checkpoint.ts";
import { checkpointRoot } from "../core/checkpoint/chunks.ts";
import { decodeCheckpoint } from "../core/checkpoint/rnet.ts";
import type { NetworkName } from "../core/consensus/params.ts";
import { fromHex, toHex } from "../core/crypto/keccak.ts";
import { RpcClient } from "../rpc/client.ts";
import { resolveCliEndpoint } from "./cli_command.ts";
import type { OptionSpec } from "./command.ts";

/** The flags of `--tip`: where the node is. */
export const TIP_OPTIONS: Record<string, OptionSpec> = {
  tip: {
    type: "boolean",
    description: "Use the current tip's checkpoint, fetched from the running node by RPC",
  },
  datadir: { type: "string", valueName: "DIR", description: "The node's datadir (for the cookie)" },
  rpcport: { type: "string", valueName: "PORT", description: "The node's RPC port" },
  rpcconnect: { type: "string", valueName: "HOST[:PORT]", description: "The node's RPC host" },
};

/** The tip's block and its decoded checkpoint. */
export interface TipCheckpoint {
  readonly hash: string;
  readonly height: number;
  readonly checkpoint: Checkpoint;
}

/** Fetches and checks the tip checkpoint of the node at the resolved endpoint. */
export async function fetchTipCheckpoint(where: {
  network: NetworkName;
  datadir: string | undefined;
  rpcport: string | undefined;
  rpcconnect: string | undefined;
}): Promise<TipCheckpoint> {
  const endpoint = resolveCliEndpoint(where);
  const client = await RpcClient.fromDatadir({
    datadir: endpoint.datadir,
    port: endpoint.port,
    host: endpoint.host,
  });
  const hash = await client.call("getbestblockhash") as string;
  const header = await client.call("getblockheader", [hash]) as {
    height: number;
    checkpoint_root: string;
  };
  const first = await client.call("getcheckpoint", [hash, 0]) as { chunks: number; hex: string };
  const parts = [fromHex(first.hex)];
  for (let i = 1; i < first.chunks; i++) {
    const chunk = await client.call("getcheckpoint", [hash, i]) as { hex: string };
    parts.push(fromHex(chunk.hex));
  }
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  if (toHex(checkpointRoot(bytes)) !== header.checkpoint_root) {
    throw new Error(`The checkpoint of block ${hash} does not match its header's root`);
  }
  return { hash, height: header.height, checkpoint: decodeCheckpoint(bytes) };
}
