import assert from "node:assert/strict";
import { fundingChannelId } from "./funding_channel_id.ts";

Deno.test("fundingChannelId() XORs the output index into the txid's last two bytes", () => {
  const txid = new Uint8Array(32).fill(0xf0);
  const id = fundingChannelId({ txid, vout: 0x0102 });
  assert.deepEqual(id.slice(0, 30), txid.slice(0, 30));
  assert.equal(id[30], 0xf1);
  assert.equal(id[31], 0xf2);
  assert.deepEqual(fundingChannelId({ txid, vout: 0 }), txid);
  assert.equal(txid[31], 0xf0, "the txid is not changed");
});

Deno.test("fundingChannelId() refuses an output index above 0xffff", () => {
  assert.throws(() => fundingChannelId({ txid: new Uint8Array(32), vout: 0x10000 }), RangeError);
});
