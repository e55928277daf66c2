// The example page in a real headless chromium (Debian's, driven by
// playwright-core): pick a 30 MB file, upload it with signatures from the
// example backend, see it listed, and check the bytes with the Go client;
// break an upload off and see the next one send only the slices missing.
// On failure a screenshot and the page's console go to test-output/.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { startExample, type Example } from "../example/server.js";
import { downloadFileId } from "../src/index.js";
import { appid, bucket, bytes, cosv2, repoRoot, secretId, secretKey, startServer, type Server } from "./helpers.js";

const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const outDir = resolve(repoRoot, "clients/ts/test-output");
let srv: Server;
let ex: Example;
let ctx: BrowserContext;
let page: Page;
const consoleLines: string[] = [];

before(async () => {
  assert.ok(existsSync(chromiumPath), `no chromium at ${chromiumPath} (make tools installs Debian's)`);
  mkdirSync(outDir, { recursive: true });
  // The backend first, so the COS server can allow its origin.
  ex = await startExample({ endpoint: "", appid, bucket, secretId, secretKey, dir: "/uploads/", root: resolve(repoRoot, "clients/ts/dist/www") });
  // A private bucket: every download, the page's and Go's, must be signed.
  srv = await startServer(["--cors-origin", ex.url, "--private-bucket", bucket]);
  ex.config.endpoint = srv.url;
  cosv2(srv.url, "mkdir", "/uploads/");
  ctx = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "cosv2-chromium-")), {
    executablePath: chromiumPath,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  page = ctx.pages()[0] ?? (await ctx.newPage());
  page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => consoleLines.push(`pageerror: ${e.message}`));
});

after(async () => {
  await ctx?.close();
  await srv?.stop();
  await ex?.close();
});

// failing saves what a failed browser test leaves to look at, and rethrows.
async function failing(name: string, e: unknown): Promise<never> {
  const shot = join(outDir, `browser-failure-${name.replace(/\W+/g, "-").slice(0, 40)}.png`);
  await page.screenshot({ path: shot, fullPage: true }).catch(() => undefined);
  writeFileSync(join(outDir, "browser-console.txt"), consoleLines.join("\n"));
  console.error(`screenshot: ${shot}; console: ${join(outDir, "browser-console.txt")}; server log:\n${srv.stderr()}`);
  throw e;
}

test("the example page uploads a picked 30 MB file, lists it, downloads it back, and Go reads the same bytes", async (t) => {
  const data = bytes(30 * 1024 * 1024, 30);
  const file = join(mkdtempSync(join(tmpdir(), "cosv2-pick-")), "thirty MB.bin");
  writeFileSync(file, data);
  t.after(() => rmSync(dirname(file), { recursive: true, force: true }));
  const sha = createHash("sha1").update(data).digest("hex");
  try {
    await page.goto(ex.url);
    await page.waitForSelector("body[data-ready]", { timeout: 20000 });
    await page.setInputFiles("#file", file);
    await page.click("#upload");
    await page.waitForSelector("body[data-uploaded], body[data-failed]", { timeout: 120000 });
    const failed = await page.getAttribute("body", "data-failed");
    assert.equal(failed, null, `the page says: ${await page.textContent("#status")}`);
    await page.waitForSelector('#list li[data-name="thirty MB.bin"]', { timeout: 20000 });
    const item = await page.textContent('#list li[data-name="thirty MB.bin"]');
    assert.match(item ?? "", new RegExp(`${data.length} bytes sha1 ${sha}`));
    const bar = await page.$eval("#progress", (p) => [(p as HTMLProgressElement).value, (p as HTMLProgressElement).max]);
    assert.deepEqual(bar, [data.length, data.length], "progress reached the end");

    // The page downloads it back (a signed cross-origin GET) and hashes it.
    await page.click('#list li[data-name="thirty MB.bin"] button');
    await page.waitForSelector('#list li[data-name="thirty MB.bin"][data-downloaded]', { timeout: 60000 });
    assert.equal(await page.getAttribute('#list li[data-name="thirty MB.bin"]', "data-downloaded"), sha);

    // The bytes, through the Go client.
    const st = JSON.parse(cosv2(srv.url, "--json", "stat", "/uploads/thirty MB.bin")) as Record<string, unknown>;
    assert.equal(st.sha1 ?? st.SHA1 ?? st.sha, sha);
    const copy = join(outDir, "downloaded.bin");
    cosv2(srv.url, "get", "/uploads/thirty MB.bin", copy);
    assert.equal(createHash("sha1").update(readFileSync(copy)).digest("hex"), sha);
    rmSync(copy);
    // The page signed nothing itself: the backend was asked, multi-use once
    // for all the slices, and once for the download, for its path alone.
    assert.equal(ex.signed.filter((r) => r.kind === "multi" && r.op !== "download").length, 1, JSON.stringify(ex.signed.map((r) => r.op)));
    assert.deepEqual(ex.signed.filter((r) => r.op === "download").map((r) => r.fileId), [downloadFileId(appid, bucket, "/uploads/thirty MB.bin")]);
  } catch (e) {
    await failing(t.name, e);
  }
});

test("an upload the network broke off resumes in the page: only the missing slices are sent", async (t) => {
  const data = bytes(30 * 1024 * 1024, 31);
  const file = join(mkdtempSync(join(tmpdir(), "cosv2-pick-")), "resumed.bin");
  writeFileSync(file, data);
  t.after(() => rmSync(dirname(file), { recursive: true, force: true }));
  const sha = createHash("sha1").update(data).digest("hex");
  // Every slice the page sends passes through here: in the first upload, 8
  // reach the server, then the network fails for every slice.
  let breakAt = 8;
  let sent = 0; // slices that reached the server
  await page.route(`${srv.url}/files/v2/**`, async (route) => {
    const req = route.request();
    const isSlice = req.method() === "POST" && (req.postDataBuffer()?.includes("upload_slice_data") ?? false);
    if (isSlice && sent >= breakAt) {
      await route.abort("connectionreset");
      return;
    }
    if (isSlice) sent++;
    await route.continue();
  });
  t.after(() => page.unroute(`${srv.url}/files/v2/**`));
  try {
    await page.goto(ex.url);
    await page.waitForSelector("body[data-ready]", { timeout: 20000 });
    await page.setInputFiles("#file", file);
    await page.click("#upload");
    await page.waitForSelector("body[data-failed]", { timeout: 120000 });
    const first = sent;
    assert.ok(first >= 8, `${first} slices stored before the break`);

    breakAt = Infinity;
    await page.evaluate(() => delete document.body.dataset.failed);
    await page.click("#upload");
    await page.waitForSelector("body[data-uploaded], body[data-failed]", { timeout: 120000 });
    assert.equal(await page.getAttribute("body", "data-failed"), null, `the page says: ${await page.textContent("#status")}`);
    const slices = Math.ceil(data.length / (1024 * 1024));
    assert.equal(sent, slices, `${first} slices before the break, ${sent - first} after: each one once`);
    assert.ok(sent - first < slices, "the second upload resumed");

    const st = JSON.parse(cosv2(srv.url, "--json", "stat", "/uploads/resumed.bin")) as Record<string, unknown>;
    assert.equal(st.sha1 ?? st.SHA1 ?? st.sha, sha);
  } catch (e) {
    await failing(t.name, e);
  }
});
