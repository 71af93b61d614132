/**
 * Child process of `crash_channel_store_test.ts`: opens the channel store in `Deno.args[0]` and
 * saves channel updates as fast as it can — update n stores state number n and, in the same batch,
 * the HTLCs of revoked commitment n − 1 — printing "acked n" once each save has resolved (synced),
 * until it is killed. Starts from the stored state + 1.
 *
 * @module
 */
import { ChannelStore } from "../node/lightning/channel_store.ts";
import { CRASH_CHANNEL_ID, crashKeyRing, crashRecord, stateNumberOf } from "./ln_store_fixture.ts";

const store = await ChannelStore.open(Deno.args[0]!, crashKeyRing.storeKey());
const stored = await store.getChannel(CRASH_CHANNEL_ID);
let n = stored ? stateNumberOf(stored) + 1 : 1;
const out = Deno.stdout;
for (;;) {
  await store.saveChannel(crashRecord(n), [{
    number: BigInt(n - 1),
    htlcs: crashRecord(n).localCommit!.spec.htlcs,
  }]);
  out.writeSync(new TextEncoder().encode(`acked ${n}\n`));
  n++;
}
