import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import {
  cookiePath,
  decodeBasicAuth,
  generateRpcAuth,
  parseRpcAuthLine,
  readAuthCookie,
  RpcAuthenticator,
  rpcAuthHash,
  writeAuthCookie,
} from "./auth.ts";

Deno.test.sanitizer({ ops: true, resources: true });

const enc = (s: string) => new TextEncoder().encode(s);

Deno.test("rpcAuthHash() is HMAC-SHA256 keyed with the salt string, as node:crypto", () => {
  for (const [salt, password] of [["cb77f0957de88ff388cf817ddbc7273", "pässwörd"], ["", "x"]]) {
    const expected = createHmac("sha256", salt!).update(password!).digest("hex");
    assert.equal(rpcAuthHash(salt!, password!), expected);
  }
});

Deno.test("generateRpcAuth() makes a line whose hash verifies the password", () => {
  const a = generateRpcAuth("alice");
  const b = generateRpcAuth("alice");
  const entry = parseRpcAuthLine(a.line);
  assert.equal(entry.user, "alice");
  assert.match(entry.salt, /^[0-9a-f]{32}$/);
  assert.match(entry.hash, /^[0-9a-f]{64}$/);
  assert.equal(rpcAuthHash(entry.salt, a.password), entry.hash);
  assert.ok(a.password.length >= 43);
  assert.notEqual(a.line, b.line);
  const fixed = generateRpcAuth("bob", "secret", new Uint8Array(16).fill(0xab));
  assert.equal(
    fixed.line,
    `bob:${"ab".repeat(16)}$${
      createHmac("sha256", "ab".repeat(16)).update("secret").digest("hex")
    }`,
  );
  assert.throws(() => generateRpcAuth("a:b"), TypeError);
});

Deno.test("parseRpcAuthLine() accepts rpcauth= prefix and rejects malformed lines", () => {
  assert.deepEqual(parseRpcAuthLine("rpcauth=u:s$AB"), { user: "u", salt: "s", hash: "ab" });
  for (const bad of ["u", "u:s", "u:s$h$h", ":s$h", "u:v:s$h"]) {
    assert.throws(() => parseRpcAuthLine(bad), TypeError, bad);
  }
});

Deno.test("decodeBasicAuth() needs the exact 'Basic ' scheme and valid base64", () => {
  assert.deepEqual(decodeBasicAuth("Basic " + btoa("u:p")), enc("u:p"));
  assert.deepEqual(decodeBasicAuth("Basic   " + btoa("u:p") + " "), enc("u:p"));
  assert.equal(decodeBasicAuth(null), null);
  assert.equal(decodeBasicAuth("basic " + btoa("u:p")), null);
  assert.equal(decodeBasicAuth("Basic a*b="), null);
  assert.equal(decodeBasicAuth("Basic a"), null);
});

Deno.test("RpcAuthenticator checks cookie, user:password and rpcauth credentials", () => {
  const { line, password } = generateRpcAuth("carol");
  const auth = new RpcAuthenticator({
    userPass: ["__cookie__:ff00", "dave:pa:ss"],
    rpcauth: [line],
  });
  const basic = (s: string) => "Basic " + btoa(s);
  assert.equal(auth.check(basic("__cookie__:ff00")), "__cookie__");
  assert.equal(auth.check(basic("dave:pa:ss")), "dave");
  assert.equal(auth.check(basic(`carol:${password}`)), "carol");
  assert.equal(auth.check(basic(`dave:${password}`)), null);
  assert.equal(auth.check(basic("carol:pa:ss")), null);
  assert.equal(auth.check(basic("__cookie__:ff01")), null);
  assert.equal(auth.check(basic("__cookie__:ff00 ")), null);
  assert.equal(auth.check(basic("__cookie__")), null);
  assert.equal(auth.check(null), null);
  assert.equal(new RpcAuthenticator({}).check(basic(":")), null);
  assert.equal(new RpcAuthenticator({}).configured, false);
  assert.throws(() => new RpcAuthenticator({ userPass: ["nocolon"] }), TypeError);
});

Deno.test("writeAuthCookie() writes __cookie__:<64 hex> with mode 0600 via a temp file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const datadir = `${dir}/sub/regtest`;
    const cookie = await writeAuthCookie(datadir);
    assert.equal(cookie.path, cookiePath(datadir));
    assert.equal(cookie.path, `${datadir}/.cookie`);
    const text = await Deno.readTextFile(cookie.path);
    assert.match(text, /^__cookie__:[0-9a-f]{64}$/);
    assert.equal(text, cookie.userPass);
    if (Deno.build.os !== "windows") {
      assert.equal((await Deno.stat(cookie.path)).mode! & 0o777, 0o600);
    }
    await assert.rejects(Deno.stat(`${cookie.path}.tmp`), Deno.errors.NotFound);
    assert.equal(await readAuthCookie(cookie.path), cookie.userPass);
    const second = await writeAuthCookie(datadir);
    assert.notEqual(second.userPass, cookie.userPass);
    await cookie.remove(); // not ours any more: left in place
    assert.equal(await Deno.readTextFile(cookie.path), second.userPass);
    await second.remove();
    await assert.rejects(Deno.stat(cookie.path), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeAuthCookie() replaces a stale world-readable temp file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/.cookie.tmp`, "stale", { mode: 0o644 });
    const cookie = await writeAuthCookie(dir, { randomBytes: (n) => new Uint8Array(n).fill(1) });
    assert.equal(cookie.userPass, `__cookie__:${"01".repeat(32)}`);
    if (Deno.build.os !== "windows") {
      assert.equal((await Deno.stat(cookie.path)).mode! & 0o777, 0o600);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readAuthCookie() reads the first line and rejects a file without a colon", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a`, "__cookie__:abc\nmore\n");
    assert.equal(await readAuthCookie(`${dir}/a`), "__cookie__:abc");
    await Deno.writeTextFile(`${dir}/b`, "garbage");
    await assert.rejects(readAuthCookie(`${dir}/b`), TypeError);
    await assert.rejects(readAuthCookie(`${dir}/missing`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
