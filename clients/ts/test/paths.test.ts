// Paths are refused before any request exactly as Go's paths.go (and
// internal/rules/path.go, which the local server applies too) refuses them.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createClient, dirPath, filePath } from "../src/index.js";

const long = "n".repeat(256);
/** show names a path in a test's title: short, every character past ASCII escaped. */
const show = (p: string) => JSON.stringify(p.length > 20 ? p.slice(0, 12) + "..." : p).replace(/[^\x20-\x7e]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
const longest = "n".repeat(255);

// Each case with what Go's FilePath or DirPath says of it (checked with go run).
const files: [string, boolean][] = [
  ["/a\\b", false], ["/a\nb", false], ["/a\u0085b", false], ["/a\u007fb", false], ["/a\tb", false],
  ["//a", false], ["/a//b", false], ["/" + long, false], ["/d/" + long + "/x", false],
  ["a b/c.txt", true], ["/名 字/x", true], ["/" + longest, true], ["/a\u200bb", true],
];
const dirs: [string, boolean][] = [
  ["/a//", false], ["//", false], ["///", false], ["/a/\\/", false], ["/a\rb/", false], ["/" + long + "/", false],
  ["a/", true], ["/", true], ["", true],
];

for (const [p, ok] of files) {
  test(`filePath(${show(p)}) ${ok ? "is" : "is not"} a path, as in Go`, () => {
    if (ok) assert.doesNotThrow(() => filePath(p));
    else assert.throws(() => filePath(p), /invalid path/);
  });
}

for (const [p, ok] of dirs) {
  test(`dirPath(${show(p)}) ${ok ? "is" : "is not"} a path, as in Go`, () => {
    if (ok) assert.doesNotThrow(() => dirPath(p));
    else assert.throws(() => dirPath(p), /invalid path/);
  });
}

test("a list prefix with a backslash or a control character is refused before any request", async () => {
  let sent = 0;
  const c = createClient({ appid: "1", bucket: "b", endpoint: "http://127.0.0.1:9", credentials: { secretId: "i", secretKey: "k" }, fetch: async () => (sent++, new Response("{}")) });
  for (const prefix of ["a\\b", "x\u0001"]) await assert.rejects(c.list("/", { prefix }).next(), /invalid path/);
  assert.equal(sent, 0);
});
