// upload's failures against `cosv2 serve`, through a fetch that fails or
// stalls one op: the error keeps what a resume needs, and an abort ends it.

import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { CosError, createClient, isCode, upload, UploadError, type CosClient } from "../src/index.js";
import { appid, bucket, bytes, secretId, secretKey, sha1, startServer, type Server } from "./helpers.js";

let srv: Server;
let cos: CosClient;

before(async () => {
  srv = await startServer();
  cos = createClient({ appid, bucket, endpoint: srv.url, credentials: { secretId, secretKey } });
});
after(() => srv.stop());


/** opOf returns the op of a request: its form's op field, or the query's. */
function opOf(input: Parameters<typeof fetch>[0], init?: RequestInit): string {
  const b = init?.body;
  const head = b instanceof Uint8Array ? new TextDecoder().decode(b.subarray(0, 400)) : "";
  const m = /name="op"\r\n\r\n([a-z_]+)\r\n/.exec(head) ?? /[?&]op=([a-z_]+)/.exec(String(input instanceof Request ? input.url : input));
  return m?.[1] ?? "";
}

describe("upload failures", () => {
  // Every slice is stored, then the finish fails with an error of the
  // service (a 503 through the retries): as Go's uploader, the error is an
  // UploadError naming the session, and the next upload resumes it.
  test("a finish that fails keeps the session to resume", async () => {
    const data = bytes(2 * 524288 + 9, 31);
    const failing: typeof fetch = async (input, init) =>
      opOf(input, init) === "upload_slice_finish" ? new Response("busy", { status: 503 }) : fetch(input, init);
    const c = createClient({ appid, bucket, endpoint: srv.url, credentials: { secretId, secretKey }, fetch: failing, retry: { maxAttempts: 1 } });
    let err: unknown;
    await upload(c, "/finish-fails.bin", data, { simpleThreshold: 0, sliceSize: 524288 }).catch((e) => (err = e));
    assert.ok(err instanceof UploadError, `got ${String(err)}`);
    assert.notEqual(err.session, "");
    assert.equal(err.offset, data.length);
    assert.ok(err.cause instanceof CosError && err.cause.code === 503, `cause ${String(err.cause)}`);
    const seen: number[] = [];
    await upload(cos, "/finish-fails.bin", data, { simpleThreshold: 0, sliceSize: 524288, onProgress: (p) => seen.push(p.loaded) });
    assert.deepEqual(seen, [data.length], "every slice resumed");
    assert.equal((await cos.stat("/finish-fails.bin")).sha1, sha1(data));
  });

  // The finish's answer is lost and the stat that decides whether it stored
  // the file stalls: the caller's abort still ends the upload. Without the
  // fix it never settles; the timeout guards the suite, it measures nothing.
  test("an abort ends an upload whose finish waits on a stalled stat", { timeout: 60_000 }, async () => {
    const ctl = new AbortController();
    const stalling: typeof fetch = async (input, init) => {
      const op = opOf(input, init);
      if (op === "upload_slice_finish") throw new TypeError("fetch failed (test: the answer was lost)");
      if (op !== "stat") return fetch(input, init);
      setImmediate(() => ctl.abort(new Error("stop (test)")));
      return new Promise<Response>((_, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal!.reason)));
    };
    const c = createClient({ appid, bucket, endpoint: srv.url, credentials: { secretId, secretKey }, fetch: stalling, retry: { maxAttempts: 1 } });
    await assert.rejects(upload(c, "/stalled-stat.bin", bytes(2 * 524288, 32), { simpleThreshold: 0, sliceSize: 524288, signal: ctl.signal }), /stop \(test\)/);
  });

  // A concurrency that is not a number (Number of an unset setting) meant
  // no bound at all: every slice read into memory and sent at once. It is
  // refused before anything is sent, as a slice size not allowed is.
  test("a concurrency that is not a number is a RangeError", async () => {
    let sent = 0;
    const counting: typeof fetch = async (input, init) => {
      if (opOf(input, init).startsWith("upload_slice")) sent++;
      return fetch(input, init);
    };
    const c = createClient({ appid, bucket, endpoint: srv.url, credentials: { secretId, secretKey }, fetch: counting });
    await assert.rejects(upload(c, "/nan.bin", bytes(8 * 524288, 33), { simpleThreshold: 0, sliceSize: 524288, concurrency: NaN }), RangeError);
    assert.equal(sent, 0);
  });
});

// A stream handed to upload is upload's to read: when the init fails before
// any slice is read, it is released (a Node stream destroyed, a web stream
// cancelled), as after a failure in the slices. It was left open: a
// createReadStream kept its file open.
describe("a stream source of an upload whose init fails", () => {
  const refusing: typeof fetch = async (input, init) =>
    opOf(input, init) === "upload_slice_init"
      ? new Response(JSON.stringify({ code: -5999, message: "refused (test)" }), { status: 400, headers: { "Content-Type": "application/json" } })
      : fetch(input, init);
  const size = 2 * 524288;

  test("a Node stream is destroyed", async () => {
    const { Readable } = await import("node:stream");
    const src = Readable.from([bytes(size, 41)]);
    const c = createClient({ appid, bucket, endpoint: srv.url, credentials: { secretId, secretKey }, fetch: refusing });
    await assert.rejects(upload(c, "/init-fails-node.bin", src, { size, simpleThreshold: 0, sliceSize: 524288 }), CosError);
    assert.equal(src.destroyed, true);
  });

  test("a web stream is cancelled", async () => {
    let cancelled = false;
    const src = new ReadableStream<Uint8Array>({
      pull(ctl) { ctl.enqueue(bytes(size, 42)); ctl.close(); },
      cancel() { cancelled = true; },
    });
    const c = createClient({ appid, bucket, endpoint: srv.url, credentials: { secretId, secretKey }, fetch: refusing });
    await assert.rejects(upload(c, "/init-fails-web.bin", src, { size, simpleThreshold: 0, sliceSize: 524288 }), CosError);
    assert.equal(cancelled, true);
  });
});

// An onProgress that throws after a slice is stored fails the upload with
// that error: it was a rejection nothing handled (in Node, the process's
// end) while the upload went on.
test("an onProgress that throws fails the upload, and nothing is left unhandled", async () => {
  const boom = new Error("progress (test)");
  let calls = 0;
  const slice = 524288;
  const data = bytes(8 * slice, 43);
  // A source slower than the server: slices are stored while the next is read.
  const { Readable } = await import("node:stream");
  const { setTimeout: sleep } = await import("node:timers/promises");
  const slow = Readable.from((async function* () {
    for (let off = 0; off < data.length; off += slice) {
      await sleep(20);
      yield data.subarray(off, off + slice);
    }
  })());
  const err = await upload(cos, "/progress-throws.bin", slow, {
    size: data.length, simpleThreshold: 0, sliceSize: slice, concurrency: 8,
    onProgress: () => { if (++calls === 2) throw boom; },
  }).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof UploadError, `got ${String(err)}`);
  assert.equal(err.cause, boom);
});

// begun stores every slice of data at path, as another run of the upload
// would, and returns that run's finish.
async function begun(path: string, data: Uint8Array): Promise<() => Promise<unknown>> {
  const slice = 524288;
  const s = await cos.sliceInit(path, data.length, slice);
  for (let off = 0; off < data.length; off += slice) await cos.sliceData(path, s.session, off, data.subarray(off, off + slice));
  return () => cos.sliceFinish(path, s.session, data.length, sha1(data));
}

/** racing is a client whose listing comes just after finish, another run's. */
function racing(finish: () => Promise<unknown>): CosClient {
  const f: typeof fetch = async (input, init) => {
    if (opOf(input, init) === "upload_slice_list") await finish();
    return fetch(input, init);
  };
  return createClient({ appid, bucket, endpoint: srv.url, credentials: { secretId, secretKey }, fetch: f });
}

// The init meets an unfinished upload that another run finishes before the
// listing, which then answers the file. As Go's uploader, stat decides: this
// upload's bytes are its success (it was ErrFileExist), other bytes are not.
describe("an unfinished upload finished by another run meanwhile", () => {
  const size = 2 * 524288 + 7;
  const fileExist = (e: unknown) => e instanceof CosError && e.entry?.name === "ERROR_CMD_COS_FILE_EXIST";

  // insertOnly too: the init met the unfinished upload, so no file was there
  // when this upload began; the one that came holds its bytes.
  for (const [name, overwrite, stream] of [["insertOnly", false, false], ["overwriting", true, false], ["from a stream", false, true]] as const) {
    test(`is this upload's when the file holds its bytes: ${name}`, async () => {
      const path = `/race-same-${name.replace(/ /g, "-")}.bin`;
      const data = bytes(size, 44);
      const c = racing(await begun(path, data));
      const seen: number[] = [];
      const src = stream ? (await import("node:stream")).Readable.from([data.subarray(0, 1000), data.subarray(1000)]) : data;
      const obj = await upload(c, path, src, { size, simpleThreshold: 0, sliceSize: 524288, overwrite, onProgress: (p) => seen.push(p.loaded) });
      const st = await cos.stat(path);
      assert.equal(obj.resourcePath, `/${appid}/${bucket}${path}`);
      assert.equal(obj.sourceUrl, st.sourceUrl);
      assert.equal(obj.accessUrl, st.accessUrl);
      assert.notEqual(obj.sourceUrl, "");
      assert.equal(seen.at(-1), size);
      assert.equal(st.sha1, sha1(data));
    });
  }

  for (const [name, other] of [["of the same size", bytes(size, 45)], ["of another size", bytes(size + 1, 44)]] as const) {
    test(`is ErrFileExist, not a mismatch, when the file holds other bytes ${name}`, async () => {
      const path = `/race-other-${name.replace(/ /g, "-")}.bin`;
      const c = racing(await begun(path, other));
      await assert.rejects(upload(c, path, bytes(size, 44), { simpleThreshold: 0, sliceSize: 524288 }), fileExist);
      assert.equal((await cos.stat(path)).sha1, sha1(other));
    });
  }

  // With overwrite the user asked for these bytes there, over whatever is
  // there: it was ErrFileExist. A source read again replaces the file in a
  // session of its own; a stream read to compare cannot be sent again, but
  // one whose size tells the bytes apart was not read.
  for (const [name, other, stream] of [
    ["of the same size", bytes(size, 45), false],
    ["of another size, from a stream", bytes(size + 1, 44), true],
  ] as const) {
    test(`replaces a file of other bytes ${name} when overwriting`, async () => {
      const path = `/race-overwrite-${name.replace(/[ ,]+/g, "-")}.bin`;
      const data = bytes(size, 44);
      const c = racing(await begun(path, other));
      const src = stream ? (await import("node:stream")).Readable.from([data.subarray(0, 1000), data.subarray(1000)]) : data;
      const obj = await upload(c, path, src, { size, simpleThreshold: 0, sliceSize: 524288, overwrite: true });
      assert.equal(obj.resourcePath, `/${appid}/${bucket}${path}`);
      assert.equal((await cos.stat(path)).sha1, sha1(data));
    });
  }

  // As the service answers a quick upload of the same bytes under
  // insertOnly: a file there before the init is not this upload's to claim.
  test("leaves a file there before the init ErrFileExist under insertOnly, same bytes or not", async () => {
    const data = bytes(size, 44);
    await (await begun("/there.bin", data))();
    await assert.rejects(upload(cos, "/there.bin", data, { simpleThreshold: 0, sliceSize: 524288 }), fileExist);
  });
});

/** sessionOf returns the session field of a slice request's form. */
function sessionOf(init?: RequestInit): string {
  const b = init?.body;
  const head = b instanceof Uint8Array ? new TextDecoder().decode(b.subarray(0, 600)) : "";
  return /name="session"\r\n\r\n([^\r]+)\r\n/.exec(head)?.[1] ?? "";
}

/**
 * overtaking is a client whose session another run ends (then) just before
 * this one's first request of op goes out; every slice and the finish after
 * it meet -5983. It counts stats.
 */
function overtaking(op: "upload_slice_data" | "upload_slice_finish", then: (session: string) => Promise<unknown>, seen: { stats: number }): CosClient {
  let ended: Promise<unknown> | undefined;
  const f: typeof fetch = async (input, init) => {
    const o = opOf(input, init);
    if (o === "stat") seen.stats++;
    if (o === op) await (ended ??= then(sessionOf(init)));
    return fetch(input, init);
  };
  return createClient({ appid, bucket, endpoint: srv.url, credentials: { secretId, secretKey }, fetch: f });
}

/** finishing is another run that resumed the session: it stores every slice of data and finishes. */
const finishing = (path: string, data: Uint8Array) => async (session: string) => {
  for (let off = 0; off < data.length; off += 524288) await cos.sliceData(path, session, off, data.subarray(off, off + 524288));
  await cos.sliceFinish(path, session, data.length, sha1(data));
};

/** discarding is a run that discards the session (an expired one leaves the path as bare), then uploads other there. */
const discarding = (path: string, other?: Uint8Array) => async () => {
  await cos.remove(path);
  if (other) await (await begun(path, other))();
};

// Another run resumed the session this one began or resumed, and finished
// it first: this upload's next slice or finish met -5983 and it failed with
// that UploadError, though the file held exactly its bytes. As Go's
// uploader, it decides once, as for an upload finished before the listing.
describe("a session another run ends while this one sends", () => {
  const size = 2 * 524288 + 7;
  const wrongSession = (e: unknown): e is UploadError => e instanceof UploadError && isCode(e.cause, "ErrWrongSession");

  for (const [name, resumed, op, stream, concurrency] of [
    ["began here, ended before its slices", false, "upload_slice_data", false, 4],
    ["began here, ended before its finish", false, "upload_slice_finish", false, 4],
    ["resumed here, ended before its slices", true, "upload_slice_data", false, 4],
    ["resumed here, ended before its finish", true, "upload_slice_finish", false, 4],
    ["from a stream, one slice at a time", false, "upload_slice_data", true, 1],
    ["from a stream, resumed, one slice at a time", true, "upload_slice_data", true, 1],
  ] as const) {
    test(`is this upload's when that run finished it with these bytes: ${name}`, async () => {
      const path = `/overtaken-${name.replace(/[ ,]+/g, "-")}.bin`;
      const data = bytes(size, 51);
      if (resumed) {
        const s = await cos.sliceInit(path, size, 524288);
        await cos.sliceData(path, s.session, 0, data.subarray(0, 524288));
      }
      const seen = { stats: 0 };
      const c = overtaking(op, finishing(path, data), seen);
      const loaded: number[] = [];
      const src = stream ? (await import("node:stream")).Readable.from([data.subarray(0, 1000), data.subarray(1000)]) : data;
      const obj = await upload(c, path, src, { size, simpleThreshold: 0, sliceSize: 524288, concurrency, onProgress: (p) => loaded.push(p.loaded) });
      assert.equal(seen.stats, 1, "decided once");
      const st = await cos.stat(path);
      assert.equal(obj.resourcePath, `/${appid}/${bucket}${path}`);
      assert.equal(obj.sourceUrl, st.sourceUrl);
      assert.notEqual(obj.sourceUrl, "");
      assert.equal(loaded.at(-1), size);
      assert.equal(st.sha1, sha1(data));
    });
  }

  // An onProgress that throws when the decision brings it to the size fails
  // the upload with what it threw, as after any slice: it was lost, and the
  // UploadError said -5983, as if the file were not this upload's.
  test("fails with what onProgress threw when it throws at the size", async () => {
    const path = "/overtaken-progress-throws.bin";
    const data = bytes(size, 53);
    const boom = new Error("progress (test)");
    const c = overtaking("upload_slice_data", finishing(path, data), { stats: 0 });
    const err = await upload(c, path, data, {
      simpleThreshold: 0, sliceSize: 524288, onProgress: (p) => { if (p.loaded === size) throw boom; },
    }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof UploadError, `got ${String(err)}`);
    assert.equal(err.cause, boom);
    assert.equal((await cos.stat(path)).sha1, sha1(data));
  });

  // A slice stored before that run finished is answered after another met
  // -5983 (a fetch that, as some do, keeps an answer it had once the signal
  // aborts): the onProgress that throws for it fails the upload, as after
  // any slice. It was dropped, and the decision made the upload a success.
  test("fails with what onProgress threw for a slice answered after the -5983", async () => {
    const path = "/overtaken-progress-throws-inflight.bin";
    const data = bytes(size, 54);
    const boom = new Error("progress (test)");
    let ended: Promise<unknown> | undefined;
    const f: typeof fetch = async (input, init) => {
      if (opOf(input, init) !== "upload_slice_data") return fetch(input, init);
      const head = new TextDecoder().decode((init?.body as Uint8Array).subarray(0, 600));
      if (!/name="offset"\r\n\r\n0\r\n/.test(head)) {
        await (ended ??= finishing(path, data)(sessionOf(init)));
        return fetch(input, init);
      }
      const answer = await fetch(input, { ...init, signal: undefined });
      await new Promise((resolve) => init?.signal?.addEventListener("abort", resolve, { once: true }));
      return answer;
    };
    const c = createClient({ appid, bucket, endpoint: srv.url, credentials: { secretId, secretKey }, fetch: f });
    const err = await upload(c, path, data, {
      simpleThreshold: 0, sliceSize: 524288, concurrency: 2, onProgress: (p) => { if (p.loaded > 0 && p.loaded < size) throw boom; },
    }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof UploadError, `got ${String(err)}`);
    assert.equal(err.cause, boom);
    assert.equal(err.offset, 0);
  });

  for (const [name, op, other] of [
    ["discarded (or expired), before its slices", "upload_slice_data", undefined],
    ["discarded (or expired), before its finish", "upload_slice_finish", undefined],
    ["discarded, then a file of other bytes, before its slices", "upload_slice_data", bytes(size, 52)],
    ["discarded, then a file of other bytes, before its finish", "upload_slice_finish", bytes(size, 52)],
    ["discarded, then a file of another size", "upload_slice_data", bytes(size + 1, 51)],
  ] as const) {
    test(`fails as before, with the UploadError of -5983, when the path holds no such file: ${name}`, async () => {
      const path = `/overtaken-${name.replace(/[ ,()]+/g, "-")}.bin`;
      const c = overtaking(op, discarding(path, other), { stats: 0 });
      const err = await upload(c, path, bytes(size, 51), { simpleThreshold: 0, sliceSize: 524288 }).then(() => undefined, (e: unknown) => e);
      assert.ok(wrongSession(err), `got ${String(err)}`);
      assert.notEqual(err.session, "");
      if (!other) {
        await assert.rejects(cos.stat(path), (e) => isCode(e, "ErrFileNotExist"));
        return;
      }
      assert.ok(isCode(err.reason, "ErrFileExist"), `the file there is another's: ${String(err.reason)}`);
      assert.equal((await cos.stat(path)).sha1, sha1(other));
    });
  }

  // With overwrite, ErrFileExist would say what the user already said: the
  // session gone is the reason, and an upload again replaces the file.
  test("fails with the -5983 alone, no ErrFileExist reason, when overwriting and the path holds other bytes", async () => {
    const path = "/overtaken-overwrite.bin";
    const data = bytes(size, 51);
    const c = overtaking("upload_slice_data", discarding(path, bytes(size, 52)), { stats: 0 });
    const err = await upload(c, path, data, { simpleThreshold: 0, sliceSize: 524288, overwrite: true }).then(() => undefined, (e: unknown) => e);
    assert.ok(wrongSession(err), `got ${String(err)}`);
    assert.equal(err.reason, undefined);
    await upload(cos, path, data, { simpleThreshold: 0, sliceSize: 524288, overwrite: true });
    assert.equal((await cos.stat(path)).sha1, sha1(data));
  });
});
