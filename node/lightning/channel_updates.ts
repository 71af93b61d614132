/**
 * A channel's update protocol as the peer drives it: `channel_reestablish` after a
 * (re)connection, and every update message (`update_add_htlc` … `revoke_and_ack`), whose
 * transition is stored before its replies go out and whose HTLC events go to htlc_handling.ts.
 *
 * @module
 */
import { toHex } from "../../core/crypto/keccak.ts";
import { ChannelError } from "../../core/lightning/channel_error.ts";
import type { ChannelMessage } from "../../core/lightning/channel_messages.ts";
import { receiveMessage } from "../../core/lightning/channel_state.ts";
import { receiveReestablish } from "../../core/lightning/channel_reestablish.ts";
import type { ChannelRecord } from "./channel_file_record.ts";
import { forceCloseChannel, maybeProposeClose } from "./channel_closing.ts";
import { commitIfNeeded, signerOf } from "./channel_steps.ts";
import { addressOf } from "./channel_transactions.ts";
import type { HtlcHandler } from "./htlc_handling.ts";
import { LnError } from "./ln_error.ts";
import { live, type ServiceCore } from "./service_core.ts";

/**
 * `channel_reestablish` from the peer: resends what it missed, our `channel_ready` and
 * `shutdown` again, and marks the channel when the peer proves we lost state.
 */
export async function onReestablish(
  core: ServiceCore,
  r: ChannelRecord,
  m: ChannelMessage & { type: "channel_reestablish" },
): Promise<void> {
  if (!live(r)) return;
  let reestablished;
  try {
    reestablished = receiveReestablish(r.state, m);
  } catch (e) {
    if (e instanceof ChannelError && e.reason === "local-lost-state" && !r.localLostState) {
      await core.save({ ...r, localLostState: true });
      core.log(
        `channel ${toHex(r.channelId)}: the peer proves we lost state; never publishing our ` +
          "commitment (ask the peer to close)",
      );
    }
    if (e instanceof ChannelError && e.reason === "peer-lost-state") {
      // The peer proves it lost its state (a restore from a static backup, §9.10): it cannot
      // sign anything new, so its money comes back only from our latest commitment (BOLT 2,
      // option_data_loss_protect). Queued: it runs after this step.
      core.log(`channel ${toHex(r.channelId)}: the peer lost its state; force closing`);
      void forceCloseChannel(core, toHex(r.channelId)).catch((f) =>
        core.log(`channel ${toHex(r.channelId)}: force close failed: ${(f as Error).message}`)
      );
    }
    throw e;
  }
  const { state, replies } = reestablished;
  const next = { ...r, state };
  await core.save(next);
  for (const reply of replies) core.send(r.peerId, reply);
  if (next.localReady) core.send(r.peerId, { type: "channel_ready", channelId: r.channelId });
  if (next.status === "shutdown" && next.localShutdown) {
    core.send(r.peerId, {
      type: "shutdown",
      channelId: r.channelId,
      address: addressOf(next.localShutdown),
    });
    maybeProposeClose(core, next);
  }
  await commitIfNeeded(core, next);
}

/** An update message from the peer: stored, answered, then its HTLC events handled. */
export async function onUpdate(
  core: ServiceCore,
  htlcs: HtlcHandler,
  r: ChannelRecord,
  m: ChannelMessage,
): Promise<void> {
  if (!live(r)) throw new LnError("bad-state", `the channel is ${r.status}`);
  await core.refresher?.beforeUpdate(r);
  const receipt = receiveMessage(r.state, m, signerOf(core, r));
  await htlcs.recordForwardOutcomes(r, receipt.events); // a preimage is never lost
  let next = { ...r, state: receipt.state };
  await core.save(next);
  for (const reply of receipt.replies) core.send(r.peerId, reply);
  for (const event of receipt.events) next = await htlcs.onEvent(next, event);
  await commitIfNeeded(core, next);
  if (next.status === "shutdown") maybeProposeClose(core, next);
}
