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

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /**
   * The file's permission bits (before the umask), set when the temp file is created: a file of
   * secrets is never readable by others, not even for a moment. Default: the system's (0666).
   */
  readonly mode?: number;
}

/**
 * Writes `bytes` to `path` atomically: a temp file beside it (`<path>.tmp-<random>`), fsync,
 * rename, then fsync of the directory so the rename itself is durable (skipped on Windows, where
 * a directory cannot be opened). The temp file is removed when writing it fails.
 */
export async function writeFileAtomic(
  path: string,
  bytes: Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const tmp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  const file = await Deno.open(tmp, {
    write: true,
    createNew: true,
    ...options.mode === undefined ? {} : { mode: options.mode },
  });
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
  await syncDirectory(parentDir(path));
}

/**
 * Makes the entries of directory `path` durable (fsync of the directory: a file created or
 * renamed in it survives a power loss). A no-op on Windows, where a directory cannot be opened.
 */
export async function syncDirectory(path: string): Promise<void> {
  if (Deno.build.os === "windows") return;
  const dir = await Deno.open(path, { read: true });
  try {
    await dir.sync();
  } finally {
    dir.close();
  }
}
