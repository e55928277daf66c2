// The TS signer equals the Go signer on the vector files both suites read.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { downloadFileId, fileId, jsSha1, newSha1, parseSignature, plaintext, sign, Signer, type Kind } from "../src/index.js";
import { repoRoot } from "./helpers.js";

interface Vector {
  name: string;
  kind: Kind;
  appid: string;
  bucket: string;
  secret_id: string;
  secret_key: string;
  expired: number;
  now: number;
  rand: number;
  path: string;
  fileid: string;
  plaintext: string;
  signature: string;
}

for (const file of ["signatures.json", "edge_vectors.json"]) {
  const vectors = JSON.parse(readFileSync(join(repoRoot, "signer/testdata", file), "utf8")) as Vector[];
  test(`${file} holds vectors`, () => assert.ok(vectors.length > 0));
  for (const v of vectors) {
    test(`${file}: ${v.name}`, async () => {
      const c = { appid: v.appid, secretId: v.secret_id, secretKey: v.secret_key };
      const p = { bucket: v.bucket, kind: v.kind, fileId: v.fileid, now: v.now, expires: v.expired, rand: v.rand };
      assert.equal(plaintext(c, p), v.plaintext);
      assert.equal(await sign(c, p), v.signature);
      if (v.fileid !== "") assert.equal(fileId(v.appid, v.bucket, v.path), v.fileid);
      const parsed = parseSignature(v.signature);
      assert.equal(parsed.plaintext, v.plaintext);
      assert.equal(parsed.fileId, v.fileid);
      assert.equal(parsed.expires, v.expired);
      // The Signer with the vector's clock and r makes the same one-time signature.
      if (v.kind === "once") {
        const s = new Signer(c, { now: () => v.now * 1000, rand: () => v.rand });
        assert.equal(await s.oneTime(v.bucket, v.path), v.signature);
      } else {
        const s = new Signer(c, { now: () => v.now * 1000, rand: () => v.rand });
        assert.equal(await s.multiUse(v.bucket, v.fileid, v.expired - v.now), v.signature);
      }
    });
  }
}

test("refuses what a server would refuse, as Go's Sign does", async () => {
  const c = { appid: "1", secretId: "id", secretKey: "k" };
  await assert.rejects(sign(c, { bucket: "b", kind: "once", fileId: "", now: 1, rand: 1 }), /needs a fileid/);
  await assert.rejects(sign(c, { bucket: "b", kind: "multi", fileId: "", now: 10, expires: 10, rand: 1 }), /expire after now/);
  await assert.rejects(sign(c, { bucket: "b", kind: "multi", fileId: "", now: 10, expires: 10 + 7776001, rand: 1 }), /90 days/);
  await assert.rejects(sign(c, { bucket: "b&c", kind: "multi", fileId: "", now: 10, expires: 20, rand: 1 }), /must not contain/);
  await assert.rejects(sign(c, { bucket: "b", kind: "multi", fileId: "", now: 10, expires: 20, rand: 10_000_000_000 }), /more than 10 digits/);
  assert.match(await sign(c, { bucket: "b", kind: "multi", fileId: "", now: 10, expires: 20, rand: 9_999_999_999 }), /^[A-Za-z0-9+/=]+$/);
});

test("the JS SHA-1 equals Node's on every length around a block", () => {
  const data = new Uint8Array(300).map((_, i) => (i * 31 + 7) & 255);
  for (let n = 0; n <= 300; n++) {
    const a = jsSha1();
    a.update(data.subarray(0, Math.floor(n / 3)));
    a.update(data.subarray(Math.floor(n / 3), n));
    const b = newSha1();
    b.update(data.subarray(0, n));
    assert.equal(a.hex(), b.hex(), `length ${n}`);
  }
});

// The running state as the official SDKs write datasha (internal/rules
// SHA1State): the five state words, each little-endian, in hex.
test("the JS SHA-1's running state is written as rules.SHA1State writes it", () => {
  assert.equal(jsSha1().state(), "0123456789abcdeffedcba9876543210f0e1d2c3", "no bytes: the IV");
  const h = jsSha1();
  h.update(new Uint8Array(64));
  assert.equal(h.state(), "e504b492ed8c58564ecd1a6c683f05bf933af709", "64 zero bytes, as Go's rules.SHA1State gives it");
});

test("signs what `cosv2 sign` signs, for paths the vector files lack", async () => {
  const { execFileSync } = await import("node:child_process");
  const { cosv2Bin } = await import("./helpers.js");
  const c = { appid: "1250000000", secretId: "AKIDcli", secretKey: "cli-key" };
  const cases: [Kind, string, number][] = [["once", "/a b/照片 (1).jpg", 424242], ["once", "/dir/", 9999999999], ["multi", "", 0], ["multi", "/bound/file+x.txt", 4294967296]];
  for (const [kind, path, r] of cases) {
    const args = ["--appid", c.appid, "--bucket", "photos", "--secret-id", c.secretId, "--secret-key", c.secretKey,
      "sign", "--kind", kind, "--now", "1700000000", "--rand", String(r), "--ttl", "120s"];
    if (path) args.push("--path", path);
    const goSig = execFileSync(cosv2Bin(), args, { encoding: "utf8" }).trim();
    const s = new Signer(c, { now: () => 1700000000_000, rand: () => r });
    const tsSig = kind === "once" ? await s.oneTime("photos", path) : await s.multiUse("photos", path ? fileId(c.appid, "photos", path) : "", 120);
    assert.equal(tsSig, goSig, `${kind} ${path}`);
  }
});

// Go's signer.DownloadFileID, on the entries of its test.
for (const [name, path, want] of [
  ["a file", "a/b.txt", "/a/b.txt"],
  ["a file with its slash", "/a/b.txt", "/a/b.txt"],
  ["the root", "", "/"],
  ["space, plus, percent", "/a b+c%d", "/a%20b%2Bc%25d"],
  ["Chinese, as UTF-8", "/照片", "/%E7%85%A7%E7%89%87"],
  ["under /<appid>/<bucket>/, which would spell another file's fileid: its own fileid", "/1/bk/x.txt", "/1/bk/1/bk/x.txt"],
  ["under /<appid>/ of another bucket: the path alone", "/1/other/x.txt", "/1/other/x.txt"],
]) {
  test(`downloadFileId is the path alone, escaped as fileId escapes it: ${name}`, () => assert.equal(downloadFileId("1", "bk", path), want));
}
