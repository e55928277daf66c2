// Downloads as Go's Reader does them: exactly the bytes asked for. An
// answer's body may end before the range does, broken by the network or
// closed cleanly (a chunked answer with its terminating chunk, or one that
// ends with its connection): only the size stat gave tells. The rest is then
// asked for with a Range from where it stopped, pinned to the version read so
// far (If-Match, If-Range), under the client's retry policy; once that is
// spent the read fails, saying how far it got.

import type { Core } from "./client.js";
import type { FileInfo } from "./cos.js";
import { BadAnswerError, codeOf, CosError, ObjectChangedError } from "./errors.js";

/** Bytes of a file: length of them from offset (to the end without length). */
export interface ByteRange {
  offset: number;
  length?: number;
}

const SHA_TAG = /^"[0-9a-fA-F]{40}"$/;

/**
 * openDownload GETs the bytes of range (all without one) of the file st
 * describes, and returns the first answer with a body of exactly those bytes
 * (a range of no bytes: an empty 200, without a GET). A 206 must start where
 * it was asked to (else BadAnswerError); a 200 from a server that ignores
 * Range is cut to the range and answered as a 206. The answer must be the
 * version stat saw (its ETag, when it is a SHA-1, stat's SHA-1), and later
 * ones the first one's, else ObjectChangedError.
 */
export async function openDownload(core: Core, st: FileInfo, range: ByteRange | undefined, signal?: AbortSignal): Promise<Response> {
  const off = range?.offset ?? 0;
  if (!(off >= 0 && off <= st.size)) throw new RangeError(`cos: download ${st.path}: range offset ${off} outside 0..${st.size}`);
  const end = range?.length === undefined ? st.size : Math.min(st.size, off + Math.max(range.length, 0));
  // A range of no bytes has nothing to fetch (Go's Reader sends no GET); a
  // GET without Range would be of the whole file.
  if (range && end === off) return new Response(new Uint8Array(0), { status: 200, headers: { "Content-Length": "0" } });
  const d = new Download(core, st, off, end, signal);
  const r = await d.open(range !== undefined);
  const body = new ReadableStream<Uint8Array>({ pull: (c) => d.pull(c), cancel: (reason) => d.cancel(reason) });
  if (!range || r.status !== 200) return new Response(body, { status: r.status, statusText: r.statusText, headers: r.headers });
  const headers = new Headers(r.headers);
  headers.set("Content-Length", String(end - off));
  headers.set("Content-Range", `bytes ${off}-${end - 1}/${st.size}`);
  return new Response(body, { status: 206, statusText: "Partial Content", headers });
}

/** One download's state: where it is, the version it is pinned to, its failures in a row. */
class Download {
  private etag = "";
  private skip = 0; // bytes of the current answer before `at` (a 200: the whole file)
  private failed = 0;
  private src?: ReadableStreamDefaultReader<Uint8Array>;
  private cancelled = false;
  private readonly start: number;

  constructor(private readonly core: Core, private readonly st: FileInfo, private at: number, private readonly end: number, private readonly signal?: AbortSignal) {
    this.start = at;
  }

  /** open sends the GET of [at, end) and checks that its answer is those bytes of the pinned version. */
  async open(ranged: boolean): Promise<Response> {
    const headers = new Headers();
    if (ranged) headers.set("Range", `bytes=${this.at}-${this.end - 1}`);
    if (this.etag) {
      headers.set("If-Match", this.etag);
      headers.set("If-Range", this.etag);
    }
    // The client's retry loop tries the GET, in what is left of maxAttempts:
    // every attempt that brings no byte counts, as in Go's Reader.
    const max = this.core.retry.maxAttempts;
    const r = await this.core.signedFetch(this.st.sourceUrl, { headers, signal: this.signal }, "multi", this.st.path, "download", max - this.failed);
    this.failed += this.core.attempts(r) - 1;
    if (r.status === 412 && this.etag) throw new ObjectChangedError(this.st.path, `the answer to If-Match ${this.etag} is 412`);
    if (!r.ok) throw await answerError(r, this.st.path);
    const tag = r.headers.get("ETag") ?? "";
    const sha = this.st.sha1.toLowerCase();
    if (tag && (this.etag ? tag !== this.etag : sha && SHA_TAG.test(tag) && tag.slice(1, -1).toLowerCase() !== sha)) {
      await r.body?.cancel().catch(() => undefined);
      throw new ObjectChangedError(this.st.path, this.etag ? `the first answer's ETag was ${this.etag}, this one's is ${tag}` : `stat gave SHA-1 ${this.st.sha1}, the answer is ETag ${tag}`);
    }
    if (tag) this.etag = tag;
    this.skip = 0;
    if (r.status === 206) {
      const cr = r.headers.get("Content-Range") ?? "";
      const from = /^bytes (\d+)-/.exec(cr);
      if (!from || Number(from[1]) !== this.at) {
        await r.body?.cancel().catch(() => undefined);
        throw new BadAnswerError("download", this.st.path, `asked for bytes from ${this.at}, got Content-Range ${JSON.stringify(cr)}`);
      }
    } else if (r.status === 200) {
      this.skip = this.at;
    }
    this.src = (r.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() })).getReader();
    return r;
  }

  /** pull gives the next bytes of the range, resuming where an answer stopped short. */
  async pull(c: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    for (;;) {
      if (this.cancelled) return; // cancelled while again() waited
      if (this.at >= this.end) {
        await this.src?.cancel().catch(() => undefined);
        return c.close();
      }
      let chunk: Uint8Array | undefined;
      let opening = !this.src;
      try {
        if (opening) await this.open(true);
        opening = false;
        if (!this.cancelled) ({ value: chunk } = await this.src!.read());
      } catch (e) {
        this.src = undefined;
        if (this.cancelled) return;
        // A GET that failed has had the rest of maxAttempts (open).
        if (opening) this.failed = Math.max(this.failed, this.core.retry.maxAttempts - 1);
        await this.again(e);
        continue;
      }
      // Cancelled while this pull waited (a pending read of src ends with it):
      // close what open may have brought since, and ask for nothing more.
      if (this.cancelled) return void (await this.src?.cancel().catch(() => undefined));
      if (!chunk) {
        // The answer ended, cleanly or not, before the range did.
        this.src = undefined;
        await this.again(undefined);
        continue;
      }
      const k = Math.min(this.skip, chunk.length);
      this.skip -= k;
      chunk = chunk.subarray(k, k + (this.end - this.at));
      if (chunk.length === 0) continue;
      this.at += chunk.length;
      this.failed = 0;
      return c.enqueue(chunk);
    }
  }

  /** cancel ends the download: the answer being read is cancelled, and no other is asked for. */
  cancel(reason: unknown): Promise<void> | undefined {
    this.cancelled = true;
    return this.src?.cancel(reason);
  }

  /**
   * again waits before another attempt after cause (undefined: an answer
   * that ended early), or throws: cause itself when trying again cannot help,
   * else, once maxAttempts attempts in a row brought no byte, an error that
   * says how far the download got.
   */
  private async again(cause: unknown): Promise<void> {
    this.failed++;
    if (this.signal?.aborted) throw this.signal.reason;
    const final = cause instanceof BadAnswerError || cause instanceof ObjectChangedError || (cause instanceof CosError && !cause.retryable) ||
      (cause instanceof Error && cause.name === "AbortError");
    if (final) throw cause;
    if (this.failed >= this.core.retry.maxAttempts) {
      const why = cause instanceof Error ? `: ${cause.message}` : "";
      throw new Error(`cos: download ${this.st.path}: ${this.at - this.start} of ${this.end - this.start} bytes came before the answers stopped (${this.failed} attempts in a row)${why}`, { cause });
    }
    await this.core.backoff(this.failed, this.signal);
  }
}

/**
 * answerError turns an answer that is not the file into a CosError (its
 * envelope's code, else its status). A download host's bare 404 (a CDN's,
 * the service's) says the file is not there, which API calls say with
 * ErrFileNotExist: so does a download, as Go's Reader.
 */
async function answerError(r: Response, path: string): Promise<CosError> {
  const text = await r.text();
  let code = r.status;
  let message = text.slice(0, 200);
  try {
    const env = JSON.parse(text) as { code?: number; message?: string };
    if (typeof env.code === "number" && env.code !== 0) (code = env.code), (message = env.message ?? "");
  } catch {
    // not the envelope
  }
  if (code === 404) return new CosError(codeOf("ErrFileNotExist"), "the download host answered 404", r.status, "download", path);
  return new CosError(code, message, r.status, "download", path);
}
