/**
 * Test helper (private): a real Node in-process — Chainstate on LevelDB in a temp dir, a scripted
 * evaluator, a mockable clock — with every node RPC method behind the Hono app, called through
 * `app.request` (no socket, no GPU).
 *
 * @module
 */
import { Chainstate } from "../../core/chain/chainstate.ts";
import { type NetworkParams, REGTEST } from "../../core/consensus/params.ts";
import { ScriptedEvaluator } from "../../core/consensus/testing/block_builder.ts";
import { Mempool } from "../../core/mempool/mempool.ts";
import { RpcAuthenticator } from "../auth.ts";
import { MockableClock } from "../../node/clock.ts";
import { FileLogger } from "../../node/logger.ts";
import { Node } from "../../node/node.ts";
import { RpcRegistry } from "../registry.ts";
import { createRpcApp } from "../server.ts";
import { registerNodeMethods } from "./mod.ts";

/** One JSON-RPC reply: exactly one of `result` and `error` is set. */
export interface CallReply {
  result?: unknown;
  error?: { code: number; message: string };
}

/** The pieces of a scripted test node. */
export interface ScriptedNode {
  dir: string;
  evaluator: ScriptedEvaluator;
  clock: MockableClock;
  chainstate: Chainstate;
  node: Node;
  /** Calls `method` with positional params as an authenticated JSON-RPC 2.0 request. */
  call: (method: string, ...rpcParams: unknown[]) => Promise<CallReply>;
  /** Detaches the node, closes LevelDB and removes the temp dir. */
  close: () => Promise<void>;
}

/** Starts a scripted node on `params` (regtest by default) with the clock a year past genesis. */
export async function startScriptedNode(params: NetworkParams = REGTEST): Promise<ScriptedNode> {
  const dir = await Deno.makeTempDir();
  const evaluator = new ScriptedEvaluator();
  const clock = new MockableClock(() => (params.genesisTimestampSecs + 365 * 86_400) * 1000);
  const corpus = new Uint8Array(4096);
  const chainstate = await Chainstate.open(dir, params, evaluator, corpus, clock);
  const node = await Node.create({
    params,
    chainstate,
    mempool: new Mempool(chainstate),
    evaluator,
    corpus,
    clock,
    logger: FileLogger.stderrOnly({ stderr: false }),
    datadir: dir,
  });
  const app = createRpcApp(
    registerNodeMethods(new RpcRegistry(), node),
    new RpcAuthenticator({ userPass: ["u:p"] }),
  );
  let id = 0;
  const call = async (method: string, ...rpcParams: unknown[]): Promise<CallReply> => {
    const res = await app.request("/", {
      method: "POST",
      headers: { authorization: "Basic " + btoa("u:p") },
      body: JSON.stringify({ jsonrpc: "2.0", method, params: rpcParams, id: ++id }),
    });
    const { result, error } = await res.json();
    return error === undefined ? { result } : { error };
  };
  const close = async () => {
    await node.detach();
    await chainstate.close();
    await Deno.remove(dir, { recursive: true });
  };
  return { dir, evaluator, clock, chainstate, node, call, close };
}
