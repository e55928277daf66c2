// The retry loop of client.ts against a fetch that answers from a script:
// when it waits, and for how long, as Go's RetryPolicy does (retry.go).

import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createClient } from "../src/index.js";

const ok = () => new Response(JSON.stringify({ code: 0, message: "SUCCESS", data: { name: "f", filesize: 1 } }), { headers: { "Content-Type": "application/json" } });

// Retry-After is delay-seconds or an HTTP-date (RFC 9110, 10.2.3); Go's
// parseRetryAfter reads both.
test("a Retry-After given as an HTTP-date is waited for", async () => {
  const at: number[] = [];
  const scripted: typeof fetch = async () => {
    at.push(Date.now());
    if (at.length > 1) return ok();
    const when = new Date(Date.now() + 3000).toUTCString(); // 2 to 3 s ahead, HTTP-dates have no fraction
    return new Response("busy", { status: 503, headers: { "Retry-After": when } });
  };
  const c = createClient({ appid: "1", bucket: "b", endpoint: "http://127.0.0.1:9", credentials: { secretId: "i", secretKey: "k" }, fetch: scripted, retry: { baseDelayMs: 1 } });
  await c.stat("/f");
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
