import assert from "node:assert/strict";
import { FileLogger, formatLogLine, isProblemMessage, parseDebugCategories } from "./logger.ts";

Deno.test.sanitizer({ ops: true, resources: true });

Deno.test("formatLogLine() prefixes an ISO-8601 UTC timestamp", () => {
  assert.equal(
    formatLogLine("hi", Date.UTC(2026, 0, 2, 3, 4, 5, 6)),
    "2026-01-02T03:04:05.006Z hi",
  );
});

Deno.test("FileLogger appends one line per message and keeps earlier content", async () => {
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(path, "old\n");
    let t = 0;
    const log = FileLogger.open(path, { stderr: false, nowMs: () => (t += 1000) });
    log.log("first");
    log.log("second");
    log.close();
    log.log("after close goes nowhere");
    assert.equal(
      await Deno.readTextFile(path),
      "old\n1970-01-01T00:00:01.000Z first\n1970-01-01T00:00:02.000Z second\n",
    );
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("debug lines are written only for the categories switched on", async () => {
  const path = await Deno.makeTempFile();
  try {
    const log = FileLogger.open(path, { stderr: false, nowMs: () => 0, debug: ["net"] });
    log.debug("net", "peer 1 connected");
    log.debug("rpc", "getblockcount");
    log.close();
    assert.equal(
      await Deno.readTextFile(path),
      "1970-01-01T00:00:00.000Z [net] peer 1 connected\n",
    );
    const all = FileLogger.open(path, { stderr: false, nowMs: () => 0, debug: ["all"] });
    assert.ok(all.debugEnabled("rpc") && all.debugEnabled("mempool"));
    all.close();
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("parseDebugCategories reads Core's -debug values and names unknown ones", () => {
  assert.deepEqual(parseDebugCategories(["net"]), ["net"]);
  assert.deepEqual(parseDebugCategories(["1"]), ["all"]);
  assert.deepEqual(parseDebugCategories(["net,rpc"]), ["net", "rpc"]);
  assert.deepEqual(parseDebugCategories(["net", "0"]), []);
  assert.throws(() => parseDebugCategories(["nett"]), /unknown debug category 'nett' \(known: net/);
});

Deno.test("the log rotates past its size limit, keeping one old file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/debug.log`;
    const log = FileLogger.open(path, { stderr: false, nowMs: () => 0, maxBytes: 100 });
    for (let i = 0; i < 10; i++) log.log(`line ${i}`); // 33 bytes each: 3 per file
    log.close();
    const current = await Deno.readTextFile(path);
    const old = await Deno.readTextFile(`${path}.1`);
    assert.match(current, /line 9\n$/);
    assert.ok(current.length <= 100 && old.length <= 100);
    assert.match(old, /line 6\n/);
    assert.equal((await Array.fromAsync(Deno.readDir(dir))).length, 2);
    // A file already over the limit at start is rotated before the first line.
    await Deno.writeTextFile(path, "x".repeat(500));
    const again = FileLogger.open(path, { stderr: false, nowMs: () => 0, maxBytes: 100 });
    again.log("fresh");
    again.close();
    assert.equal(await Deno.readTextFile(path), "1970-01-01T00:00:00.000Z fresh\n");
    assert.equal((await Deno.readTextFile(`${path}.1`)).length, 500);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a stderr filter picks which lines are echoed; the file gets all of them", async () => {
  const path = await Deno.makeTempFile();
  const echoed: string[] = [];
  const error = console.error;
  console.error = (line: string) => echoed.push(line);
  let cleared = 0;
  try {
    const log = FileLogger.open(path, {
      stderr: isProblemMessage,
      beforeEcho: () => cleared++,
      nowMs: () => 0,
    });
    log.log("connected block height=1");
    log.log("error: P2P port 1 is in use");
    log.log("warning: clock skew");
    log.close();
  } finally {
    console.error = error;
  }
  assert.deepEqual(echoed.map((l) => l.slice(25)), [
    "error: P2P port 1 is in use",
    "warning: clock skew",
  ]);
  assert.equal(cleared, 2);
  assert.equal((await Deno.readTextFile(path)).split("\n").length - 1, 3);
  await Deno.remove(path);
});
