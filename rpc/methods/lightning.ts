/**
 * Lightning RPC methods over the node's {@linkcode LightningService} (PROTOCOL §9.11): ln_info,
 * ln_connect, ln_open, ln_invoice, ln_pay, ln_channels, ln_graph, ln_close, ln_forceclose, ln_backup,
 * ln_restore (the static channel backup, §9.10). Amounts are RNT (8 decimals) in and
 * out, with exact `_resonances` / `_mres` strings beside them. Errors carry Core's codes: −29 peer
 * not connected, −8 bad parameter or unknown peer, −5 channel not found, −1 wrong channel state
 * or a failed opening, and the wallet's own (−18 no wallet, −13 locked, −6 insufficient funds).
 *
 * @module
 */
import { RpcError, UsageError } from "../../core/errors.ts";
import { parseRntAmount } from "../../core/primitives/amount.ts";
import {
  formatRntMilliResonances,
  parseRntMilliResonances,
} from "../../core/lightning/invoice_amount.ts";
import { parseTarget } from "../../net/connman/mod.ts";
import type { Node } from "../../node/node.ts";
import {
  type ChannelSummary,
  type LightningService,
  LnError,
} from "../../node/lightning/lightning_service.ts";
import type { RouteSummary } from "../../node/lightning/payment_routes.ts";
import { fromHex, toHex } from "../../core/crypto/keccak.ts";
import type { BackupWriter } from "../../node/lightning/backup_writer.ts";
import { ChannelKeyRing } from "../../node/lightning/channel_keys.ts";
import type { RestoredChannel, RestoreReport } from "../../node/lightning/channel_restore.ts";
import { MAX_BACKUP_FILE_BYTES, StaticBackupError } from "../../node/lightning/static_backup.ts";
import { RpcCode } from "../error_codes.ts";
import { lightningWatchWallet } from "./wallet.ts";
import { isRawJson } from "../json_text.ts";
import { amountJson } from "./format.ts";
import type { NodeMethod } from "./node_method.ts";

const services = new WeakMap<Node, LightningService>();
const backups = new WeakMap<Node, LnBackupHooks>();

/** The static channel backup as the ln_backup / ln_restore methods reach it (start_node.ts). */
export interface LnBackupHooks {
  /** The writer of `<datadir>/lightning/channels.backup`. */
  readonly writer: Pick<BackupWriter, "encode" | "size">;
  /** Restores the channels of backup `bytes` opened with `backupKey` (channel_restore.ts). */
  readonly restore: (bytes: Uint8Array, backupKey: Uint8Array) => Promise<RestoreReport>;
}

/** Makes `hooks` the static backup the ln_backup / ln_restore methods of `node` use. */
export function attachLnBackup(node: Node, hooks: LnBackupHooks): void {
  backups.set(node, hooks);
}

function backupHooks(node: Node): LnBackupHooks {
  const b = backups.get(node);
  if (!b) throw new RpcError(RpcCode.MISC_ERROR, "Lightning is not running on this node");
  return b;
}

/** Largest backup accepted by ln_restore, in hex characters. */
const MAX_BACKUP_HEX = 2 * MAX_BACKUP_FILE_BYTES;

function restoredJson(c: RestoredChannel) {
  return {
    channel_id: c.channelId,
    peer: c.peer,
    address: c.address,
    capacity: amountJson(c.capacityResonances),
    capacity_resonances: c.capacityResonances.toString(),
    ...c.askedToClose === undefined ? {} : { asked_to_close: c.askedToClose },
    ...c.error === undefined ? {} : { error: c.error },
  };
}

/** Makes `service` the one the ln_* methods of `node` use (node/start_node.ts). */
export function attachLightning(node: Node, service: LightningService): void {
  services.set(node, service);
}

function ln(node: Node): LightningService {
  const s = services.get(node);
  if (!s) throw new RpcError(RpcCode.MISC_ERROR, "Lightning is not running on this node");
  return s;
}

const CODE_OF: Record<LnError["code"], number> = {
  "peer-not-connected": RpcCode.CLIENT_NODE_NOT_CONNECTED,
  "unknown-peer": RpcCode.INVALID_PARAMETER,
  "bad-amount": RpcCode.INVALID_PARAMETER,
  "channel-not-found": RpcCode.INVALID_ADDRESS_OR_KEY,
  "bad-state": RpcCode.MISC_ERROR,
  "open-failed": RpcCode.MISC_ERROR,
};

/** Runs `work`, turning LnError into RpcError with its Core code. */
async function mapped<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof LnError) throw new RpcError(CODE_OF[e.code], e.message);
    throw e;
  }
}

function rntParam(value: unknown, what: string): bigint {
  const text = typeof value === "number"
    ? String(value)
    : isRawJson(value)
    ? value.rawJSON
    : typeof value === "string"
    ? value
    : undefined;
  if (text === undefined) throw new RpcError(RpcCode.TYPE_ERROR, `${what} is not a number`);
  try {
    return parseRntAmount(text, what);
  } catch (e) {
    if (e instanceof UsageError) throw new RpcError(RpcCode.TYPE_ERROR, `Invalid ${what}`);
    throw e;
  }
}

function mresParam(value: unknown, what: string): bigint {
  const text = typeof value === "number"
    ? String(value)
    : isRawJson(value)
    ? value.rawJSON
    : typeof value === "string"
    ? value
    : undefined;
  if (text === undefined) throw new RpcError(RpcCode.TYPE_ERROR, `${what} is not a number`);
  try {
    const v = parseRntMilliResonances(text);
    if (v <= 0n) throw new Error("not positive");
    return v;
  } catch {
    throw new RpcError(RpcCode.TYPE_ERROR, `Invalid ${what}`);
  }
}

function channelId(value: unknown): string {
  if (typeof value !== "string" || !/^[0-9a-fA-F]{64}$/.test(value)) {
    throw new RpcError(RpcCode.INVALID_PARAMETER, "channel_id must be 64 hex characters");
  }
  return value.toLowerCase();
}

function hopsJson(route: RouteSummary) {
  return route.hops.map((h) => ({
    node_id: h.nodeId,
    channel: h.channel,
    amount_mres: h.amountMres.toString(),
  }));
}

function channelJson(c: ChannelSummary) {
  return {
    channel_id: c.channelId,
    peer_id: c.peerId,
    status: c.status,
    we_funded: c.weFunded,
    connected: c.connected,
    capacity: amountJson(c.capacityResonances),
    capacity_resonances: c.capacityResonances.toString(),
    local_balance_rnt: formatRntMilliResonances(c.localBalanceMres),
    local_balance_mres: c.localBalanceMres.toString(),
    remote_balance_rnt: formatRntMilliResonances(c.remoteBalanceMres),
    remote_balance_mres: c.remoteBalanceMres.toString(),
    commitment_number: Number(c.commitmentNumber),
    funding_txid: c.fundingTxid,
    funding_vout: c.fundingVout,
    close_txid: c.closeTxid ?? null,
    sweep_txid: c.sweepTxid ?? null,
    funding_age_secs: c.heartbeat?.fundingAgeSecs ?? null,
    refresh_at_age_secs: c.heartbeat?.refreshAtAgeSecs ?? null,
    force_close_at_age_secs: c.heartbeat?.forceCloseAtAgeSecs ?? null,
    refreshing: c.heartbeat?.refreshing ?? false,
  };
}

/** The Lightning methods. */
export const LIGHTNING_METHODS: readonly NodeMethod[] = [
  {
    name: "ln_info",
    category: "lightning",
    params: [],
    result:
      "{ node_id, network, listen_port, pending_openings, channels: { STATUS: count }, peers }",
    help: "This node's Lightning id (its P2P node key), channel counts by status and peers.",
    run: (node) => {
      const s = ln(node);
      const counts: Record<string, number> = {};
      for (const c of s.channels()) counts[c.status] = (counts[c.status] ?? 0) + 1;
      return {
        node_id: s.nodeId,
        network: node.params.name,
        listen_port: s.listenPort ?? null,
        pending_openings: s.pendingIncomingOpens,
        channels: counts,
        peers: s.connectedPeers(),
      };
    },
  },
  {
    name: "ln_connect",
    category: "lightning",
    params: [{
      name: "node",
      type: "string",
      required: true,
      description: "NODE_ID@HOST:PORT (or HOST:PORT to accept any id)",
    }],
    result: "{ node_id }",
    help: "Connects to a Lightning peer over P2P and remembers its address for reconnections.",
    run: (node, [target]) =>
      mapped(async () => {
        const text = String(target);
        const at = text.indexOf("@");
        const id = at < 0 ? undefined : text.slice(0, at).toLowerCase();
        if (id !== undefined && !/^[0-9a-f]{64}$/.test(id)) {
          throw new RpcError(RpcCode.INVALID_PARAMETER, "NODE_ID must be 64 hex characters");
        }
        let t;
        try {
          t = parseTarget(text.slice(at + 1), node.params.p2pPort);
        } catch (e) {
          throw new RpcError(RpcCode.INVALID_PARAMETER, (e as Error).message);
        }
        return { node_id: await ln(node).connect(t, id) };
      }),
  },
  {
    name: "ln_open",
    category: "lightning",
    params: [
      { name: "node_id", type: "string", required: true, description: "A connected peer" },
      { name: "amount", type: "amount", required: true, description: "Channel size, RNT" },
      {
        name: "push",
        type: "amount",
        required: false,
        description: "RNT given to the peer at opening (default 0)",
      },
    ],
    result: "{ channel_id, funding_txid, funding_vout }",
    help: "Opens a channel funded by the loaded wallet; returns once the funding is broadcast.",
    run: (node, [peer, amount, push]) =>
      mapped(async () => {
        const value = rntParam(amount, "amount");
        const pushRes = push === undefined || push === null ? 0n : rntParam(push, "push");
        const r = await ln(node).open(String(peer).toLowerCase(), value, pushRes * 1000n);
        return {
          channel_id: r.channelId,
          funding_txid: r.fundingTxid,
          funding_vout: r.fundingVout,
        };
      }),
  },
  {
    name: "ln_invoice",
    category: "lightning",
    params: [
      {
        name: "amount",
        type: "amount",
        required: false,
        description: "RNT asked, up to 11 decimals (null: any amount)",
      },
      { name: "description", type: "string", required: false, description: "What it is for" },
      {
        name: "expiry",
        type: "number",
        required: false,
        description: "Seconds it stays payable",
        defaultHint: "3600",
      },
      {
        name: "hints",
        type: "boolean",
        required: false,
        description: "Add route hints for our channels (false: payers route over gossip)",
        defaultHint: "true",
      },
      {
        name: "hold",
        type: "boolean",
        required: false,
        description: "Hold each HTLC paying it in flight instead of fulfilling it",
        defaultHint: "false",
      },
    ],
    result: "{ invoice, payment_hash }",
    help:
      "An invoice signed by the node key that this node settles when paid (it keeps the preimage).",
    run: (node, [amount, description, expiry, hints, hold]) =>
      mapped(async () => {
        const mres = amount === undefined || amount === null
          ? undefined
          : mresParam(amount, "amount");
        const secs = expiry === undefined || expiry === null ? 3600 : Number(expiry);
        if (!Number.isInteger(secs) || secs < 1 || secs > 0xffff_ffff) {
          throw new RpcError(RpcCode.INVALID_PARAMETER, "expiry must be 1 to 2^32 − 1 seconds");
        }
        if (hints !== undefined && hints !== null && typeof hints !== "boolean") {
          throw new RpcError(RpcCode.TYPE_ERROR, "hints must be true or false");
        }
        if (hold !== undefined && hold !== null && typeof hold !== "boolean") {
          throw new RpcError(RpcCode.TYPE_ERROR, "hold must be true or false");
        }
        const r = await ln(node).createInvoice(
          mres,
          String(description ?? ""),
          secs,
          hints !== false,
          hold === true,
        );
        return { invoice: r.invoice, payment_hash: r.paymentHash };
      }),
  },
  {
    name: "ln_pay",
    category: "lightning",
    params: [
      { name: "invoice", type: "string", required: true, description: "The payee's invoice" },
      {
        name: "amount",
        type: "amount",
        required: false,
        description: "RNT, only for an invoice without an amount",
      },
    ],
    result:
      "{ payment_hash, preimage, amount_rnt, amount_mres, channel_id, fee_mres, attempts, route: [{ node_id, channel, amount_mres }], failed_routes: [{ route, fee_mres, failure }] }",
    help: "Pays an invoice over a route of our channels and the invoice's route hints, retrying " +
      "around failing hops; errors name the failing node and its failure code.",
    run: (node, [invoice, amount]) =>
      mapped(async () => {
        if (typeof invoice !== "string") {
          throw new RpcError(RpcCode.TYPE_ERROR, "invoice must be a string");
        }
        const mres = amount === undefined || amount === null
          ? undefined
          : mresParam(amount, "amount");
        const r = await ln(node).pay(invoice, mres);
        return {
          payment_hash: r.paymentHash,
          preimage: r.preimage,
          amount_rnt: formatRntMilliResonances(r.amountMres),
          amount_mres: r.amountMres.toString(),
          channel_id: r.channelId,
          fee_mres: r.route.feeMres.toString(),
          attempts: r.attempts,
          route: hopsJson(r.route),
          failed_routes: r.failedRoutes.map((f) => ({
            route: hopsJson(f),
            fee_mres: f.feeMres.toString(),
            failure: f.failure,
          })),
        };
      }),
  },
  {
    name: "ln_channels",
    category: "lightning",
    params: [],
    result: "[{ channel_id, peer_id, status, capacity, local_balance_rnt, remote_balance_rnt, … }]",
    help: "Every channel of this node with its status and balances (closed ones included).",
    run: (node) => ln(node).channels().map(channelJson),
  },
  {
    name: "ln_graph",
    category: "lightning",
    params: [],
    result: "{ nodes: [{ node_id, alias }], channels: [{ short_channel_id, node1, node2, " +
      "capacity_mres, policies: [{ from, to, fee_base_mres, fee_proportional_millionths, " +
      "time_lock_delta_secs, htlc_minimum_mres, htlc_maximum_mres, disabled, timestamp }] }] }",
    help: "The public channel graph this node learned from gossip (its own announced channels " +
      "included), with each direction's fees: what ln_pay routes over.",
    run: (node) => {
      const g = ln(node).graph();
      if (!g) throw new RpcError(RpcCode.MISC_ERROR, "this node does not gossip");
      return {
        nodes: g.nodes.map((n) => ({ node_id: n.nodeId, alias: n.alias ?? null })),
        channels: g.channels.map((c) => ({
          short_channel_id: c.shortChannelId,
          node1: c.node1,
          node2: c.node2,
          capacity_mres: c.capacityMres?.toString() ?? null,
          policies: c.policies.map(({ from, to, update: u }) => ({
            from,
            to,
            fee_base_mres: u.feeBaseMres,
            fee_proportional_millionths: u.feeProportionalMillionths,
            time_lock_delta_secs: u.timeLockDeltaSecs,
            htlc_minimum_mres: u.htlcMinimumMres.toString(),
            htlc_maximum_mres: u.htlcMaximumMres.toString(),
            disabled: u.disabled,
            timestamp: u.timestamp,
          })),
        })),
      };
    },
  },
  {
    name: "ln_close",
    category: "lightning",
    params: [{ name: "channel_id", type: "string", required: true, description: "Hex id" }],
    result: "the channel, now shutdown",
    help: "Closes a channel cooperatively: each side's balance goes to its wallet at once.",
    run: (node, [id]) => mapped(async () => channelJson(await ln(node).close(channelId(id)))),
  },
  {
    name: "ln_forceclose",
    category: "lightning",
    params: [{ name: "channel_id", type: "string", required: true, description: "Hex id" }],
    result: "the channel, now force-closing, with close_txid (the published commitment)",
    help:
      "Publishes our latest commitment; our balance is swept to the wallet after to_self_delay.",
    run: (node, [id]) => mapped(async () => channelJson(await ln(node).forceClose(channelId(id)))),
  },
  {
    name: "ln_backup",
    category: "lightning",
    params: [],
    result: "{ backup: hex of the sealed static channel backup, channels: how many it lists }",
    help: "The static channel backup the node keeps in lightning/channels.backup (sealed with " +
      "the wallet's key): with the wallet's words it recovers each channel's balance after a " +
      "loss of the node's Lightning state (ln_restore).",
    run: (node) => {
      const { writer } = backupHooks(node);
      const bytes = writer.encode();
      if (!bytes) {
        throw new RpcError(
          RpcCode.WALLET_UNLOCK_NEEDED,
          "Error: the backup is sealed with the wallet's key: load and unlock the wallet first",
        );
      }
      return { backup: toHex(bytes), channels: writer.size };
    },
  },
  {
    name: "ln_restore",
    category: "lightning",
    params: [{
      name: "backup",
      type: "string",
      required: true,
      description: "Hex of a static channel backup (ln_backup, lightning/channels.backup)",
    }],
    result: "{ restored: [channel…], skipped: [channel…] }",
    help: "Watches each channel of a static backup this node does not know and asks its peer " +
      "to force close it (our balance comes back from the peer's commitment); known channels " +
      "are skipped. Needs the wallet that made the backup, loaded and unlocked.",
    run: async (node, [hex]) => {
      if (typeof hex !== "string" || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
        throw new RpcError(RpcCode.INVALID_PARAMETER, "backup must be hex");
      }
      if (hex.length > MAX_BACKUP_HEX) {
        throw new RpcError(RpcCode.INVALID_PARAMETER, "The backup is too large");
      }
      const hooks = backupHooks(node);
      const wallet = lightningWatchWallet(node);
      if (!wallet) {
        throw new RpcError(
          RpcCode.WALLET_UNLOCK_NEEDED,
          "Error: the backup opens with the wallet's key: load and unlock the wallet that made it",
        );
      }
      const key = new ChannelKeyRing(wallet.rootSecret).backupKey();
      let report: RestoreReport;
      try {
        report = await hooks.restore(fromHex(hex), key);
      } catch (e) {
        if (e instanceof StaticBackupError) {
          throw new RpcError(RpcCode.INVALID_PARAMETER, `Error: ${e.message}`);
        }
        throw e;
      }
      return {
        restored: report.restored.map(restoredJson),
        skipped: report.skipped.map(restoredJson),
      };
    },
  },
];
