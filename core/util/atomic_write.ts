/**
 * Crash-safe file replacement: a reader sees the old file or the new one, never a torn one, and
 * once the promise resolves the new file survives a power loss (the data and the directory entry
 * are both synced).
 *
 * @module
 */

/** The directory part of `path` ("." when it has none). */
function parentDir(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

/**
 * Writes `bytes` to `path` atomically: a temp file beside it (`<path>.tmp-<random>`), fsync,
 * rename, then fsync of the directory so the rename itself is durable (skipped on Windows, where
 * a directory cannot be opened). The temp file is removed when writing it fails.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
  try {
    try {
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
  if (Deno.build.os !== "windows") {
    const dir = await Deno.open(parentDir(path), { read: true });
    try {
      await dir.sync();
    } finally {
      dir.close();
    }
  }
}
