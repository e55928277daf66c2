// A call repeated after its answer was lost asks whether the first attempt
// already did the work (a delete finds the file gone, a put finds its bytes
// stored). After an answer that said the work was not done (-71, a retryable
// code of the service), that question has no place: the retry's answer is
// the call's. As Go's donebefore_test.go, against `cosv2 serve`.

import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { createClient, isCode, type CosClient } from "../src/index.js";
import { appid, bucket, bytes, secretId, secretKey, sha1, startServer, type Server } from "./helpers.js";

let srv: Server;
let cos: CosClient;

before(async () => {
  srv = await startServer();
  cos = createClient({ appid, bucket, endpoint: srv.url, credentials: { secretId, secretKey } });
});
after(() => srv.stop());


/** bodyText is the start of a request's body: a JSON one whole, a form's first fields. */
async function bodyText(b: unknown): Promise<string> {
  if (b instanceof Blob) return b.slice(0, 400).text();
  if (b instanceof Uint8Array) return new TextDecoder().decode(b.subarray(0, 400));
  return typeof b === "string" ? b : "";
}

/**
 * refusesFirst is a fetch that answers the first request of op (the body's
 * op, JSON or form) with answer, never sending it: the service did nothing.
 * The rest go to the server. refused counts the answers given.
 */
function refusesFirst(op: string, answer: () => Response): { fetch: typeof fetch; refused: () => number } {
  let n = 0;
  const f: typeof fetch = async (input, init) => {
    const text = await bodyText(init?.body);
    if ((text.includes(`"op":"${op}"`) || text.includes(`\r\n\r\n${op}\r\n`)) && n === 0) {
      n++;
      return answer();
    }
    return fetch(input, init);
  };
  return { fetch: f, refused: () => n };
}

const busy = () => new Response(JSON.stringify({ code: -71, message: "ERROR_PROXY_FREQ_CONTROL" }), { status: 429, headers: { "Content-Type": "application/json" } });
const badSignature = () => new Response(JSON.stringify({ code: -96, message: "ERROR_PROXY_AUTH_EXPIRED" }), { status: 403, headers: { "Content-Type": "application/json" } });

function client(f: typeof fetch): CosClient {
  return createClient({ appid, bucket, endpoint: srv.url, credentials: { secretId, secretKey }, fetch: f, retry: { baseDelayMs: 1 } });
}

describe("a call retried after a refusal that did no work", () => {
  test("removes nothing it never had: remove of a missing file is ErrFileNotExist", async () => {
    const f = refusesFirst("delete", busy);
    await assert.rejects(client(f.fetch).remove("/never.txt"), (e) => isCode(e, "ErrFileNotExist"));
    assert.equal(f.refused(), 1);
  });

  test("removes no directory it never had: rmdir of a missing one is ErrFileNotExist", async () => {
    const f = refusesFirst("delete", busy);
    await assert.rejects(client(f.fetch).rmdir("/never/"), (e) => isCode(e, "ErrFileNotExist"));
    assert.equal(f.refused(), 1);
  });

  test("makes no directory that was there: mkdir of an existing one is ErrPathConflict", async () => {
    await cos.mkdir("/there/");
    const f = refusesFirst("create", busy);
    await assert.rejects(client(f.fetch).mkdir("/there/"), (e) => isCode(e, "ErrPathConflict"));
    assert.equal(f.refused(), 1);
  });

  test("stores nothing over a file that was there: put without overwrite is ErrFileExist, same bytes or not", async () => {
    const data = bytes(1000, 31);
    await cos.put("/was-there.bin", data);
    const f = refusesFirst("upload", busy);
    await assert.rejects(client(f.fetch).put("/was-there.bin", data), (e) => isCode(e, "ErrFileExist"));
    assert.equal(f.refused(), 1);
  });

  test("a quick upload's init onto a file that was there is ErrFileExist", async () => {
    const data = bytes(600_000, 32);
    await cos.put("/quick-there.bin", data);
    const f = refusesFirst("upload_slice_init", busy);
    await assert.rejects(client(f.fetch).sliceInit("/quick-there.bin", data.length, 524288, { sha: sha1(data) }), (e) => isCode(e, "ErrFileExist"));
    assert.equal(f.refused(), 1);
  });

  test("a finish of a session that never was fails, though the file holds those bytes", async () => {
    const data = bytes(700_000, 33);
    await cos.put("/finish-there.bin", data);
    const f = refusesFirst("upload_slice_finish", busy);
    await assert.rejects(client(f.fetch).sliceFinish("/finish-there.bin", "no-such-session", data.length, sha1(data)), (e) => isCode(e, "ErrWrongSession"));
    assert.equal(f.refused(), 1);
  });

  // A multi-use signature the service refused (-96) is asked for anew and the
  // request sent again: the refusal did nothing either.
  test("a put sent again after a refused signature is ErrFileExist over a file that was there", async () => {
    const data = bytes(1000, 34);
    await cos.put("/signed-there.bin", data);
    const f = refusesFirst("upload", badSignature);
    await assert.rejects(client(f.fetch).put("/signed-there.bin", data), (e) => isCode(e, "ErrFileExist"));
    assert.equal(f.refused(), 1);
  });

  // An attempt whose outcome is unknown, then one refused (-71), then "not
  // there": the first attempt may have been the one that deleted it.
  test("still counts a lost answer's work done: remove whose answer was lost, then refused, succeeds", async () => {
    await cos.put("/lost-then-busy.txt", "x");
    let n = 0;
    const f: typeof fetch = async (input, init) => {
      if (!(await bodyText(init?.body)).includes(`"op":"delete"`)) return fetch(input, init);
      n++;
      if (n === 1) {
        await (await fetch(input, init)).arrayBuffer();
        throw new TypeError("fetch failed (test: the answer was lost)");
      }
      return n === 2 ? busy() : fetch(input, init);
    };
    await client(f).remove("/lost-then-busy.txt");
    assert.equal(n, 3);
    await assert.rejects(cos.stat("/lost-then-busy.txt"), (e) => isCode(e, "ErrFileNotExist"));
  });
});
