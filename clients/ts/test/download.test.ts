// Downloads from a small HTTP server of the test's own, which answers stat
// and then serves the file's bytes chunked, without Content-Length, and
// ends some answers early but cleanly (the terminating chunk sent): only the
// size stat gave tells such an answer is short. A download must end with
// exactly the bytes asked for, resuming with a Range where the answer
// stopped as Go's Reader does, or fail saying how far it got.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createClient, isCode } from "../src/index.js";
import { bytes } from "./helpers.js";

const data = bytes(200_000, 31);
const sha = createHash("sha1").update(data).digest("hex");

/** How the file's GETs are answered: the bytes each one sends at most (Infinity: all). */
let budgets: number[] = [];
/** Whether a short answer declares its full length and breaks the connection, instead of ending chunked. */
let broken = false;
/** How many GETs after the first are answered a bare 503 instead of bytes. */
let unavailable = 0;
/** Whether the download host answers every GET a bare 404, as a CDN does for an object gone since stat. */
let gone = false;
let gets: IncomingHttpHeaders[] = [];
let server: Server;
let url: string;

before(async () => {
  server = createServer((req, res) => {
    if (req.url?.includes("op=stat")) {
      res.setHeader("Content-Type", "application/json");
      return res.end(JSON.stringify({ code: 0, message: "SUCCESS", data: { name: "f.bin", filesize: data.length, sha, source_url: `${url}/dl/f.bin` } }));
    }
    gets.push(req.headers);
    if (gone) {
      res.statusCode = 404;
      return res.end("Not Found");
    }
    if (gets.length > 1 && unavailable > 0) {
      unavailable--;
      res.statusCode = 503;
      return res.end("busy");
    }
    const budget = budgets.shift() ?? Infinity;
    let from = 0;
    let to = data.length;
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
    if (m) {
      from = Number(m[1]);
      to = m[2] ? Number(m[2]) + 1 : data.length;
      res.statusCode = 206;
      res.setHeader("Content-Range", `bytes ${from}-${to - 1}/${data.length}`);
    }
    const body = data.subarray(from, Math.min(to, from + budget));
    if (broken && budget < to - from) {
      res.setHeader("Content-Length", String(to - from));
      return res.write(body, () => res.destroy());
    }
    // Two writes and no Content-Length: Node sends the answer chunked, and
    // end() closes it cleanly however few bytes went.
    res.write(body.subarray(0, body.length >> 1));
    res.end(body.subarray(body.length >> 1));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const client = () => createClient({ appid: "1250000000", bucket: "b", endpoint: url, credentials: { secretId: "i", secretKey: "k" }, retry: { maxAttempts: 3, baseDelayMs: 1 } });

test("a chunked answer that ends early is resumed from where it stopped", async () => {
  broken = false;
  budgets = [70_000];
  gets = [];
  assert.deepEqual(await client().download("/f.bin"), data);
  assert.equal(gets.length, 2);
  assert.equal(gets[1].range, `bytes=70000-${data.length - 1}`);
});

test("a ranged answer that ends early is resumed from where it stopped", async () => {
  broken = false;
  budgets = [1000, 2000];
  gets = [];
  assert.deepEqual(await client().download("/f.bin", { range: { offset: 5000, length: 10_000 } }), data.subarray(5000, 15_000));
  assert.deepEqual(gets.map((h) => h.range), ["bytes=5000-14999", "bytes=6000-14999", "bytes=8000-14999"]);
});

test("answers that keep ending early fail the download, saying how far it got", async () => {
  broken = false;
  budgets = [50_000, 0, 0, 0, 0, 0];
  gets = [];
  await assert.rejects(client().download("/f.bin"), /download \/f\.bin: .*50000 of 200000 bytes/);
  assert.equal(gets.length, 3, "the first GET, and two more that brought nothing (maxAttempts: 3)");
});

test("an answer broken off before its Content-Length is resumed from where it stopped", async () => {
  broken = true;
  budgets = [60_000];
  gets = [];
  assert.deepEqual(await client().download("/f.bin"), data);
  assert.equal(gets.length, 2);
  assert.equal(gets[1].range, `bytes=60000-${data.length - 1}`);
});

// Go's Reader counts every GET that brings no byte against maxAttempts, a
// failed resume included: the client's one retry layer, not one inside another.
test("a resume the host keeps refusing is asked for at most maxAttempts times in a row", async () => {
  broken = false;
  budgets = [50_000];
  unavailable = 100;
  gets = [];
  try {
    await assert.rejects(client().download("/f.bin"), /download \/f\.bin: 50000 of 200000 bytes .*\(3 attempts in a row\).*503/);
    assert.equal(gets.length, 3, "the first GET, which ended early, and two resumes refused (maxAttempts: 3)");
  } finally {
    unavailable = 0;
  }
});

// A reader that stops early (break in for await, body.cancel()) cancels the
// answer it was reading. That must end the download: no GET of the rest,
// whose answer nobody would read and whose connection would stay open. The
// fetch is scripted and the clock mocked, so every step the download could
// take after the cancel has been taken when the test looks.
test("a download whose body is cancelled asks for nothing more", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  let fetches = 0;
  let pulled!: () => void;
  const waiting = new Promise<void>((r) => (pulled = r));
  const scripted: typeof fetch = async (input) => {
    fetches++;
    if (String(input).includes("op=stat")) {
      return new Response(JSON.stringify({ code: 0, message: "SUCCESS", data: { name: "f.bin", filesize: 1000, source_url: "http://127.0.0.1:9/dl/f.bin" } }));
    }
    // 100 bytes, then nothing until the reader gives up: pull tells that the
    // download is waiting on this body.
    const body = new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(new Uint8Array(100)), pull: () => pulled() }, { highWaterMark: 0 });
    return new Response(body, { headers: { "Content-Length": "1000" } });
  };
  const c = createClient({ appid: "1", bucket: "b", endpoint: "http://127.0.0.1:9", fetch: scripted, authorizer: { authorize: async () => "sig" } });
  const reader = (await c.downloadResponse("/f.bin")).body!.getReader();
  assert.equal((await reader.read()).value?.length, 100);
  await waiting;
  await reader.cancel();
  const settle = () => new Promise((r) => setImmediate(r));
  await settle();
  t.mock.timers.tick(c.core.retry.maxDelayMs);
  await settle();
  assert.equal(fetches, 2, "the stat and the one GET");
});

// A download host (a CDN, the service's) answers a file that is not there
// with a bare 404, without the API's envelope: as Go's Reader, that is
// ErrFileNotExist, which callers test for, not the code 404.
test("a download host's bare 404 is ErrFileNotExist", async () => {
  gone = true;
  gets = [];
  try {
    await assert.rejects(client().download("/f.bin"), (e) => isCode(e, "ErrFileNotExist") && (e as { status: number }).status === 404);
    assert.equal(gets.length, 1, "not retried");
  } finally {
    gone = false;
  }
});

// The signal given to a download is the caller's way out of all of it, as
// Go's ctx is of NewReader's stat: an abort while stat waits ends the call.
test("an abort while the download's stat waits ends the download", { timeout: 60_000 }, async () => {
  let asked!: () => void;
  const statAsked = new Promise<void>((r) => (asked = r));
  const stalled: typeof fetch = (_input, init) => new Promise<Response>((_resolve, reject) => {
    asked();
    init?.signal?.addEventListener("abort", () => reject(init.signal!.reason), { once: true });
  });
  const c = createClient({ appid: "1", bucket: "b", endpoint: "http://127.0.0.1:9", fetch: stalled, authorizer: { authorize: async () => "sig" } });
  const stop = new AbortController();
  const done = c.download("/f.bin", { signal: stop.signal });
  await statAsked;
  stop.abort(new Error("stopped"));
  await assert.rejects(done, /stopped/);
});

// A range of no bytes (length 0, or an offset at the end: a download resumed
// once complete) has nothing to fetch. As Go's Reader, which sends no GET
// then, it asks for none: without a Range the GET would be of the whole file.
for (const range of [{ offset: 5, length: 0 }, { offset: data.length }]) {
  test(`a range of no bytes sends no GET (${JSON.stringify(range)})`, async () => {
    broken = false;
    gets = [];
    const r = await client().downloadResponse("/f.bin", { range });
    assert.equal((await r.arrayBuffer()).byteLength, 0);
    assert.equal(r.headers.get("Content-Length"), "0");
    assert.equal(r.headers.get("Content-Range"), null, "no Content-Range names no bytes");
    assert.equal(gets.length, 0);
  });
}
