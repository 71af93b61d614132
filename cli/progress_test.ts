import assert from "node:assert/strict";
import { formatDuration, formatProgressLine, ProgressReporter } from "./progress.ts";

Deno.test("formatProgressLine() shows bar, counts, fields and ETA", () => {
  const line = formatProgressLine(
    { done: 50, total: 100, elapsedSecs: 10, fields: { loss: "2.31" } },
    10,
  );
  assert.equal(line, "[#####.....] 50/100 50% loss 2.31 ETA 10s");
});

Deno.test("formatDuration() uses h/m/s units", () => {
  assert.equal(formatDuration(42), "42s");
  assert.equal(formatDuration(185), "3m05s");
  assert.equal(formatDuration(3720), "1h02m");
});

Deno.test("ProgressReporter prints throttled plain lines when not a TTY, always the final one", () => {
  const written: string[] = [];
  const p = new ProgressReporter("train", (t) => written.push(t), false, 1000);
  p.update({ done: 1, total: 3, elapsedSecs: 1 }, 0);
  p.update({ done: 2, total: 3, elapsedSecs: 2 }, 500); // throttled
  p.update({ done: 3, total: 3, elapsedSecs: 3 }, 600); // final: always printed
  assert.equal(written.length, 2);
  assert.ok(written.every((l) => l.endsWith("\n") && !l.includes("\r")));
});

Deno.test("ProgressReporter redraws in place on a TTY", () => {
  const written: string[] = [];
  const p = new ProgressReporter("sync", (t) => written.push(t), true);
  p.update({ done: 1, total: 2, elapsedSecs: 1 }, 0);
  p.finish();
  assert.ok(written[0]?.startsWith("\r\x1b[2K"));
  assert.equal(written.at(-1), "\n");
});
