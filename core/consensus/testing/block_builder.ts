/**
 * Test-block builder (shared by consensus, chainstate and node tests): valid child blocks of a
 * {@linkcode ChainEntry} with a coinbase to an address, signed by a seed key, with hooks to
 * mutate any field, plus {@linkcode TestChain}, a tiny in-memory chain that runs every
 * consensus stage. Not consensus code: never import it outside tests.
 *
 * @module
 */
import { type Ed25519KeyPair, keyPairFromSeed, sign } from "../../crypto/ed25519.ts";
import { keccak256d } from "../../crypto/keccak.ts";
import { type AddressData, RecoveryKind } from "../../primitives/address.ts";
import {
  type Block,
  type BlockHeader,
  computeTxRoot,
  computeWitnessRoot,
  signHeader,
  type UnsignedHeader,
  unsignedOf,
} from "../../primitives/block.ts";
import type { Policy } from "../../primitives/policy.ts";
import { policyHash } from "../../primitives/policy_codec.ts";
import { heartbeatPolicy } from "../../primitives/recovery_policies.ts";
import { makeSatisfaction } from "../../primitives/satisfaction.ts";
import { NULL_OUTPOINT, type Tx, type TxOut } from "../../primitives/tx.ts";
import { sighashes, txid } from "../../primitives/tx_hash.ts";
import { checkpointRoot } from "../../checkpoint/chunks.ts";
import { genesisCheckpoint } from "../../checkpoint/genesis_init.ts";
import { encodeCheckpoint, encodedCheckpointSize } from "../../checkpoint/rnet.ts";
import type { Checkpoint } from "../../checkpoint/checkpoint.ts";
import { type ChainEntry, MapUtxoView, outpointKey, type UtxoEntry } from "../chain_entry.ts";
import { checkBlockSanity } from "../check_block_sanity.ts";
import { checkHeaderContext } from "../check_header_context.ts";
import { connectBlockTransactions, type ConnectResult } from "../connect_block.ts";
import { blockReward } from "../emission.ts";
import type { Evaluator } from "../evaluator.ts";
import { genesisBlock, genesisCheckpointBytes, genesisEntry } from "../genesis.ts";
import { improvementPpm, nextModelConfig } from "../growth.ts";
import { nextEntry } from "../next_entry.ts";
import { type NetworkParams, PPM, REGTEST } from "../params.ts";

/** The default miner seed of test blocks. */
export const TEST_MINER_SEED: Uint8Array = new Uint8Array(32).fill(0x4d);

/** The i-th deterministic test key (seed = 32 bytes of 0x80 + i). */
export function testKey(i: number): Ed25519KeyPair {
  return keyPairFromSeed(new Uint8Array(32).fill(0x80 + i));
}

/** A test owner: keys, the spending policy and its address. */
export interface TestWallet {
  /** Keys that sign spends (the policy's spending branch). */
  readonly keys: readonly Ed25519KeyPair[];
  /** The policy revealed on spends. */
  readonly policy: Policy;
  /** Kind and policy hash. */
  readonly address: AddressData;
}

/** A heartbeat wallet owned by `testKey(i)` with `testKey(i + 100)` as recovery key. */
export function heartbeatWallet(params: NetworkParams, i: number): TestWallet {
  const owner = testKey(i);
  const policy = heartbeatPolicy(
    owner.publicKey,
    testKey(i + 100).publicKey,
    params.heartbeatMinIntervalSecs,
  );
  return {
    keys: [owner],
    policy,
    address: { kind: RecoveryKind.heartbeat, hash: policyHash(policy) },
  };
}

/** A wallet of any `kind` and `policy`, signing with `keys`. */
export function policyWallet(
  kind: number,
  policy: Policy,
  keys: readonly Ed25519KeyPair[],
): TestWallet {
  return { keys, policy, address: { kind, hash: policyHash(policy) } };
}

/** A coinbase for `height` paying `outputs`. */
export function coinbaseTx(height: number, outputs: readonly TxOut[]): Tx {
  return {
    version: 1,
    inputs: [{ prevout: NULL_OUTPOINT, sequence: 0 }],
    outputs,
    locktime: height,
    witnesses: [],
  };
}

/**
 * Signs every input of `tx`: input i reveals `signers[i].policy` and signatures by
 * `signers[i].keys` on its sighash (`spent[i]` is the output it spends).
 */
export function signTx(
  params: NetworkParams,
  tx: Omit<Tx, "witnesses">,
  spent: readonly TxOut[],
  signers: readonly TestWallet[],
  preimages: readonly Uint8Array[] = [],
): Tx {
  const unsigned: Tx = { ...tx, witnesses: [] };
  const hashes = sighashes(params.magic, unsigned, spent);
  return {
    ...tx,
    witnesses: hashes.map((h, i) => ({
      policy: signers[i]!.policy,
      satisfaction: makeSatisfaction(
        signers[i]!.keys.map((k) => ({ publicKey: k.publicKey, signature: sign(k.secretKey, h) })),
        preimages,
      ),
    })),
  };
}

/** A placeholder checkpoint commitment for blocks whose checkpoint is never evaluated. */
export function fakeCheckpointRoot(height: number): Uint8Array {
  return keccak256d(new TextEncoder().encode(`test checkpoint ${height}`));
}

/** Options of {@linkcode buildChildBlock}; every field has a valid default. */
export interface ChildBlockOptions {
  /** Miner key seed (default {@linkcode TEST_MINER_SEED}). */
  readonly minerSeed?: Uint8Array;
  /** Coinbase address (default: heartbeat wallet 0). */
  readonly coinbaseTo?: AddressData;
  /** Coinbase value (default reward + `feesResonances`). */
  readonly coinbaseValue?: bigint;
  /** Fees of `txs` (default 0) added to the default coinbase value. */
  readonly feesResonances?: bigint;
  /** Transactions after the coinbase. */
  readonly txs?: readonly Tx[];
  /**
   * Claimed parent loss on the sample (default: the parent's own claimed sample loss, or
   * {@linkcode GENESIS_TEST_LOSS_MICRONATS} on genesis — what {@linkcode ScriptedEvaluator}
   * answers, since its losses do not depend on the sample).
   */
  readonly parentSampleLossMicroNats?: number;
  /** Claimed loss on the sample (default: the parent's × (1 − 2μ), floored). */
  readonly sampleLossMicroNats?: number;
  /** Timestamp (default: parent's + 60 s). */
  readonly timestampSecs?: number;
  /** Checkpoint commitment (default: {@linkcode fakeCheckpointRoot} and the config's size). */
  readonly checkpoint?: { readonly root: Uint8Array; readonly size: number };
  /** Replaces the coinbase before roots are computed. */
  readonly mutateCoinbase?: (cb: Tx) => Tx;
  /** Replaces the transaction list (coinbase first) before roots are computed. */
  readonly mutateTxs?: (txs: Tx[]) => Tx[];
  /** Replaces header fields after roots are computed, before signing. */
  readonly mutateHeader?: (h: UnsignedHeader) => UnsignedHeader;
  /** Replaces the signed header (e.g. to break the signature). */
  readonly mutateSignedHeader?: (h: BlockHeader) => BlockHeader;
}

/** The loss the {@linkcode ScriptedEvaluator} gives every network's genesis checkpoint. */
export const GENESIS_TEST_LOSS_MICRONATS = 5_708_006;

/** The default claimed parent loss of a child of `parent` (see ChildBlockOptions). */
export function defaultParentLoss(parent: ChainEntry): number {
  return parent.height === 0 ? GENESIS_TEST_LOSS_MICRONATS : parent.header.sampleLossMicroNats;
}

/** The default claimed loss of a child: an improvement of 2μ over the parent's, floored. */
export function defaultChildLoss(params: NetworkParams, parent: ChainEntry): number {
  return Math.floor(
    defaultParentLoss(parent) * (PPM - 2 * params.sampleMinImprovementPpm) / PPM,
  );
}

/** A valid (unless mutated) signed child block of `parent`. */
export function buildChildBlock(
  params: NetworkParams,
  parent: ChainEntry,
  opts: ChildBlockOptions = {},
): Block {
  const height = parent.height + 1;
  const config = nextModelConfig(params, parent);
  const parentSampleLossMicroNats = opts.parentSampleLossMicroNats ?? defaultParentLoss(parent);
  const sampleLossMicroNats = opts.sampleLossMicroNats ?? defaultChildLoss(params, parent);
  const reward = blockReward(
    params,
    parent,
    improvementPpm(parentSampleLossMicroNats, sampleLossMicroNats),
  );
  const value = opts.coinbaseValue ?? reward + (opts.feesResonances ?? 0n);
  const to = opts.coinbaseTo ?? heartbeatWallet(params, 0).address;
  let cb = coinbaseTx(height, [{ value, address: to }]);
  if (opts.mutateCoinbase) cb = opts.mutateCoinbase(cb);
  let txs = [cb, ...(opts.txs ?? [])];
  if (opts.mutateTxs) txs = opts.mutateTxs(txs);
  const miner = keyPairFromSeed(opts.minerSeed ?? TEST_MINER_SEED);
  let header: UnsignedHeader = {
    version: 1,
    height,
    prevHash: parent.hash,
    txRoot: computeTxRoot(params.magic, txs),
    witnessRoot: computeWitnessRoot(params.magic, txs),
    checkpointRoot: opts.checkpoint?.root ?? fakeCheckpointRoot(height),
    checkpointSize: opts.checkpoint?.size ?? encodedCheckpointSize(config),
    dModel: config.dModel,
    nLayers: config.nLayers,
    parentSampleLossMicroNats,
    sampleLossMicroNats,
    timestampSecs: opts.timestampSecs ?? parent.header.timestampSecs + 60,
    minerKey: miner.publicKey,
  };
  if (opts.mutateHeader) header = opts.mutateHeader(header);
  const signed = signHeader(params.magic, header, miner.secretKey);
  return { header: opts.mutateSignedHeader ? opts.mutateSignedHeader(signed) : signed, txs };
}

/** `block` with its header replaced by `f(header)` and re-signed by `minerSeed`. */
export function resignBlock(
  params: NetworkParams,
  block: Block,
  f: (h: UnsignedHeader) => UnsignedHeader,
  minerSeed: Uint8Array = TEST_MINER_SEED,
): Block {
  const header: BlockHeader = signHeader(
    params.magic,
    f(unsignedOf(block.header)),
    minerSeed,
  );
  return { header, txs: block.txs };
}

/** A real, decodable checkpoint for a test block of `config` (genesis init with `seed`). */
export function testCheckpoint(
  config: { dModel: number; nLayers: number },
  seed: number,
): { bytes: Uint8Array; root: Uint8Array; size: number } {
  const bytes = encodeCheckpoint(genesisCheckpoint(config, seed));
  return { bytes, root: checkpointRoot(bytes), size: bytes.length };
}

/**
 * A scripted evaluator for chain-logic tests: every window of a checkpoint has the loss
 * registered for its root (by re-encoding it when the caller gives no root), whatever the
 * window's bytes, so a header's sample claims are known without running a model; regtest's
 * genesis checkpoint is registered at {@linkcode GENESIS_TEST_LOSS_MICRONATS}. Throws for an
 * unknown checkpoint. Real evaluation is tested with the exact evaluators (gpu/exact).
 */
export class ScriptedEvaluator implements Evaluator {
  readonly name = "scripted (tests)";
  readonly #microNats = new Map<string, number>();
  /** Evaluations run (each is one checkpoint on one sample). */
  calls = 0;
  constructor() {
    this.#microNats.set(
      rootKey(checkpointRoot(genesisCheckpointBytes(REGTEST))),
      GENESIS_TEST_LOSS_MICRONATS,
    );
  }
  /** Registers the loss in nats per prediction that `checkpointBytes` evaluates to. */
  register(checkpointBytes: Uint8Array, lossNats: number): void {
    this.#microNats.set(rootKey(checkpointRoot(checkpointBytes)), Math.round(lossNats * 1e6));
  }
  /**
   * Per window: the largest total (nats·2^20) whose header value over `windowLen − 1`
   * predictions is the registered micro-nats.
   */
  evaluateWindows(
    checkpoint: Checkpoint,
    bytes: Uint8Array,
    windowLen: number,
    checkpointRoot_?: Uint8Array,
  ): Promise<number[]> {
    this.calls++;
    const root = checkpointRoot_ ?? checkpointRoot(encodeCheckpoint(checkpoint));
    const micro = this.#microNats.get(rootKey(root));
    if (micro === undefined) return Promise.reject(new Error("unregistered checkpoint"));
    const perWindow = Number(
      BigInt(micro) * BigInt(windowLen - 1) * (1n << 20n) / 1_000_000n,
    );
    return Promise.resolve(
      new Array<number>(Math.floor(bytes.length / windowLen)).fill(perWindow),
    );
  }
}

function rootKey(root: Uint8Array): string {
  return Array.from(root, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * An in-memory chain from genesis that validates every block with stages 1–3 (no evaluation):
 * for consensus tests and as a reference for the chainstate.
 */
export class TestChain {
  /** Network params. */
  readonly params: NetworkParams;
  /** Entries by height (the active chain). */
  readonly entries: ChainEntry[];
  /** Blocks by height. */
  readonly blocks: Block[];
  /** The UTXO set at the tip. */
  readonly view: MapUtxoView = new MapUtxoView();
  /** Local clock used for `time-too-new`; defaults far enough ahead of the tip. */
  nowSecs: number;

  constructor(params: NetworkParams) {
    this.params = params;
    this.entries = [genesisEntry(params)];
    this.blocks = [genesisBlock(params)];
    this.nowSecs = params.genesisTimestampSecs + 365 * 86_400;
  }

  /** The tip entry. */
  get tip(): ChainEntry {
    return this.entries[this.entries.length - 1]!;
  }

  /** Timestamps of the active chain, oldest first. */
  timestamps(): number[] {
    return this.blocks.map((b) => b.header.timestampSecs);
  }

  /** A child of the tip (fees of `opts.txs` computed from the UTXO set when not given). */
  build(opts: ChildBlockOptions = {}): Block {
    let fees = opts.feesResonances;
    if (fees === undefined) {
      fees = 0n;
      for (const tx of opts.txs ?? []) {
        if (tx.witnesses.length === 0) continue;
        let inSum = 0n;
        for (const i of tx.inputs) inSum += this.view.get(outpointKey(i.prevout))?.value ?? 0n;
        const d = inSum - tx.outputs.reduce((s, o) => s + o.value, 0n);
        if (d > 0n) fees += d;
      }
    }
    return buildChildBlock(this.params, this.tip, { ...opts, feesResonances: fees });
  }

  /** Runs stages 1–3 on a child of the tip without changing the chain. */
  validate(block: Block): Promise<ConnectResult> {
    checkBlockSanity(block, this.params);
    checkHeaderContext(block.header, this.tip, this.params, { nowSecs: this.nowSecs });
    return connectBlockTransactions(block, this.view, {
      params: this.params,
      parent: this.tip,
      nowSecs: this.nowSecs,
    });
  }

  /** Validates `block` and makes it the tip; returns the connect result. */
  async accept(block: Block): Promise<ConnectResult> {
    const result = await this.validate(block);
    const entry = nextEntry(this.params, this.tip, block, {
      ...result,
      recentTimestampsSecs: this.timestamps(),
    });
    this.view.apply(result.spent, result.created);
    this.entries.push(entry);
    this.blocks.push(block);
    return result;
  }

  /** Builds, validates and accepts a child of the tip. */
  async mine(opts: ChildBlockOptions = {}): Promise<Block> {
    const block = this.build(opts);
    await this.accept(block);
    return block;
  }

  /** Unspent outputs paying `address`, oldest first. */
  utxosOf(address: AddressData): [string, UtxoEntry][] {
    return [...this.view.entries].filter(([, e]) =>
      e.address.kind === address.kind && e.address.hash.every((b, i) => b === address.hash[i])
    );
  }

  /** A signed spend of `inputs` (outpoint keys in the view) by `from`, paying `outputs`. */
  spend(
    from: TestWallet | readonly TestWallet[],
    inputs: readonly string[],
    outputs: readonly TxOut[],
    extra: { locktime?: number; preimages?: readonly Uint8Array[] } = {},
  ): Tx {
    const spent = inputs.map((k) => {
      const e = this.view.get(k);
      if (!e) throw new RangeError(`No UTXO ${k}`);
      return { value: e.value, address: e.address };
    });
    const signers = Array.isArray(from) ? from : inputs.map(() => from as TestWallet);
    return signTx(
      this.params,
      {
        version: 1,
        inputs: inputs.map((k) => ({ prevout: parseOutpointKey(k), sequence: 0 })),
        outputs,
        locktime: extra.locktime ?? 0,
      },
      spent,
      signers,
      extra.preimages,
    );
  }
}

/** The outpoint of an {@linkcode outpointKey}. */
export function parseOutpointKey(key: string): { txid: Uint8Array; vout: number } {
  const [hex, vout] = key.split(":") as [string, string];
  const id = new Uint8Array(32);
  for (let i = 0; i < 32; i++) id[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return { txid: id, vout: Number(vout) };
}

/** The outpoint key of output `vout` of `tx`. */
export function outputKey(params: NetworkParams, tx: Tx, vout: number): string {
  return outpointKey({ txid: txid(params.magic, tx), vout });
}
