/**
 * Test helper (private): both sides' records of one real channel at commitment 0, opened as the
 * Lightning service opens one (fresh secrets, real commitment signatures over the real
 * transactions), with `shutdown` addresses set.
 *
 * @module
 */
import { REGTEST } from "../../core/consensus/params.ts";
import { createChannel, initialCommitmentSpecs } from "../../core/lightning/channel_state.ts";
import type { ChannelConfig } from "../../core/lightning/channel_types.ts";
import { perCommitmentPoint } from "../../core/lightning/commitment_keys.ts";
import { fundingChannelId } from "../../core/lightning/funding_channel_id.ts";
import { fundingSigner } from "../../core/lightning/funding_signer.ts";
import { FIRST_COMMITMENT_INDEX, perCommitmentSecret } from "../../core/lightning/shachain.ts";
import { encodeAddressPayload, RecoveryKind } from "../../core/primitives/address.ts";
import type { ChannelRecord } from "./channel_file_record.ts";
import { freshChannelSecrets, limitsFor, partyParamsOf } from "./channel_setup.ts";

const point = (seed: Uint8Array, n: number) =>
  perCommitmentPoint(perCommitmentSecret(seed, FIRST_COMMITMENT_INDEX - n));

/** The funder's and the fundee's records of one channel of `fundingResonances`, `pushMres` pushed. */
export function openRecordPair(
  fundingResonances = 10n ** 8n,
  pushMres = 10n ** 10n,
): { funder: ChannelRecord; fundee: ChannelRecord } {
  const f = freshChannelSecrets(), g = freshChannelSecrets();
  const outpoint = { txid: crypto.getRandomValues(new Uint8Array(32)), vout: 1 };
  const funderConfig: ChannelConfig = {
    channelId: fundingChannelId(outpoint),
    funder: "local",
    capacityMres: fundingResonances * 1000n,
    localParams: partyParamsOf(f.secrets, 5),
    remoteParams: partyParamsOf(g.secrets, 5),
    localLimits: limitsFor(fundingResonances),
    remoteLimits: limitsFor(fundingResonances),
  };
  const fundeeConfig: ChannelConfig = {
    ...funderConfig,
    funder: "remote",
    localParams: funderConfig.remoteParams,
    remoteParams: funderConfig.localParams,
  };
  const keys = (s: typeof f) => ({
    magic: REGTEST.magic,
    fundingOutpoint: outpoint,
    fundingSeed: s.secrets.fundingSeed,
  });
  const sigForFundee = fundingSigner(funderConfig, keys(f)).signRemoteCommitment(
    initialCommitmentSpecs(funderConfig, 1, pushMres).remote,
    point(g.seed, 0),
  );
  const sigForFunder = fundingSigner(fundeeConfig, keys(g)).signRemoteCommitment(
    initialCommitmentSpecs(fundeeConfig, 1, pushMres).remote,
    point(f.seed, 0),
  );
  const address = (fill: number) =>
    encodeAddressPayload({ kind: RecoveryKind.heartbeat, hash: new Uint8Array(32).fill(fill) });
  const record = (
    config: ChannelConfig,
    own: typeof f,
    other: typeof f,
    localSig: Uint8Array,
    remoteSig: Uint8Array,
  ): ChannelRecord => ({
    channelId: config.channelId,
    peerId: "ab".repeat(32),
    weFunded: config.funder === "local",
    status: "normal",
    fundingOutpoint: outpoint,
    minimumDepth: 1,
    secrets: own.secrets,
    state: createChannel({
      config,
      localSeed: own.seed,
      feeratePerByte: 1,
      pushMres,
      remotePoints: [point(other.seed, 0), point(other.seed, 1)],
      localCommitSignature: localSig,
      remoteCommitSignature: remoteSig,
    }, fundingSigner(config, keys(own))),
    localReady: true,
    remoteReady: true,
    localShutdown: address(config.funder === "local" ? 0xf1 : 0xf2),
    remoteShutdown: address(config.funder === "local" ? 0xf2 : 0xf1),
  });
  return {
    funder: record(funderConfig, f, g, sigForFunder, sigForFundee),
    fundee: record(fundeeConfig, g, f, sigForFundee, sigForFunder),
  };
}
