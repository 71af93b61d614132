/**
 * Per-network consensus parameters (DESIGN §2): one frozen table for mainnet, testnet and
 * regtest. Amounts are bigint resonances (1 RNT = 10^8), times are seconds (of median-time-past
 * where a rule compares them with chain time), ratios are integer parts-per-million.
 *
 * The consensus loss is exact (PROTOCOL §3.10), so there is no tolerance τ: a header's sample
 * losses must equal the recomputed integers. μ, K, the decay and the work cap of the sampled
 * rule (PROTOCOL §5.9) are sized from measured spreads there. The genesis model seed and
 * checkpoint root are pinned here and re-derived by `genesis_test.ts`. Mainnet has not launched
 * (`launched` false): its evaluation corpus is not pinned yet.
 *
 * @module
 */
import { bytesEqual } from "../util/bytes_equal.ts";
import type { EvalCorpusPin } from "./eval_corpus_pin.ts";

/** Resonances per RNT. */
export const RESONANCES_PER_RNT = 100_000_000n;
/** Hard cap on circulating supply: 21,000,000 RNT in resonances. */
export const MAX_SUPPLY_RESONANCES: bigint = 21_000_000n * RESONANCES_PER_RNT;
/** Base block reward of era 0: 50 RNT. */
export const BASE_REWARD_RESONANCES: bigint = 50n * RESONANCES_PER_RNT;
/** Parts-per-million denominator for τ, μ and Δfull. */
export const PPM = 1_000_000;

/** Network names. */
export type NetworkName = "mainnet" | "testnet" | "regtest";

/** Consensus (and a few default relay) parameters of one network. */
export interface NetworkParams {
  /** Network name. */
  readonly name: NetworkName;
  /** 4-byte network magic; in every tagged hash and the P2P handshake salt. */
  readonly magic: Uint8Array;
  /** Bech32m human-readable part of addresses. */
  readonly hrp: string;
  /** Default P2P port. */
  readonly p2pPort: number;
  /** Default JSON-RPC port. */
  readonly rpcPort: number;
  /**
   * DNS names whose A/AAAA records are nodes to ask for peers when a node knows none (not
   * consensus; `NAME` uses `p2pPort`, `NAME:PORT` another port).
   */
  readonly dnsSeeds: readonly string[];
  /** `host:port` of long-running nodes, tried when the DNS seeds give nothing (not consensus). */
  readonly fixedSeeds: readonly string[];
  /** Blocks before a coinbase output may be spent. */
  readonly coinbaseMaturity: number;
  /** Genesis model width. */
  readonly genesisDModel: number;
  /** Genesis model layers. */
  readonly genesisLayers: number;
  /** Largest model width growth may reach. */
  readonly maxDModel: number;
  /** Largest layer count growth may reach. */
  readonly maxLayers: number;
  /** Cumulative dModel growth units per new layer. */
  readonly layerEvery: number;
  /** Growth per block before stagnation: dModel += growthBaseUnits × (1 + ⌊stagnation/stagnationStep⌋). */
  readonly growthBaseUnits: number;
  /** Stagnant blocks per extra growth multiple. */
  readonly stagnationStep: number;
  /** Validation window length W in bytes (each window starts from zero state). */
  readonly validationWindowBytes: number;
  /** Minimum size of the bundled validation set in bytes. */
  readonly validationSetMinBytes: number;
  /** Δfull: relative improvement that earns the full (×2) performance bonus, ppm. PROVISIONAL. */
  readonly bonusFullImprovementPpm: number;
  /**
   * K: windows of `validationWindowBytes` in a block's paired evaluation sample (PROTOCOL §5.9).
   * Chosen so that 2⁶⁴ sample grinds fake at most half of `sampleMinImprovementPpm`.
   */
  readonly evalSampleWindows: number;
  /**
   * μ of the paired sample rule, ppm, before the slow-progress decay (PROTOCOL §5.9); a block
   * whose verified progress is below 2μ counts towards stagnation (§5.3).
   */
  readonly sampleMinImprovementPpm: number;
  /** Seconds after the parent's timestamp before the required improvement starts to halve. */
  readonly improvementGraceSecs: number;
  /** The required improvement halves once per this many seconds after the grace. */
  readonly improvementHalfLifeSecs: number;
  /** Most verified progress (ppm) one block adds to the fork-choice score (PROTOCOL §6.3). */
  readonly blockWorkCapPpm: number;
  /** Reorgs deeper than this many blocks are refused. */
  readonly maxReorgDepth: number;
  /** Checkpoints of the last this-many blocks are kept by a pruning node (> maxReorgDepth). */
  readonly keepCheckpoints: number;
  /** Checkpoint chunk size in bytes (chunk hashes form the header's checkpointRoot). */
  readonly checkpointChunkBytes: number;
  /** Minimum `older(interval)` of a heartbeat policy, seconds. */
  readonly heartbeatMinIntervalSecs: number;
  /** Minimum cancel delay of a social-recovery pending output, seconds. */
  readonly socialRecoveryMinDelaySecs: number;
  /** An output unspent for longer than this (MTP seconds) may be swept to the emission pool. */
  readonly emissionReturnAgeSecs: number;
  /** Max serialized block size in bytes, without the checkpoint. */
  readonly maxBlockBytes: number;
  /** Max serialized transaction size in bytes (witnesses included). */
  readonly maxTxBytes: number;
  /** A header's timestamp may be at most this far ahead of the local clock. */
  readonly maxFutureBlockTimeSecs: number;
  /** Number of ancestors whose median is the median-time-past. */
  readonly medianTimeSpan: number;
  /** Genesis block timestamp, seconds since the epoch. */
  readonly genesisTimestampSecs: number;
  /** Default minimum relay fee (mempool policy, not consensus), resonances per byte. */
  readonly minRelayFeePerByte: bigint;
  /** Seed of the genesis weights (PROTOCOL §3.6). */
  readonly genesisModelSeed: number;
  /** Hex keccak-Merkle root of the encoded genesis checkpoint (PROTOCOL §3.5). */
  readonly genesisCheckpointRootHex: string;
  /**
   * False for a network whose consensus data is not complete yet (mainnet: its evaluation
   * corpus is not pinned); `rnt node` and `rnt mine` refuse it.
   */
  readonly launched: boolean;
  /**
   * The evaluation corpus (PROTOCOL §4, §5.9) pinned by its chunk Merkle root; null where none is
   * pinned yet (mainnet, which therefore cannot launch).
   */
  readonly evalCorpus: EvalCorpusPin | null;
}

/**
 * The bundled KJV ‖ Austen corpus (gpu/model/eval_corpus.ts), 8 chunks of 1 MiB; the root is
 * re-derived from the bundled bytes by `gpu/model/eval_corpus_test.ts`.
 */
const BUNDLED_CORPUS: EvalCorpusPin = Object.freeze({
  rootHex: "09582302437c9c62903cf3aaa944267d06e57ad0e97c5600a33f3d6eb4b93a9c",
  bytes: 8_162_884,
  chunkBytes: 1 << 20,
  bundled: true,
});

const DAY = 86_400;

/** Freezes the table entry (typed arrays cannot be frozen: never mutate `magic`). */
function freeze(p: NetworkParams): NetworkParams {
  return Object.freeze(p);
}

/** Mainnet. */
export const MAINNET: NetworkParams = freeze({
  name: "mainnet",
  magic: new Uint8Array([0xd9, 0x52, 0x4e, 0x01]),
  hrp: "rnt",
  p2pPort: 9555,
  rpcPort: 9554,
  // Mainnet has not launched: no nodes to list yet.
  dnsSeeds: Object.freeze([]),
  fixedSeeds: Object.freeze([]),
  coinbaseMaturity: 100,
  genesisDModel: 384,
  genesisLayers: 6,
  maxDModel: 4096,
  maxLayers: 48,
  layerEvery: 128,
  growthBaseUnits: 2,
  stagnationStep: 10,
  validationWindowBytes: 512,
  validationSetMinBytes: 1 << 20,
  bonusFullImprovementPpm: 50_000,
  // 128 windows × 512 bytes per checkpoint: two evaluations of 64 KiB on a CPU in minutes;
  // measured spread and the 2⁶⁴-grind bound in PROTOCOL §5.9.
  evalSampleWindows: 128,
  sampleMinImprovementPpm: 45_000,
  improvementGraceSecs: 3600,
  improvementHalfLifeSecs: 2 * 3600,
  blockWorkCapPpm: 90_000,
  maxReorgDepth: 100,
  keepCheckpoints: 144,
  checkpointChunkBytes: 1 << 20,
  heartbeatMinIntervalSecs: 30 * DAY,
  socialRecoveryMinDelaySecs: 7 * DAY,
  emissionReturnAgeSecs: 4 * 365 * DAY + DAY,
  maxBlockBytes: 1_000_000,
  maxTxBytes: 100_000,
  maxFutureBlockTimeSecs: 2 * 3600,
  medianTimeSpan: 11,
  genesisTimestampSecs: 1_767_225_600, // 2026-01-01T00:00:00Z
  minRelayFeePerByte: 1n,
  genesisModelSeed: 1,
  genesisCheckpointRootHex: "2ee3df033c79409230d39cc68488f497feff5bdfdb941d7648eaf8b64630f436",
  // Not launched: the bundled 8 MB corpus is far too small for mainnet's growth ceiling
  // (PROTOCOL §5.9); mainnet's corpus must be pinned by a Merkle root first.
  launched: false,
  // Not pinned: the launch needs a corpus far larger than 4096 × 48 can memorise (PROTOCOL §4).
  evalCorpus: null,
});

/** Testnet. */
export const TESTNET: NetworkParams = freeze({
  ...MAINNET,
  name: "testnet",
  magic: new Uint8Array([0xd9, 0x52, 0x4e, 0x02]),
  hrp: "trnt",
  p2pPort: 19555,
  rpcPort: 19554,
  // No public testnet node exists yet: add its DNS name / address here when one does. Until
  // then nodes find each other by --connect/--addnode/--seednode (README "Running a local
  // testnet") and remember what they learn in peers.dat.
  dnsSeeds: Object.freeze([]),
  fixedSeeds: Object.freeze([]),
  genesisDModel: 128,
  genesisLayers: 2,
  maxDModel: 512,
  maxLayers: 8,
  layerEvery: 64,
  validationWindowBytes: 256,
  validationSetMinBytes: 64 << 10,
  evalSampleWindows: 256,
  sampleMinImprovementPpm: 45_000,
  improvementGraceSecs: 600,
  improvementHalfLifeSecs: 1200,
  blockWorkCapPpm: 90_000,
  keepCheckpoints: 144,
  heartbeatMinIntervalSecs: DAY,
  socialRecoveryMinDelaySecs: 3600,
  emissionReturnAgeSecs: 90 * DAY,
  genesisCheckpointRootHex: "b99e3d84e32ff44336a66647c818a4853963c580376930e17d21dadbc9c410e4",
  launched: true,
  evalCorpus: BUNDLED_CORPUS,
});

/** Regtest: tiny model, short timers, so tests mine dozens of blocks in seconds on a CPU. */
export const REGTEST: NetworkParams = freeze({
  ...MAINNET,
  name: "regtest",
  magic: new Uint8Array([0xd9, 0x52, 0x4e, 0x03]),
  hrp: "rrnt",
  p2pPort: 29555,
  rpcPort: 29554,
  // Regtest is local: never look for peers anywhere.
  dnsSeeds: Object.freeze([]),
  fixedSeeds: Object.freeze([]),
  coinbaseMaturity: 10,
  genesisDModel: 16,
  genesisLayers: 1,
  maxDModel: 64,
  maxLayers: 2,
  layerEvery: 16,
  validationWindowBytes: 64,
  validationSetMinBytes: 4 << 10,
  // Fast, not grind-proof (PROTOCOL §5.9): 64 windows of 64 bytes per checkpoint.
  evalSampleWindows: 64,
  sampleMinImprovementPpm: 10_000,
  improvementGraceSecs: 60,
  improvementHalfLifeSecs: 60,
  blockWorkCapPpm: 20_000,
  maxReorgDepth: 20,
  keepCheckpoints: 32,
  heartbeatMinIntervalSecs: 60,
  socialRecoveryMinDelaySecs: 10,
  emissionReturnAgeSecs: 3_600,
  genesisTimestampSecs: 1_767_225_600,
  genesisCheckpointRootHex: "95909887e6c6d03969e0d79e249a00e362b3e7a15b7a9862020e0a10013d8e50",
  launched: true,
  evalCorpus: BUNDLED_CORPUS,
});

/** All networks by name. */
export const NETWORKS: Readonly<Record<NetworkName, NetworkParams>> = Object.freeze({
  mainnet: MAINNET,
  testnet: TESTNET,
  regtest: REGTEST,
});

/**
 * The params of a network by name; throws RangeError for an unknown name.
 *
 * @example
 * ```ts
 * import { getNetworkParams } from "./params.ts";
 * console.log(getNetworkParams("regtest").hrp); // "rrnt"
 * ```
 */
export function getNetworkParams(name: string): NetworkParams {
  if (name === "mainnet" || name === "testnet" || name === "regtest") return NETWORKS[name];
  throw new RangeError(`Unknown network: ${name}`);
}

/** The network whose magic equals `magic`, or undefined. */
export function networkByMagic(magic: Uint8Array): NetworkParams | undefined {
  return Object.values(NETWORKS).find((p) => bytesEqual(p.magic, magic));
}

/** The network whose address HRP is `hrp`, or undefined. */
export function networkByHrp(hrp: string): NetworkParams | undefined {
  return Object.values(NETWORKS).find((p) => p.hrp === hrp);
}

/**
 * Returns the list of broken invariants of `p` (empty when consistent): genesis ≤ max model, keepCheckpoints > maxReorgDepth, emission-return age above the
 * heartbeat minimum, tx size ≤ block size, 4-byte magic.
 */
export function checkNetworkParams(p: NetworkParams): string[] {
  const errors: string[] = [];
  if (p.magic.length !== 4) errors.push("magic must be 4 bytes");
  if (p.bonusFullImprovementPpm <= 0) errors.push("bonusFullImprovementPpm must be positive");
  if (p.genesisDModel > p.maxDModel) errors.push("genesisDModel above maxDModel");
  if (p.genesisLayers > p.maxLayers) errors.push("genesisLayers above maxLayers");
  if (p.genesisDModel % p.growthBaseUnits !== 0) errors.push("genesisDModel not a growth multiple");
  if (p.keepCheckpoints <= p.maxReorgDepth) {
    errors.push("keepCheckpoints must exceed maxReorgDepth");
  }
  if (p.emissionReturnAgeSecs <= p.heartbeatMinIntervalSecs) {
    errors.push("emissionReturnAgeSecs must exceed heartbeatMinIntervalSecs");
  }
  if (p.maxTxBytes > p.maxBlockBytes) errors.push("maxTxBytes above maxBlockBytes");
  if (p.validationSetMinBytes < p.validationWindowBytes) {
    errors.push("validation set below one window");
  }
  if (p.medianTimeSpan % 2 !== 1) errors.push("medianTimeSpan must be odd");
  if (p.launched && p.evalCorpus === null) errors.push("a launched network needs a pinned corpus");
  if (!(p.evalSampleWindows >= 1)) errors.push("evalSampleWindows must be positive");
  if (!(p.sampleMinImprovementPpm > 0 && p.sampleMinImprovementPpm < PPM)) {
    errors.push("sampleMinImprovementPpm must be in (0, 1e6)");
  }
  if (!(p.improvementHalfLifeSecs > 0)) errors.push("improvementHalfLifeSecs must be positive");
  if (p.improvementGraceSecs < 0) errors.push("improvementGraceSecs must not be negative");
  if (p.blockWorkCapPpm < p.sampleMinImprovementPpm) {
    errors.push("blockWorkCapPpm must be at least sampleMinImprovementPpm");
  }
  return errors;
}
