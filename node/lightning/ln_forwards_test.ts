import assert from "node:assert/strict";
import { paymentHashOf } from "../../core/lightning/invoice.ts";
import { LnForwards } from "./ln_forwards.ts";

const entry = {
  inChannelId: "ab".repeat(32),
  inHtlcId: 4n,
  sharedSecret: new Uint8Array(32).fill(5),
  inAmountMres: 10_011_000n,
  outAmountMres: 10_000_000n,
};

Deno.test("LnForwards keeps a forward across a reload until it is removed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/forwards.json`;
    const book = await LnForwards.load(path);
    assert.equal(book.size, 0);
    const key = `${"cd".repeat(32)}:7`;
    await book.add(key, entry);
    const again = await LnForwards.load(path);
    assert.deepEqual(again.get(key), entry);
    assert.equal(again.hasIncoming(entry.inChannelId, 4n), true);
    assert.equal(again.hasIncoming(entry.inChannelId, 5n), false);
    await again.remove(key);
    assert.equal((await LnForwards.load(path)).size, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LnForwards refuses a damaged file with a clear error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/forwards.json`;
    await Deno.writeTextFile(path, JSON.stringify({ "x:1": { in_channel_id: "y" } }));
    await assert.rejects(LnForwards.load(path), /bad entry x:1/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LnForwards keeps the outgoing HTLC's outcome across a reload; the first one stays", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/forwards.json`;
    const book = await LnForwards.load(path);
    const fulfilled = `${"cd".repeat(32)}:7`, failed = `${"cd".repeat(32)}:8`;
    await book.add(fulfilled, entry);
    await book.add(failed, { ...entry, inHtlcId: 5n });
    const preimage = new Uint8Array(32).fill(0x11);
    assert.equal(await book.resolve(fulfilled, { kind: "fulfill", preimage }), true);
    const reason = new Uint8Array(292).fill(0x22);
    assert.equal(await book.resolve(failed, { kind: "fail", reason }), true);
    // A fulfill repeated after a reconnection changes nothing; an unknown HTLC is no forward.
    assert.equal(
      await book.resolve(fulfilled, { kind: "fulfill", preimage: new Uint8Array(32) }),
      true,
    );
    assert.equal(await book.resolve(`${"cd".repeat(32)}:9`, { kind: "fulfill", preimage }), false);
    const again = await LnForwards.load(path);
    assert.deepEqual(again.get(fulfilled)?.outcome, { kind: "fulfill", preimage });
    assert.deepEqual(again.get(failed)?.outcome, { kind: "fail", reason });
    assert.deepEqual(again.entries().map(([k]) => k).sort(), [fulfilled, failed]);
    // The fulfilled forward's preimage answers its payment hash (an on-chain claim upstream).
    assert.deepEqual(again.preimageOf(paymentHashOf(preimage)), preimage);
    assert.equal(again.preimageOf(paymentHashOf(new Uint8Array(32))), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LnForwards refuses an entry whose preimage is not 32 bytes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/forwards.json`;
    const key = `${"cd".repeat(32)}:7`;
    await Deno.writeTextFile(
      path,
      JSON.stringify({
        [key]: {
          in_channel_id: "ab".repeat(32),
          in_htlc_id: "4",
          shared_secret: "05".repeat(32),
          in_amount_mres: "2",
          out_amount_mres: "1",
          preimage: "11".repeat(31),
        },
      }),
    );
    await assert.rejects(LnForwards.load(path), new RegExp(`bad entry ${key}`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
