import assert from "node:assert/strict";
import { FileLogger, formatLogLine } from "./logger.ts";

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
