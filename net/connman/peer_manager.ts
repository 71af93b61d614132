/**
 * The node's peer-to-peer side: listens for inbound peers (capped, with eviction), keeps up to 8
 * outbound connections (`--connect` targets only, else `--addnode` targets plus addresses from
 * the address manager, `--seednode`, DNS seeds and fixed seeds to learn some when it knows none),
 * optionally through a SOCKS5 proxy (Tor,
 * `.onion` peers), relays addresses into the address manager (`<datadir>/peers.dat`), bans and
 * discourages misbehaving peers, and runs the block/transaction sync ({@link BlockSync}).
 *
 * @module
 */
import { toHex } from "../../core/crypto/keccak.ts";
import { AddrMan, loadPeers, PEERS_FILE_NAME, savePeers } from "../addrman/mod.ts";
import { BanList, DEFAULT_BAN_SECS } from "../peer/ban_list.ts";
import { Peer, randomNonce } from "../peer/peer.ts";
import { connectSecureViaProxy, type Socks5ProxyOptions } from "../socks5/mod.ts";
import { BlockSync, type BlockSyncOptions } from "../sync/block_sync.ts";
import type { SyncNode } from "../sync/sync_node.ts";
import {
  acceptSecure,
  connectSecure,
  type NodeIdentity,
  type SecureConnection,
  SecureTransport,
} from "../transport/mod.ts";
import {
  type AddrEntry,
  formatHost,
  formatNetAddress,
  MAX_ADDR_ENTRIES,
  type Message,
  parseHost,
  PROTOCOL_VERSION,
  Services,
  type VersionPayload,
} from "../wire/mod.ts";
import { formatTarget, type PeerTarget } from "./target.ts";

/** Settings of the peer manager. */
export interface PeerManagerOptions {
  /** The node (chainstate, mempool, submit, log). */
  readonly node: SyncNode;
  /** The node's identity key (`<datadir>/node.key`). */
  readonly identity: NodeIdentity;
  /** Data directory for `peers.dat` and `banlist.json`; none: nothing persisted. */
  readonly datadir?: string;
  /** Where to listen; undefined: no inbound connections. Port 0 picks a free port. */
  readonly listen?: { readonly hostname: string; readonly port: number };
  /** Connect only to these peers (`--connect`). */
  readonly connect?: readonly PeerTarget[];
  /** No automatic outbound connections and no `addnode` ones (`--connect 0`). */
  readonly noAutoConnect?: boolean;
  /** Peers to keep connected in addition (`--addnode`). */
  readonly addnode?: readonly PeerTarget[];
  /** Peers asked for addresses when the table is empty (`--seednode`). */
  readonly seednode?: readonly PeerTarget[];
  /**
   * DNS seeds: names whose A/AAAA records are added to the table (at the entry's port) when it
   * is empty (the network's `dnsSeeds`, `--dnsseed`).
   */
  readonly dnsSeeds?: readonly PeerTarget[];
  /** Asked for addresses like `seednode` when the DNS seeds gave nothing (`fixedSeeds`). */
  readonly fixedSeeds?: readonly PeerTarget[];
  /** Give up on one DNS seed after this many ms (default 5000). */
  readonly dnsTimeoutMs?: number;
  /** Inbound connection cap (`--maxconnections`, default 125). */
  readonly maxInbound?: number;
  /** Outbound connection target (default 8). */
  readonly maxOutbound?: number;
  /** SOCKS5 proxy for outbound connections (`--proxy`); `.onion` peers need one. */
  readonly proxy?: Socks5ProxyOptions;
  /** Software name sent in `version`. */
  readonly userAgent?: string;
  /** Peer keepalive: ping interval (default 30 s). */
  readonly pingIntervalMs?: number;
  /** Peer keepalive: pong timeout (default 20 s). */
  readonly pingTimeoutMs?: number;
  /** Outbound maintenance period (default 1 s). */
  readonly maintainMs?: number;
  /**
   * Period of re-announcing this node's own transactions no peer is known to hold yet (the
   * node's unbroadcast set), ms (default 30 s).
   */
  readonly rebroadcastMs?: number;
  /** Sync tuning. */
  readonly sync?: BlockSyncOptions;
  /** Message flood cap per peer and second (default 2000). */
  readonly maxMessagesPerSecond?: number;
}

/**
 * Receives the Lightning side of peer connections (the node's Lightning service): peers whose
 * handshake finished, their `ln_*` messages (ids 0x80–0xbf, payload undecoded, in order: the
 * peer's next message waits for the returned promise), and their disconnection.
 */
export interface LnPeerHandler {
  /** A peer finished its handshake. */
  peerReady(peer: Peer): void;
  /** An `ln_*` message from `peer`. */
  message(peer: Peer, id: number, payload: Uint8Array): Promise<void> | void;
  /** A ready peer disconnected. */
  peerClosed(peer: Peer): void;
}

/** Why an outbound connection exists. */
export type ConnectionKind = "inbound" | "manual" | "outbound" | "seed" | "onetry";

interface Slot {
  peer: Peer;
  kind: ConnectionKind;
  target?: string;
}

function isLoopback(host: string): boolean {
  return host.startsWith("127.") || host === "::1" || host === "localhost";
}

/** Runs all peer connections of one node. */
export class PeerManager {
  /** The address manager (persisted in peers.dat). */
  addrMan: AddrMan;
  /** Banned / discouraged addresses. */
  readonly bans = new BanList();
  /** The block sync. */
  readonly sync: BlockSync;
  readonly #opts: PeerManagerOptions;
  readonly #node: SyncNode;
  readonly #transport: SecureTransport;
  readonly #slots = new Map<number, Slot>();
  readonly #connecting = new Set<string>();
  readonly #lastAttempt = new Map<string, number>();
  readonly #ownNonces = new Set<bigint>();
  readonly #added = new Map<string, PeerTarget>();
  readonly #announcedTxs = new Set<string>();
  readonly #unreachable = new Set<string>();
  readonly #relayedAddrs = new Map<string, number>();
  readonly #tasks = new Set<Promise<unknown>>();
  #listener: Deno.Listener | undefined;
  #nextId = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #unsubscribe: (() => void) | undefined;
  #warnedNoPeers = false;
  #startedMs = performance.now();
  #lastSaveMs = performance.now();
  #lastRebroadcastMs = performance.now();
  #seeded = false;
  #ln: LnPeerHandler | undefined;
  /** Whether networking is active (RPC `setnetworkactive` is not offered; always true). */
  readonly networkActive = true;

  /** @param options Settings. */
  constructor(options: PeerManagerOptions) {
    this.#opts = options;
    this.#node = options.node;
    this.#transport = new SecureTransport({
      networkMagic: options.node.params.magic,
      identity: options.identity,
    });
    this.addrMan = new AddrMan({ allowUnroutable: options.node.params.name === "regtest" });
    this.sync = new BlockSync(options.node, () => this.peers(), options.sync, (peer, m) => {
      peer.misbehavior ??= m;
      this.#discourage(peer);
    });
    for (const t of options.addnode ?? []) this.#added.set(formatTarget(t), t);
  }

  /** This node's id (Ed25519 public key). */
  get nodeId(): Uint8Array {
    return this.#transport.nodeId;
  }

  /** The port we listen on, or undefined. */
  get listenPort(): number | undefined {
    return this.#listener ? (this.#listener.addr as Deno.NetAddr).port : undefined;
  }

  /** Connected peers whose handshake finished. */
  peers(): Peer[] {
    return [...this.#slots.values()].map((s) => s.peer).filter((p) => p.ready);
  }

  /** Connected peers with how they were made. */
  connections(): { peer: Peer; kind: ConnectionKind }[] {
    return [...this.#slots.values()].filter((s) => s.peer.ready).map((s) => ({
      peer: s.peer,
      kind: s.kind,
    }));
  }

  /** Added nodes (`--addnode` and RPC `addnode add`) with whether each is connected. */
  addedNodes(): { target: string; connected: boolean }[] {
    return [...this.#added.keys()].map((target) => ({
      target,
      connected: [...this.#slots.values()].some((s) => s.target === target && s.peer.ready),
    }));
  }

  /** Hands `ln_*` messages and peer arrivals/departures to `handler` (before: they are dropped). */
  setLnHandler(handler: LnPeerHandler | undefined): void {
    this.#ln = handler;
  }

  /** Loads peers.dat and the ban list, starts listening, connecting and syncing. */
  async start(): Promise<void> {
    const dir = this.#opts.datadir;
    if (dir) {
      this.addrMan = await loadPeers(`${dir}/${PEERS_FILE_NAME}`, this.#node.params.magic, {
        allowUnroutable: this.#node.params.name === "regtest",
        warn: (m) => this.#log(m),
      });
      await this.bans.load(`${dir}/banlist.json`);
    }
    if (this.#opts.listen) {
      this.#listener = Deno.listen({ ...this.#opts.listen, transport: "tcp" });
      this.#log(
        `listening for peers on ${
          formatTarget({ host: this.#opts.listen.hostname, port: this.listenPort! })
        }`,
      );
      this.#track(this.#acceptLoop(this.#listener));
    }
    this.#unsubscribe = this.#node.chainstate.onTipChange((change) => {
      if (change.connected.length > 0) this.sync.announceBlock(change.tip.hash);
    });
    this.sync.start();
    this.#announcePeerSearch();
    const loop = () => {
      if (this.#stopped) return;
      this.#maintain();
      this.#timer = setTimeout(loop, this.#opts.maintainMs ?? 1000);
    };
    this.#timer = setTimeout(loop, 0);
  }

  /** Disconnects everyone, stops listening and saves peers.dat and the ban list. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#unsubscribe?.();
    this.#listener?.close();
    for (const s of this.#slots.values()) s.peer.disconnect("shutting down");
    await this.sync.stop();
    // A TCP connect to an unreachable host cannot be aborted: do not wait for it for long.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.allSettled([...this.#tasks]),
      new Promise((r) => timer = setTimeout(r, 3000)),
    ]);
    clearTimeout(timer);
    await this.#save();
  }

  /** Opens a connection now (RPC `addnode … onetry`); resolves when it is up or failed. */
  async connectTo(target: PeerTarget, kind: ConnectionKind = "onetry"): Promise<Peer> {
    return await this.#outbound(target, kind);
  }

  /** Adds a peer to keep connected (RPC `addnode add`); false when already added. */
  addNode(target: PeerTarget): boolean {
    const key = formatTarget(target);
    if (this.#added.has(key)) return false;
    this.#added.set(key, target);
    return true;
  }

  /** Forgets an added peer (RPC `addnode remove`); false when it was not added. */
  removeNode(target: PeerTarget): boolean {
    return this.#added.delete(formatTarget(target));
  }

  /** Disconnects the peer with this address or id; false when none matched. */
  disconnectNode(match: { address?: string; id?: number }): boolean {
    for (const s of this.#slots.values()) {
      if (
        (match.id !== undefined && s.peer.id === match.id) ||
        (match.address !== undefined &&
          (s.peer.address === match.address || s.target === match.address))
      ) {
        s.peer.disconnect("disconnected by request");
        return true;
      }
    }
    return false;
  }

  /** Bans an IP address and disconnects its peers. */
  ban(host: string, secs = DEFAULT_BAN_SECS, reason = "manual"): void {
    this.bans.ban(host, secs, reason);
    for (const s of this.#slots.values()) {
      if (s.peer.host === host) s.peer.disconnect("banned");
    }
    void this.#saveBans();
  }

  /** Lifts a ban. */
  unban(host: string): boolean {
    const had = this.bans.unban(host);
    void this.#saveBans();
    return had;
  }

  /** Removes every ban. */
  clearBans(): void {
    this.bans.clear();
    void this.#saveBans();
  }

  #log(line: string): void {
    this.#node.logger.log(`p2p: ${line}`);
  }

  /** Detail for `-debug=net` when the node's logger has categories, else a plain line. */
  #detail(line: string): void {
    const logger = this.#node.logger as {
      log(line: string): void;
      debug?(category: "net", line: string): void;
    };
    if (logger.debug) logger.debug("net", `p2p: ${line}`);
    else logger.log(`p2p: ${line}`);
  }

  #track(task: Promise<unknown>): void {
    const t = task.catch((e) => this.#log(`task failed: ${(e as Error)?.stack ?? e}`));
    this.#tasks.add(t);
    t.finally(() => this.#tasks.delete(t));
  }

  /** The ban-list key of a peer: its IP, or its node id on loopback (tests, local nodes). */
  #banKey(host: string, nodeId?: string): string {
    return isLoopback(host) && nodeId ? `id:${nodeId}` : host;
  }

  #localVersion(nonce: bigint): VersionPayload {
    const tip = this.#node.chainstate.tip();
    return {
      networkMagic: this.#node.params.magic,
      protocolVersion: PROTOCOL_VERSION,
      services: Services.network | Services.checkpoints,
      bestHeight: tip.height,
      tipHash: tip.hash,
      tipLossMicroNats: tip.header.sampleLossMicroNats,
      nonce,
      userAgent: this.#opts.userAgent ?? "/rnt:0.1.0/",
      listenPort: this.listenPort ?? 0,
    };
  }

  #newPeer(conn: SecureConnection, host: string, port: number, inbound: boolean): Peer {
    return new Peer({
      id: this.#nextId++,
      connection: conn,
      host,
      port,
      inbound,
      limits: this.#node.params,
      ...(this.#opts.pingIntervalMs ? { pingIntervalMs: this.#opts.pingIntervalMs } : {}),
      ...(this.#opts.pingTimeoutMs ? { pingTimeoutMs: this.#opts.pingTimeoutMs } : {}),
      ...(this.#opts.maxMessagesPerSecond
        ? { maxMessagesPerSecond: this.#opts.maxMessagesPerSecond }
        : {}),
    });
  }

  async #acceptLoop(listener: Deno.Listener): Promise<void> {
    while (!this.#stopped) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch {
        return;
      }
      this.#track(this.#inbound(conn));
    }
  }

  #inboundCount(): number {
    return [...this.#slots.values()].filter((s) => s.kind === "inbound").length;
  }

  /** Evicts one inbound peer to make room; false when every one is protected. */
  #evictInbound(): boolean {
    const inbound = [...this.#slots.values()].filter((s) => s.kind === "inbound").map((s) =>
      s.peer
    );
    // Protect the fastest and the latest block-givers (up to 4 each, a quarter of the slots).
    const keep = Math.min(4, Math.floor(inbound.length / 4));
    const protectedIds = new Set<number>();
    [...inbound].sort((a, b) => (a.pingMs ?? 1e9) - (b.pingMs ?? 1e9)).slice(0, keep)
      .forEach((p) => protectedIds.add(p.id));
    [...inbound].filter((p) => p.lastBlockSecs > 0).sort((a, b) =>
      b.lastBlockSecs - a.lastBlockSecs
    )
      .slice(0, keep).forEach((p) => protectedIds.add(p.id));
    const candidates = inbound.filter((p) => !protectedIds.has(p.id));
    if (candidates.length === 0) return false;
    const youngest = candidates.reduce((a, b) => (b.connectedSecs >= a.connectedSecs ? b : a));
    youngest.disconnect("evicted to make room for an inbound peer");
    return true;
  }

  async #inbound(conn: Deno.Conn): Promise<void> {
    const remote = conn.remoteAddr as Deno.NetAddr;
    if (!isLoopback(remote.hostname) && this.bans.isBanned(remote.hostname)) {
      conn.close();
      return;
    }
    const cap = this.#opts.maxInbound ?? 125;
    if (this.#inboundCount() >= cap && !this.#evictInbound()) {
      conn.close();
      return;
    }
    let secure: SecureConnection;
    try {
      secure = await acceptSecure(this.#transport, conn, { signal: AbortSignal.timeout(10_000) });
    } catch {
      return;
    }
    if (this.bans.isBanned(this.#banKey(remote.hostname, toHex(secure.peerId)))) {
      secure.close();
      return;
    }
    const peer = this.#newPeer(secure, remote.hostname, remote.port, true);
    await this.#runPeer(peer, { peer, kind: "inbound" }, randomNonce());
  }

  async #outbound(target: PeerTarget, kind: ConnectionKind): Promise<Peer> {
    const key = formatTarget(target);
    this.#connecting.add(key);
    this.#lastAttempt.set(key, performance.now());
    const address = parseHost(target.host, target.port);
    let secure: SecureConnection;
    try {
      const signal = AbortSignal.timeout(10_000);
      if (this.#opts.proxy) {
        secure = await connectSecureViaProxy(this.#transport, {
          proxy: this.#opts.proxy,
          hostname: target.host,
          port: target.port,
          signal,
        });
      } else {
        if (target.host.endsWith(".onion")) {
          throw new Error("an .onion peer needs --proxy (Tor's SOCKS5 port)");
        }
        secure = await connectSecure(this.#transport, {
          hostname: target.host,
          port: target.port,
          signal,
        });
      }
    } catch (e) {
      this.#connecting.delete(key);
      if (address) this.addrMan.attempt(address);
      throw e;
    }
    const peer = this.#newPeer(secure, target.host, target.port, false);
    const nonce = randomNonce();
    this.#ownNonces.add(nonce);
    const slot: Slot = { peer, kind, target: key };
    const ready = new Promise<Peer>((resolve, reject) => {
      this.#track(
        this.#runPeer(peer, slot, nonce, () => {
          this.#connecting.delete(key);
          if (address) {
            // A node we reached is worth remembering (peers.dat) for the next start.
            const entry = {
              address,
              services: peer.version?.services ?? 0n,
              lastSeenSecs: nowSecs(),
            };
            this.addrMan.add([entry], address);
            this.addrMan.good(address);
          }
          resolve(peer);
        }).finally(() => {
          this.#connecting.delete(key);
          this.#ownNonces.delete(nonce);
          reject(new Error(`connection to ${key} failed: ${peer.closeReason}`));
        }),
      );
    });
    return await ready;
  }

  async #runPeer(peer: Peer, slot: Slot, nonce: bigint, onReady?: () => void): Promise<void> {
    this.#slots.set(peer.id, slot);
    let lnReady = false;
    try {
      try {
        await peer.handshake(this.#localVersion(nonce), (n) => this.#ownNonces.has(n));
      } catch (e) {
        this.#discourage(peer);
        if (!peer.inbound) {
          // Addresses from the table fail often (gone, full): detail unless the user named it.
          const line = `could not connect to ${peer.address}: ${(e as Error).message}`;
          if (slot.kind === "outbound") this.#detail(line);
          else this.#log(line);
        }
        return;
      }
      if (this.#stopped) {
        peer.disconnect("shutting down");
        return;
      }
      if (this.peers().some((p) => p !== peer && p.nodeId === peer.nodeId)) {
        peer.disconnect("already connected to this node id");
        return;
      }
      const v = peer.version!;
      this.#log(
        `peer ${peer.id} connected: ${peer.address} ${slot.kind} ${v.userAgent} ` +
          `height=${v.bestHeight} id=${peer.nodeId.slice(0, 16)}`,
      );
      if (peer.inbound && v.listenPort !== 0) {
        const self = parseHost(peer.host, v.listenPort);
        if (self) {
          const entry = { address: self, services: v.services, lastSeenSecs: nowSecs() };
          this.addrMan.add([entry], self);
          this.#relayAddresses([entry], peer);
        }
      }
      onReady?.();
      if (!peer.inbound) peer.send({ type: "getaddr" });
      this.sync.peerConnected(peer);
      lnReady = true;
      this.#ln?.peerReady(peer);
      if (this.#node.mempool.count > 0) {
        peer.send({
          type: "inv",
          items: this.#node.mempool.entries().slice(0, 50_000).map((e) => ({
            type: 2,
            hash: e.txid,
          })),
        });
      }
      await peer.run((p, m) => this.#onMessage(p, m, slot));
      this.#discourage(peer);
      this.#log(`peer ${peer.id} disconnected: ${peer.address} (${peer.closeReason})`);
    } finally {
      this.#slots.delete(peer.id);
      this.sync.peerDisconnected(peer);
      if (lnReady) this.#ln?.peerClosed(peer);
    }
  }

  #discourage(peer: Peer): void {
    const m = peer.misbehavior;
    if (!m) return;
    const key = this.#banKey(peer.host, peer.nodeId);
    this.bans.ban(key, DEFAULT_BAN_SECS, m.reason);
    this.#log(`discouraging ${key} for 24 h: ${m.reason} (${m.message})`);
    void this.#saveBans();
  }

  async #onMessage(peer: Peer, message: Message, slot: Slot): Promise<void> {
    if (message.type === "getaddr") {
      if (!peer.inbound || peer.answeredGetAddr) return;
      peer.answeredGetAddr = true;
      // The live listening peers first (small networks), then a sample of the table.
      const entries = [...this.#liveAddresses(peer), ...this.addrMan.getAddresses()];
      peer.send({ type: "addr", entries: entries.slice(0, MAX_ADDR_ENTRIES) });
      return;
    }
    if (message.type === "addr") {
      const source = parseHost(peer.host, peer.port);
      const added = source ? this.addrMan.add(message.entries, source, 2 * 3600) : 0;
      if (message.entries.length <= 10) this.#relayAddresses(message.entries, peer);
      if (slot.kind === "seed") {
        // A seed that knows nobody else is the whole network (a small testnet): keep it.
        if (added > 0) peer.disconnect("seed node answered");
        else slot.kind = "outbound";
      }
      return;
    }
    if (message.type === "ln") {
      await this.#ln?.message(peer, message.id, message.payload);
      return;
    }
    await this.sync.handle(peer, message);
  }

  /** Listening addresses of connected inbound peers (other than `except`). */
  #liveAddresses(except: Peer): AddrEntry[] {
    const out: AddrEntry[] = [];
    for (const { peer } of this.connections()) {
      if (peer === except || !peer.inbound || !peer.version?.listenPort) continue;
      const address = parseHost(peer.host, peer.version.listenPort);
      if (address) {
        out.push({ address, services: peer.version.services, lastSeenSecs: nowSecs() });
      }
    }
    return out;
  }

  /** Passes fresh addresses on to up to two other peers, each address once a day. */
  #relayAddresses(entries: readonly AddrEntry[], from: Peer): void {
    const now = nowSecs();
    const fresh = entries.filter((e) => {
      if (Math.abs(now - e.lastSeenSecs) > 600) return false;
      const key = formatNetAddress(e.address);
      const last = this.#relayedAddrs.get(key);
      if (last !== undefined && now - last < 86_400) return false;
      this.#relayedAddrs.set(key, now);
      return true;
    });
    if (this.#relayedAddrs.size > 10_000) this.#relayedAddrs.clear();
    if (fresh.length === 0) return;
    const others = this.peers().filter((p) => p !== from);
    for (let i = 0; i < 2 && others.length > 0; i++) {
      const [target] = others.splice(Math.floor(Math.random() * others.length), 1);
      target!.send({ type: "addr", entries: fresh });
    }
  }

  /** Says on start how this node will find peers, or how to give it some. */
  #announcePeerSearch(): void {
    const o = this.#opts;
    if (o.connect?.length || o.noAutoConnect) return; // node_p2p says whom it connects to
    const seeds = (o.seednode?.length ?? 0) + (o.dnsSeeds?.length ?? 0) +
      (o.fixedSeeds?.length ?? 0);
    const known = this.addrMan.size;
    const added = o.addnode?.length ?? 0;
    if (seeds + known + added > 0) {
      this.#log(
        `looking for peers: ${seeds} seed${seeds === 1 ? "" : "s"} ` +
          `(${o.seednode?.length ?? 0} --seednode, ${o.dnsSeeds?.length ?? 0} DNS, ` +
          `${o.fixedSeeds?.length ?? 0} fixed), ${known} known address${known === 1 ? "" : "es"} ` +
          `(peers.dat), ${added} --addnode peer${added === 1 ? "" : "s"}`,
      );
      return;
    }
    this.#log(
      `no peers: start another node with --connect/--addnode HOST:PORT or see README ` +
        `'Running a local testnet'${
          this.listenPort === undefined
            ? ""
            : `; waiting for inbound peers on port ${this.listenPort}`
        }`,
    );
  }

  /** Resolves the DNS seeds into the table; asks the fixed seeds when that gave nothing. */
  async #querySeeds(): Promise<void> {
    const timeoutMs = this.#opts.dnsTimeoutMs ?? 5000;
    for (const seed of this.#opts.dnsSeeds ?? []) {
      if (this.#stopped) return;
      const hosts: string[] = [];
      for (const type of ["A", "AAAA"] as const) {
        try {
          hosts.push(
            ...await Deno.resolveDns(seed.host, type, { signal: AbortSignal.timeout(timeoutMs) }),
          );
        } catch {
          // no records of this type, or no answer in time
        }
      }
      const entries = hosts.flatMap((h) => {
        const address = parseHost(h, seed.port);
        return address ? [{ address, services: 0n, lastSeenSecs: nowSecs() }] : [];
      });
      const added = entries.length ? this.addrMan.add(entries, entries[0]!.address) : 0;
      this.#log(
        `DNS seed ${formatTarget(seed)}: ${hosts.length} address${hosts.length === 1 ? "" : "es"}` +
          (hosts.length ? `, ${added} new` : " (no answer)"),
      );
    }
    if (this.addrMan.size === 0 && !this.#stopped) {
      for (const t of this.#opts.fixedSeeds ?? []) this.#dial(t, "seed", 0);
    }
  }

  #maintain(): void {
    if (this.#stopped) return;
    const connectOnly = this.#opts.connect ?? [];
    const onlyListed = connectOnly.length > 0 || this.#opts.noAutoConnect === true;
    const targets = onlyListed
      ? connectOnly.map((t) => ({ t, kind: "manual" as const }))
      : [...this.#added.values()].map((t) => ({ t, kind: "manual" as const }));
    for (const { t, kind } of targets) this.#dial(t, kind, 2000);
    if (!onlyListed) {
      const outbound = [...this.#slots.values()].filter((s) => s.kind === "outbound").length +
        this.#connecting.size;
      if (!this.#seeded && this.addrMan.size === 0) {
        this.#seeded = true;
        for (const t of this.#opts.seednode ?? []) this.#dial(t, "seed", 0);
        this.#track(this.#querySeeds());
      }
      let budget = (this.#opts.maxOutbound ?? 8) - outbound;
      for (let tries = 0; budget > 0 && tries < 10; tries++) {
        const info = this.addrMan.select();
        if (!info) break;
        const host = formatHost(info.address);
        const t = { host, port: info.address.port };
        if (this.#isConnectedTo(t) || this.bans.isBanned(host)) continue;
        if (this.listenPort === t.port && isLoopback(host)) continue;
        if (this.#dial(t, "outbound", 60_000)) budget--;
      }
    }
    this.#pollMempool();
    const now = performance.now();
    if (now - this.#lastRebroadcastMs >= (this.#opts.rebroadcastMs ?? 30_000)) {
      this.#lastRebroadcastMs = now;
      this.#rebroadcast();
    }
    if (!this.#warnedNoPeers && now - this.#startedMs > 30_000 && this.#slots.size === 0) {
      this.#warnedNoPeers = true;
      this.#log(
        "no peers connected: no reachable peers known; start another node with " +
          "--connect/--addnode HOST:PORT (README 'Running a local testnet'); the node keeps " +
          "running and retrying",
      );
    }
    if (now - this.#lastSaveMs > 15 * 60_000) {
      this.#lastSaveMs = now;
      this.#track(this.#save());
    }
  }

  #isConnectedTo(t: PeerTarget): boolean {
    const key = formatTarget(t);
    if (this.#connecting.has(key)) return true;
    for (const s of this.#slots.values()) {
      if (s.target === key || s.peer.address === key) return true;
    }
    return false;
  }

  /** Starts a connection unless one exists or was tried within `retryMs`. */
  #dial(t: PeerTarget, kind: ConnectionKind, retryMs: number): boolean {
    const key = formatTarget(t);
    if (this.#isConnectedTo(t)) return false;
    const last = this.#lastAttempt.get(key);
    if (last !== undefined && performance.now() - last < retryMs) return false;
    const attempt = this.#outbound(t, kind).then(() => this.#unreachable.delete(key), (e) => {
      // Say so once per target (and again after it was reachable), not on every retry.
      if (kind !== "outbound" && !this.#unreachable.has(key)) {
        this.#unreachable.add(key);
        this.#log(`cannot reach ${key}: ${(e as Error).message} (retrying)`);
      }
    });
    this.#track(attempt);
    return true;
  }

  #pollMempool(): void {
    const fresh: Uint8Array[] = [];
    const current = new Set<string>();
    for (const e of this.#node.mempool.entries()) {
      const k = toHex(e.txid);
      current.add(k);
      if (!this.#announcedTxs.has(k)) fresh.push(e.txid);
    }
    this.#announcedTxs.clear();
    for (const k of current) this.#announcedTxs.add(k);
    this.sync.announceTxs(fresh);
  }

  /**
   * Announces again this node's own transactions that no peer has announced back, to every peer;
   * forgets those that left the mempool (mined, conflicted, evicted).
   */
  #rebroadcast(): void {
    const unbroadcast = this.#node.unbroadcast;
    if (!unbroadcast) return;
    const mempool = this.#node.mempool;
    unbroadcast.retain((id) => mempool.has(id));
    if (unbroadcast.size === 0 || this.peers().length === 0) return;
    this.sync.announceTxs(unbroadcast.ids().slice(0, 50_000));
  }

  async #save(): Promise<void> {
    const dir = this.#opts.datadir;
    if (!dir) return;
    try {
      await savePeers(`${dir}/${PEERS_FILE_NAME}`, this.addrMan, this.#node.params.magic);
    } catch (e) {
      this.#log(`could not save ${PEERS_FILE_NAME}: ${(e as Error).message}`);
    }
    await this.#saveBans();
  }

  async #saveBans(): Promise<void> {
    const dir = this.#opts.datadir;
    if (!dir) return;
    await this.bans.save(`${dir}/banlist.json`).catch(() => {});
  }
}

function nowSecs(): number {
  return Math.floor(Date.now() / 1000);
}
