// The retry loop of client.ts against a fetch that answers from a script:
// when it waits, and for how long, as Go's RetryPolicy does (retry.go).

import { test } from "node:test";
import assert from "node:assert/strict";
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
