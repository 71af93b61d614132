/**
 * Test helpers for gossip and routing (private to tests): real keys from fixed seeds, real
 * signatures, and a funding lookup over a map of outputs as a chain state would report them.
 *
 * @module
 */
import { keyPairFromSeed } from "../crypto/ed25519.ts";
import { policyHash } from "../primitives/policy_codec.ts";
import { type FundingOutput, type GossipContext, nodeKey } from "./graph.ts";
import { fundingPolicy } from "./channel_policies.ts";
import type { ChannelAnnouncement, ChannelUpdate } from "./gossip_messages.ts";
import { signChannelAnnouncement, signChannelUpdate } from "./gossip_signatures.ts";
import { compareBytes } from "./gossip_messages.ts";

/** Regtest's magic. */
export const MAGIC = new Uint8Array([0xd9, 0x52, 0x4e, 0x03]);
/** A fixed "now" for gossip (2026-12-01). */
export const NOW = 1_796_083_200;

/** A test node: its seed, id and hex key. */
export interface TestNode {
  seed: Uint8Array;
  id: Uint8Array;
  key: string;
  fundingSeed: Uint8Array;
}

/** Node `n` (1..250): seeds filled with n and n + 100. */
export function testNode(n: number): TestNode {
  const seed = new Uint8Array(32).fill(n);
  const id = keyPairFromSeed(seed).publicKey;
  return { seed, id, key: nodeKey(id), fundingSeed: new Uint8Array(32).fill(n + 100 & 0xff) };
}

/** A chain view: outputs by short channel id. */
export class TestChain {
  readonly outputs = new Map<bigint, FundingOutput>();

  /** Records the funding output of an announcement as a 2-of-2 worth `valueResonances`. */
  fund(ann: ChannelAnnouncement, valueResonances: bigint): void {
    this.outputs.set(ann.shortChannelId, {
      valueResonances,
      policyHash: policyHash(fundingPolicy(ann.fundingKey1, ann.fundingKey2)),
    });
  }

  /** A gossip context at `nowSecs` reading this chain. */
  context(nowSecs = NOW): GossipContext {
    return { magic: MAGIC, nowSecs, fundingLookup: (id) => this.outputs.get(id) };
  }
}

/** A signed announcement of a channel between two test nodes. */
export function announce(a: TestNode, b: TestNode, shortChannelId: bigint): ChannelAnnouncement {
  return signChannelAnnouncement(
    {
      nodeSeedA: a.seed,
      fundingSeedA: a.fundingSeed,
      nodeSeedB: b.seed,
      fundingSeedB: b.fundingSeed,
    },
    shortChannelId,
    MAGIC,
  );
}

/** Policy fields that override the defaults of {@linkcode update}. */
export type PolicyOverrides = Partial<
  Omit<ChannelUpdate, "signature" | "shortChannelId" | "direction">
>;

/** A `channel_update` by `from` for its direction of channel `shortChannelId` towards `to`. */
export function update(
  from: TestNode,
  to: TestNode,
  shortChannelId: bigint,
  fields: PolicyOverrides = {},
): ChannelUpdate {
  return signChannelUpdate(
    {
      shortChannelId,
      direction: compareBytes(from.id, to.id) < 0 ? 0 : 1,
      timestamp: NOW - 60,
      disabled: false,
      timeLockDeltaSecs: 3600,
      htlcMinimumMres: 1n,
      htlcMaximumMres: 1_000_000_000n,
      feeBaseMres: 1000,
      feeProportionalMillionths: 1000,
      ...fields,
    },
    from.seed,
    MAGIC,
  );
}
