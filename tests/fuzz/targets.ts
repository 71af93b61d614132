/**
 * The fuzz targets: every decoder of untrusted bytes or text, each with a corpus of valid
 * encodings made by the project's own encoders, the error it documents, and its canonical
 * re-encoding where the format promises one. Shared by the CI campaign
 * (`decoders_fuzz_test.ts`) and the long runs (`bench/fuzz_bench.ts`).
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  checkpointRoot,
  chunkHashes,
  merkleProof,
  verifyChunk,
} from "../../core/checkpoint/chunks.ts";
import { genesisCheckpoint } from "../../core/checkpoint/genesis_init.ts";
import { decodeCheckpoint, encodeCheckpoint } from "../../core/checkpoint/rnet.ts";
import { genesisBlock, genesisCoinbase, genesisEntry } from "../../core/consensus/genesis.ts";
import { REGTEST } from "../../core/consensus/params.ts";
import { buildChildBlock } from "../../core/consensus/testing/block_builder.ts";
import { DecodeError, ProtocolError } from "../../core/errors.ts";
import { decodeAddress, encodeAddress, RecoveryKind } from "../../core/primitives/address.ts";
import { everyNodePolicy, sampleSpend, testKey } from "../../core/primitives/_fixtures.ts";
import {
  decodeBlock,
  decodeHeader,
  encodeBlock,
  encodeHeader,
} from "../../core/primitives/block.ts";
import { pk } from "../../core/primitives/policy.ts";
import { heartbeatPolicy } from "../../core/primitives/recovery_policies.ts";
import { decodePolicy, encodePolicy } from "../../core/primitives/policy_codec.ts";
import { formatPolicy, parsePolicy } from "../../core/primitives/policy_text.ts";
import { decodeTx, encodeTx } from "../../core/primitives/tx.ts";
import { Wallet } from "../../core/wallet/wallet.ts";
import { decodeWalletData, encodeWalletData } from "../../core/wallet/wallet_data.ts";
import { WalletError, WalletFileError } from "../../core/wallet/wallet_errors.ts";
import { WalletFileKey } from "../../core/wallet/wallet_file.ts";
import { BufferedReader } from "../../net/transport/_buffered_reader.ts";
import type { ByteStream } from "../../net/transport/byte_stream.ts";
import { ConnectionClosedError } from "../../net/transport/connection_closed_error.ts";
import { PacketDecryptor, PacketEncryptor } from "../../net/transport/packet_cipher.ts";
import { SecureConnection } from "../../net/transport/secure_connection.ts";
import { LIMITS, sampleMessages } from "../../net/wire/_fixtures.ts";
import { decodeMessage, encodeMessage, type Message } from "../../net/wire/message.ts";
import { parseHost } from "../../net/wire/net_address.ts";
import { onionFromPublicKey, publicKeyFromOnion } from "../../net/wire/onion.ts";
import { testRegistry } from "../../rpc/_test_registry.ts";
import { handleJsonRpc } from "../../rpc/json_rpc.ts";
import { parseJsonBounded } from "../../rpc/json_text.ts";
import type { FuzzTarget } from "./harness.ts";

const isDecodeError = (e: unknown) => e instanceof DecodeError;
const latin1 = (bytes: Uint8Array) => String.fromCharCode(...bytes);
const fromLatin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** Text decoders see each byte as one character, so byte and text mutations are the same. */
function asLatin1(texts: readonly string[]): Uint8Array[] {
  return texts.map(fromLatin1);
}

/** Sample blocks: regtest genesis, a child with a spend, and a header-only variant. */
function sampleBlocks() {
  const genesis = genesisBlock(REGTEST);
  const child = buildChildBlock(REGTEST, genesisEntry(REGTEST), {});
  const spend = sampleSpend(REGTEST.magic).tx;
  return [genesis, child, { header: child.header, txs: [...child.txs, spend] }];
}

const wireMessages = (): Message[] => sampleMessages();

/** `id ‖ payload` P2P messages (all payload decoders: version, addr, inv, headers, ckpt…). */
export function wireMessageTarget(): FuzzTarget<Message> {
  return {
    name: "wire message",
    seeds: wireMessages().map(encodeMessage),
    decode: (bytes) => decodeMessage(bytes, LIMITS),
    isNamedError: isDecodeError,
    reencode: (m) => encodeMessage(m),
  };
}

/** 260-byte block headers. */
export function headerTarget(): FuzzTarget {
  return {
    name: "block header",
    seeds: sampleBlocks().map((b) => encodeHeader(b.header)),
    decode: decodeHeader,
    isNamedError: isDecodeError,
    reencode: (h) => encodeHeader(h as ReturnType<typeof decodeHeader>),
  };
}

/** Whole blocks (header ‖ transactions). */
export function blockTarget(): FuzzTarget {
  return {
    name: "block",
    seeds: sampleBlocks().map(encodeBlock),
    decode: (bytes) => decodeBlock(bytes, LIMITS),
    isNamedError: isDecodeError,
    reencode: (b) => encodeBlock(b as ReturnType<typeof decodeBlock>),
  };
}

/** Transactions with witnesses (policies and satisfactions inside). */
export function txTarget(): FuzzTarget {
  const txs = [sampleSpend(REGTEST.magic).tx, genesisCoinbase(REGTEST), ...sampleBlocks()[1]!.txs];
  return {
    name: "transaction",
    seeds: txs.map((tx) => encodeTx(tx)),
    decode: (bytes) => decodeTx(bytes, LIMITS.maxTxBytes),
    isNamedError: isDecodeError,
    reencode: (tx) => encodeTx(tx as ReturnType<typeof decodeTx>),
  };
}

function samplePolicies() {
  const k = (i: number) => testKey(i).publicKey;
  return [everyNodePolicy(), heartbeatPolicy(k(0), k(1), 86_400), pk(k(2))];
}

/** Binary policies. */
export function policyCodecTarget(): FuzzTarget {
  return {
    name: "policy codec",
    seeds: samplePolicies().map(encodePolicy),
    decode: decodePolicy,
    isNamedError: isDecodeError,
    reencode: (p) => encodePolicy(p as ReturnType<typeof decodePolicy>),
  };
}

/** Policy text (one-to-one with the tree, so the re-formatted text must equal the input). */
export function policyTextTarget(): FuzzTarget {
  return {
    name: "policy text",
    seeds: asLatin1(samplePolicies().map(formatPolicy)),
    decode: (bytes) => parsePolicy(latin1(bytes)),
    isNamedError: isDecodeError,
    reencode: (p) => fromLatin1(formatPolicy(p as ReturnType<typeof parsePolicy>)),
  };
}

/** Bech32m addresses (canonical up to the all-upper-case form BIP-350 also allows). */
export function addressTarget(): FuzzTarget {
  const addresses = Object.values(RecoveryKind).map((kind, i) =>
    encodeAddress(REGTEST, { kind, hash: new Uint8Array(32).fill(0x11 * (i + 1)) })
  );
  return {
    name: "address",
    seeds: asLatin1([...addresses, addresses[0]!.toUpperCase()]),
    decode: (bytes) => decodeAddress(REGTEST, latin1(bytes)),
    isNamedError: isDecodeError,
    reencode: (a, input) => {
      const text = encodeAddress(REGTEST, a as ReturnType<typeof decodeAddress>);
      const upper = latin1(input) === latin1(input).toUpperCase();
      return fromLatin1(upper ? text.toUpperCase() : text);
    },
  };
}

/** Returned by decoders that answer `undefined` for bad input, so the harness can count it. */
export class Rejected extends Error {
  constructor(what: string) {
    super(what);
    this.name = "Rejected";
  }
}

/** Tor v3 host names (and `parseHost` on the same text, which must not throw). */
export function onionTarget(): FuzzTarget<Uint8Array> {
  const keys = [1, 2, 3].map((i) => testKey(i).publicKey);
  const hosts = keys.map(onionFromPublicKey);
  return {
    name: "onion address",
    seeds: asLatin1([...hosts, hosts[0]!.slice(0, -".onion".length), hosts[1]!.toUpperCase()]),
    decode: (bytes) => {
      const text = latin1(bytes);
      parseHost(text, 9555);
      const key = publicKeyFromOnion(text);
      if (key === undefined) throw new Rejected("not a v3 onion");
      return key;
    },
    isNamedError: (e) => e instanceof Rejected,
    check: (key, input) => {
      let host = latin1(input).toLowerCase();
      if (!host.endsWith(".onion")) host += ".onion";
      assert.equal(onionFromPublicKey(key), host);
    },
  };
}

/** `.rnet` checkpoints of the smallest configs. */
export function rnetTarget(): FuzzTarget {
  const seeds = [
    encodeCheckpoint(genesisCheckpoint({ dModel: 2, nLayers: 1 }, 1)),
    encodeCheckpoint(genesisCheckpoint({ dModel: 2, nLayers: 1 }, 2)),
    encodeCheckpoint(genesisCheckpoint({ dModel: 4, nLayers: 1 }, 3)),
  ];
  return {
    name: ".rnet checkpoint",
    seeds,
    decode: (bytes) => decodeCheckpoint(bytes),
    isNamedError: isDecodeError,
    reencode: (c) => encodeCheckpoint(c as ReturnType<typeof decodeCheckpoint>),
  };
}

/**
 * `ckptchunk` messages checked against their root as the sync code does: decoding throws only
 * DecodeError and `verifyChunk` only ever answers a boolean, true just for the seeds' chunks.
 */
export function checkpointChunkTarget(): FuzzTarget<boolean> {
  // Three chunks: two of 1 MiB and a short last one, whose message stays small.
  const totalBytes = 2 * (1 << 20) + 300;
  const checkpoint = new Uint8Array(totalBytes).map((_, i) => (i * 31) & 0xff);
  const hashes = chunkHashes(checkpoint);
  const root = checkpointRoot(checkpoint);
  const lastChunk = checkpoint.subarray(2 << 20);
  const blockHash = new Uint8Array(32).fill(7);
  const valid = encodeMessage({
    type: "ckptchunk",
    blockHash,
    chunkIndex: 2,
    chunk: lastChunk,
    proof: merkleProof(hashes, 2),
  });
  return {
    name: "checkpoint chunk",
    seeds: [valid],
    decode: (bytes) => {
      const m = decodeMessage(bytes, LIMITS);
      if (m.type !== "ckptchunk") throw new Rejected(`a ${m.type} message`);
      const ok = verifyChunk(m.chunk, m.chunkIndex, totalBytes, m.proof, root);
      assert.equal(typeof ok, "boolean");
      if (ok) {
        // The block hash is not committed to by the root; everything else must be the seed's.
        assert.equal(m.chunkIndex, 2, "only the true chunk verifies");
        assert.deepEqual(m.chunk, lastChunk, "only the true chunk verifies");
        assert.deepEqual(m.proof, merkleProof(hashes, 2), "only the true proof verifies");
      }
      return ok;
    },
    isNamedError: (e) => e instanceof DecodeError || e instanceof Rejected,
    reencode: (_ok, input) => encodeMessage(decodeMessage(input, LIMITS)),
  };
}

function sampleWalletData() {
  const w = Wallet.fromMnemonic(REGTEST, "abandon ".repeat(23) + "art", "extra");
  const spec = { kind: "heartbeat", intervalSecs: 3600, recovery: { type: "own" } } as const;
  w.newAddress(spec, { label: "first" });
  w.newAddress(spec, { change: true });
  return w.toData();
}

/** Wallet plaintext JSON; whatever decodes must survive encode → decode unchanged. */
export function walletDataTarget(): FuzzTarget {
  const data = sampleWalletData();
  return {
    name: "wallet data",
    seeds: [encodeWalletData(data), encodeWalletData({ ...data, labels: { a: "b" } })],
    decode: decodeWalletData,
    isNamedError: (e) => e instanceof WalletError,
    check: (value) =>
      assert.deepEqual(
        decodeWalletData(encodeWalletData(value as ReturnType<typeof decodeWalletData>)),
        value,
      ),
  };
}

/**
 * Wallet files and backups (one format): header, MAC, AES-CBC and the plaintext decoder, with
 * the key derived once (Argon2id is not a decoder; `decodeWalletFile` runs the same steps after
 * it). Seeds include files whose plaintext is damaged but MAC-valid, so the JSON decoder is
 * reached through the file path.
 */
export async function walletFileTarget(): Promise<FuzzTarget> {
  const data = sampleWalletData();
  const kdf = { memoryKiB: 64, iterations: 1, parallelism: 1 };
  const key = await WalletFileKey.derive("file pass", kdf, new Uint8Array(16).fill(9));
  let ivCounter = 0;
  const iv = (n: number) => new Uint8Array(n).fill(++ivCounter & 0xff);
  const plain = encodeWalletData(data);
  const damaged = [plain.subarray(0, 40), plain.map((b) => (b === 0x22 ? 0x27 : b)), plain];
  const seeds = [];
  for (const p of damaged) seeds.push(await key.encrypt(p, iv));
  return {
    name: "wallet file",
    seeds,
    decode: async (bytes) => decodeWalletData(await key.decrypt(bytes)),
    isNamedError: (e) => e instanceof WalletFileError || e instanceof WalletError,
  };
}

/** A stream that yields fixed bytes, then ends. */
class BytesStream implements ByteStream {
  readonly #data: Uint8Array;
  #at = 0;
  constructor(data: Uint8Array) {
    this.#data = data;
  }
  read(buffer: Uint8Array): Promise<number | null> {
    if (this.#at >= this.#data.length) return Promise.resolve(null);
    const n = Math.min(buffer.length, this.#data.length - this.#at);
    buffer.set(this.#data.subarray(this.#at, this.#at + n));
    this.#at += n;
    return Promise.resolve(n);
  }
  write(bytes: Uint8Array): Promise<number> {
    return Promise.resolve(bytes.length);
  }
  close(): void {}
}

/**
 * Encrypted transport frames as `SecureConnection.receive` reads them: a bad tag, an oversized
 * length or an end mid-frame is ProtocolError; a clean end between frames ends the stream.
 */
export function transportFrameTarget(): FuzzTarget<Uint8Array[]> {
  const lengthKey = new Uint8Array(32).fill(1);
  const payloadKey = new Uint8Array(32).fill(2);
  const maxFrameBytes = 1 << 16;
  const encryptFrames = (frames: readonly Uint8Array[]) => {
    const encryptor = new PacketEncryptor(lengthKey, payloadKey);
    return frames.map((f) => encryptor.encrypt(f));
  };
  const join = (parts: Uint8Array[]) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
    return out;
  };
  const corpora = [
    [new Uint8Array([1, 2, 3])],
    wireMessages().slice(0, 4).map(encodeMessage),
    [new Uint8Array(0), new Uint8Array(300).fill(0xab)],
  ];
  return {
    name: "transport frame",
    seeds: corpora.map((frames) => join(encryptFrames(frames))),
    decode: async (bytes) => {
      const stream = new BytesStream(bytes);
      const connection = new SecureConnection({
        stream,
        reader: new BufferedReader(stream),
        encryptor: new PacketEncryptor(lengthKey, payloadKey),
        decryptor: new PacketDecryptor(lengthKey, payloadKey),
        peerId: new Uint8Array(32),
        sessionId: new Uint8Array(32),
        maxFrameBytes,
      });
      const frames: Uint8Array[] = [];
      for (;;) {
        try {
          frames.push(await connection.receive());
        } catch (e) {
          if (e instanceof ConnectionClosedError) return frames;
          throw e;
        }
      }
    },
    isNamedError: (e) => e instanceof ProtocolError,
    reencode: (frames) => join(encryptFrames(frames)),
  };
}

/** JSON text at the RPC boundary: only SyntaxError, whatever the nesting. */
export function jsonTextTarget(): FuzzTarget {
  const texts = [
    '{"jsonrpc":"2.0","method":"getblock","params":["00",2],"id":1}',
    '[{"method":"echo","params":[[1,{"a":null}],true,-0.5e3]},{"id":"x"}]',
    '"\\u00e9\\ud83d\\ude00"',
  ];
  return {
    name: "JSON text",
    seeds: texts.map((t) => new TextEncoder().encode(t)),
    decode: (bytes) => parseJsonBounded(new TextDecoder().decode(bytes)),
    isNamedError: (e) => e instanceof SyntaxError,
  };
}

const REPLY_STATUSES = new Set([200, 204, 400, 404, 500]);

/**
 * JSON-RPC bodies through the dispatcher: it never throws and always answers JSON or 204 (an
 * error reply is counted as the rejection).
 */
export function jsonRpcBodyTarget(): FuzzTarget {
  const { registry } = testRegistry();
  const bodies = [
    '{"jsonrpc":"2.0","method":"echo","params":[[1,"a"]],"id":7}',
    '{"method":"greet","params":{"name":"x","times":2},"id":null}',
    '[{"jsonrpc":"2.0","method":"bump"},{"method":"types","params":["s",1,true,{},[]],"id":2}]',
    '{"jsonrpc":"2.0","method":"greet","params":{"args":["a"],"greeting":"hi"},"id":[]}',
  ];
  return {
    name: "JSON-RPC body",
    seeds: bodies.map((t) => new TextEncoder().encode(t)),
    decode: async (bytes) => {
      const reply = await handleJsonRpc(
        registry,
        new TextDecoder().decode(bytes),
        { authUser: "u", walletName: undefined },
        { maxBatchSize: 64, maxReplyBytes: 1 << 16 },
      );
      assert.ok(REPLY_STATUSES.has(reply.status), `status ${reply.status}`);
      if (reply.body === null) {
        assert.equal(reply.status, 204);
        return reply;
      }
      // Counted as a rejection when the dispatcher answered a single error object.
      const json = JSON.parse(reply.body);
      if (!Array.isArray(json) && json.error) throw new Rejected(`error ${json.error.code}`);
      return reply;
    },
    isNamedError: (e) => e instanceof Rejected,
  };
}

/** Every target, in report order. */
export async function allTargets(): Promise<FuzzTarget[]> {
  return [
    wireMessageTarget(),
    headerTarget(),
    blockTarget(),
    txTarget(),
    policyCodecTarget(),
    policyTextTarget(),
    addressTarget(),
    onionTarget() as FuzzTarget,
    rnetTarget(),
    checkpointChunkTarget() as FuzzTarget,
    walletDataTarget(),
    await walletFileTarget(),
    transportFrameTarget() as FuzzTarget,
    jsonTextTarget(),
    jsonRpcBodyTarget(),
  ];
}
