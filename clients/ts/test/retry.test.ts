// The retry loop of client.ts against a fetch that answers from a script:
// when it waits, and for how long, as Go's RetryPolicy does (retry.go).

import { test } from "node:test";
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createServer as createTLSServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { CosError, createClient, createNodeFetch, defaultRetryPolicy, isCode } from "../src/index.js";
import { repoRoot } from "./helpers.js";

const ok = () => new Response(JSON.stringify({ code: 0, message: "SUCCESS", data: { name: "f", filesize: 1 } }), { headers: { "Content-Type": "application/json" } });

// Retry-After is delay-seconds or an HTTP-date (RFC 9110, 10.2.3); Go's
// parseRetryAfter reads both.
test("a Retry-After given as an HTTP-date is waited for", async (t) => {
  // The clock is Node's mock (Date and setTimeout), on a whole second:
  // the date 3 s ahead is exactly 3 s ahead, and no real time passes.
  t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: 1_700_000_000_000 });
  const at: number[] = [];
  const scripted: typeof fetch = async () => {
    at.push(Date.now());
    if (at.length > 1) return ok();
    const when = new Date(Date.now() + 3000).toUTCString();
    return new Response("busy", { status: 503, headers: { "Retry-After": when } });
  };
  const c = createClient({ appid: "1", bucket: "b", endpoint: "http://127.0.0.1:9", credentials: { secretId: "i", secretKey: "k" }, fetch: scripted, retry: { baseDelayMs: 1 } });
  const done = c.stat("/f");
  // Let the first attempt reach its wait, then move the mock clock on.
  for (let i = 0; i < 100 && at.length < 2; i++) {
    await new Promise((r) => setImmediate(r));
    t.mock.timers.tick(100);
  }
  await done;
  assert.equal(at.length, 2);
  assert.ok(at[1] - at[0] >= 1500, `retried after ${at[1] - at[0]} ms`);
});

// An answer broken off after its status line, before its Content-Length's
// bytes (the connection reset): Go's client retries it for an operation that
// may be repeated (io.ErrUnexpectedEOF is a connection failure), and never
// for one that may not (a move).
test("an answer broken off mid-body is retried when the operation may be repeated", async () => {
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    const body = JSON.stringify({ code: 0, message: "SUCCESS", data: { name: "f", filesize: 1 } });
    res.setHeader("Content-Type", "application/json");
    res.setHeader("Content-Length", String(body.length));
    if (requests++ > 0) return res.end(body);
    res.write(body.slice(0, 10), () => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const c = createClient({ appid: "1", bucket: "b", endpoint, credentials: { secretId: "i", secretKey: "k" }, retry: { baseDelayMs: 1 } });
    assert.equal((await c.stat("/f")).size, 1);
    assert.equal(requests, 2, "the stat was sent again");
    requests = 0;
    await assert.rejects(c.move("/f", "/g"));
    assert.equal(requests, 1, "the move was sent once");
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

// An answer of the service with a code the table does not mark retryable,
// but at a 5xx (-181, a storage backend's failure, which `cosv2 serve`
// answers when its store fails): Go's retryable tries it again for an
// operation that may be repeated, a download's GET included, and never
// for one that may not (a move).
test("an answer at HTTP 5xx is tried again when the operation may be repeated, whatever its code", async () => {
  const file = new TextEncoder().encode("hello");
  const sha = "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d";
  const sent: string[] = [];
  const storeFailed = () => new Response(JSON.stringify({ code: -181, message: "ERROR_CMD_COS_ERROR" }), { status: 500, headers: { "Content-Type": "application/json" } });
  const scripted: typeof fetch = async (input) => {
    const u = String(input);
    const kind = u.includes("/dl/") ? "get" : u.includes("op=stat") ? "stat" : "move";
    sent.push(kind);
    if (sent.filter((k) => k === kind).length === 1) return storeFailed();
    if (kind === "get") return new Response(file, { headers: { "Content-Length": "5" } });
    return new Response(JSON.stringify({ code: 0, message: "SUCCESS", data: { name: "f", filesize: 5, sha, source_url: "http://127.0.0.1:9/dl/f" } }), { headers: { "Content-Type": "application/json" } });
  };
  const c = createClient({ appid: "1", bucket: "b", endpoint: "http://127.0.0.1:9", credentials: { secretId: "i", secretKey: "k" }, fetch: scripted, retry: { baseDelayMs: 1 } });
  assert.equal((await c.stat("/f")).size, 5);
  assert.deepEqual(await c.download("/f"), file);
  assert.deepEqual(sent, ["stat", "stat", "stat", "get", "get"]);
  sent.length = 0;
  await assert.rejects(c.move("/f", "/g"), (e) => isCode(e, "ErrCmdError"));
  assert.deepEqual(sent, ["move"], "the move was sent once");
});

// CosError.retryable, which a download's resume consults, as Go's
// retryable(err, true): the table's code, else the answer's status.
for (const [code, status, want] of [[-71, 429, true], [-181, 500, true], [-177, 400, false], [-197, 404, false], [503, 503, true], [429, 429, true], [404, 404, false]] as const) {
  test(`CosError(${code}) at HTTP ${status} is ${want ? "" : "not "}retryable`, () => {
    assert.equal(new CosError(code, "", status, "download", "/f").retryable, want);
  });
}

// A gateway's JSON with its HTTP status as the code ({"code":503}) is not an
// answer of the service saying it did nothing (only negative codes are):
// as Go's retryable, a move so answered is not sent again, a stat is.
test("an envelope whose code is an HTTP status is retried only when the operation may be repeated", async () => {
  const sent: string[] = [];
  const scripted: typeof fetch = async (input) => {
    const kind = String(input).includes("op=stat") ? "stat" : "move";
    sent.push(kind);
    if (sent.length === 1 || kind === "move") return new Response(JSON.stringify({ code: 503, message: "Service Unavailable" }), { status: 503, headers: { "Content-Type": "application/json" } });
    return ok();
  };
  const c = createClient({ appid: "1", bucket: "b", endpoint: "http://127.0.0.1:9", credentials: { secretId: "i", secretKey: "k" }, fetch: scripted, retry: { baseDelayMs: 1 } });
  await c.stat("/f");
  assert.deepEqual(sent, ["stat", "stat"]);
  sent.length = 0;
  await assert.rejects(c.move("/f", "/g"), (e) => e instanceof CosError && e.code === 503);
  assert.deepEqual(sent, ["move"], "the move was sent once");
});

// A retry option left undefined (retry: { maxAttempts: opts.attempts }) is
// the default, as Go's zero RetryPolicy fields are: never "no limit".
test("a retry option given as undefined is the default: a busy service is tried maxAttempts times, not forever", async () => {
  let sent = 0;
  const busy: typeof fetch = async () => {
    sent++;
    // A guard, so that a runaway loop ends: after 20 tries, a code no retry gets past.
    const [code, status] = sent > 20 ? [-177, 200] : [-71, 429];
    return new Response(JSON.stringify({ code, message: "" }), { status, headers: { "Content-Type": "application/json" } });
  };
  const c = createClient({ appid: "1", bucket: "b", endpoint: "http://127.0.0.1:9", credentials: { secretId: "i", secretKey: "k" }, fetch: busy,
    retry: { maxAttempts: undefined, baseDelayMs: 1, maxDelayMs: undefined } });
  await assert.rejects(c.stat("/f"), (e) => isCode(e, "ErrFreqControl"));
  assert.equal(sent, defaultRetryPolicy.maxAttempts);
});

// As Go's RetryPolicy.orDefault: no attempts at all, or no cap on a wait
// (which would also make every Retry-After 0), means the default.
const d = defaultRetryPolicy;
for (const [given, want] of [
  [{ maxAttempts: undefined, baseDelayMs: undefined, maxDelayMs: undefined }, d],
  [{ maxAttempts: 0 }, d],
  [{ maxAttempts: Number.NaN }, d],
  [{ maxDelayMs: 0 }, d],
  [{ maxDelayMs: -1 }, d],
  [{ baseDelayMs: Number.NaN }, d],
  [{ maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 50 }, { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 50 }],
] as const) {
  test(`retry ${JSON.stringify(given, (_, v) => (v === undefined ? "undefined" : Number.isNaN(v) ? "NaN" : v))} is ${JSON.stringify(want)}`, () => {
    const c = createClient({ appid: "1", bucket: "b", endpoint: "http://127.0.0.1:9", credentials: { secretId: "i", secretKey: "k" }, retry: given });
    assert.deepEqual(c.core.retry, want);
  });
}

// A server whose certificate the client does not trust (self-signed,
// testdata/selfsigned-*.pem): another attempt meets the same certificate,
// so Go's connectionFailed does not retry it; neither does this client,
// with its Node fetch or with undici's.
for (const [name, f] of [["createNodeFetch", createNodeFetch()], ["globalThis.fetch", globalThis.fetch]] as const) {
  test(`a certificate the client refuses is not tried again (${name})`, async () => {
    const testdata = join(repoRoot, "clients/ts/test/testdata");
    const server = createTLSServer({ key: readFileSync(join(testdata, "selfsigned-key.pem")), cert: readFileSync(join(testdata, "selfsigned-cert.pem")) },
      (_req, res) => res.end(JSON.stringify({ code: 0, message: "SUCCESS", data: { name: "f", filesize: 1 } })));
    let connections = 0;
    server.on("connection", () => connections++);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const c = createClient({ appid: "1", bucket: "b", endpoint, credentials: { secretId: "i", secretKey: "k" }, fetch: f, retry: { baseDelayMs: 1 } });
      const refused = (e: unknown) => e instanceof Error && /certificate/.test(String((e.cause as Error | undefined)?.message));
      await assert.rejects(c.stat("/f"), refused);
      assert.equal(connections, 1, "one attempt");
      // A download's GET of that host, after a stat answered elsewhere.
      const statHere: typeof fetch = async (input, init) => String(input).includes("op=stat")
        ? new Response(JSON.stringify({ code: 0, message: "SUCCESS", data: { name: "f", filesize: 1, source_url: `${endpoint}/dl/f` } }), { headers: { "Content-Type": "application/json" } })
        : f(input, init);
      const d = createClient({ appid: "1", bucket: "b", endpoint: "http://127.0.0.1:9", credentials: { secretId: "i", secretKey: "k" }, fetch: statHere, retry: { baseDelayMs: 1 } });
      await assert.rejects(d.download("/f"), refused);
      assert.equal(connections, 2, "one attempt of the download");
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
}

// One AbortSignal may serve many calls (an app's "stop everything"). A wait
// before a retry listens to it, and must stop listening once the wait is
// over: else every retry leaves a listener on the signal, and Node warns of a
// leak from the eleventh on. The download's GET (signedFetch, which hands the
// caller's signal to the retry loop as it is) and its resume's backoff wait so.
test("a retry's wait leaves no listener on the caller's signal", async () => {
  let gets = 0;
  const scripted: typeof fetch = async () => (++gets % 2 === 1 ? new Response("busy", { status: 503 }) : new Response("x"));
  const c = createClient({ appid: "1", bucket: "b", endpoint: "http://127.0.0.1:9", credentials: { secretId: "i", secretKey: "k" }, fetch: scripted, retry: { baseDelayMs: 1 } });
  const stop = new AbortController();
  for (let i = 0; i < 3; i++) {
    const r = await c.core.signedFetch("http://127.0.0.1:9/dl/f", { signal: stop.signal }, "multi", "/f", "download");
    assert.equal(await r.text(), "x");
    await c.core.backoff(1, stop.signal);
  }
  assert.equal(gets, 6, "each GET was retried once");
  assert.equal(getEventListeners(stop.signal, "abort").length, 0);
});

// RetryPolicy's doc comments are where users read the defaults: they must
// be defaultRetryPolicy's.
test("RetryPolicy's doc states defaultRetryPolicy's values", () => {
  const src = readFileSync(join(repoRoot, "clients/ts/src/client.ts"), "utf8");
  const decl = /export interface RetryPolicy \{([\s\S]*?)\n\}/.exec(src)?.[1] ?? "";
  const documented = Object.fromEntries([...decl.matchAll(/\(default (\d+)\)\. \*\/\s*(\w+): number;/g)].map((m) => [m[2], Number(m[1])]));
  assert.deepEqual(documented, { ...defaultRetryPolicy });
});
