// Uploads of any size: one request up to 20 MB, else slices, a few in flight,
// hashed in order as they are read (the SHA-1 goes with the finish, as the Go
// uploader does by default), resumed from upload_slice_list when the service
// says an unfinished upload of the file exists.

import { CosError, isCode } from "./errors.js";
import { CosClient, MAX_SIMPLE_UPLOAD, SLICE_SIZES, type CosObject, type PutOptions, type SliceSession } from "./cos.js";
import { filePath } from "./paths.js";
import { jsSha1, newSha1, type Sha1 } from "./sha1.js";

/**
 * A file opened for reading by position, as Node's fs.promises.open gives it
 * (a FileHandle): the fastest source in Node, read straight into the bodies.
 */
export interface FileHandleLike {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  stat(): Promise<{ size: number }>;
}

/**
 * What upload reads: a Blob or File (browsers, or Node's fs.openAsBlob), a
 * FileHandle (Node), bytes in memory, or a stream of bytes (a Node Readable, a
 * WHATWG ReadableStream), whose size must then be given.
 */
export type UploadSource = Blob | Uint8Array | ArrayBuffer | FileHandleLike | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

/** How far an upload is. */
export interface Progress {
  /** Bytes stored, slices resumed from an earlier attempt included. */
  loaded: number;
  total: number;
}

/** Options of upload. */
export interface UploadOptions extends PutOptions {
  /** The size in bytes: required for streams. */
  size?: number;
  /** Bytes per slice, one of SLICE_SIZES (default 1 MiB). */
  sliceSize?: number;
  /** Slices in flight at once (default 4; less than 1 is 1, NaN a RangeError). */
  concurrency?: number;
  /** Files up to this size go in one request (default 20 MB, the most the service takes). */
  simpleThreshold?: number;
  onProgress?: (p: Progress) => void;
}

/**
 * An upload that failed after its session was opened: resume it by uploading
 * the same file again. reason, when set, says why a session gone
 * (cause: ErrWrongSession) is not this upload's file, as Go's UploadError
 * wraps it: the ErrFileExist of a file of other bytes at its path (none
 * under overwrite: an upload again replaces it), or the error of the stat or
 * of reading the source that kept it from deciding.
 */
export class UploadError extends Error {
  constructor(readonly path: string, readonly session: string, readonly offset: number, readonly cause: unknown, readonly reason?: unknown) {
    super(`cos: upload ${path}: slice at ${offset} of session ${session}: ${messageOf(cause)}${reason === undefined ? "" : `; ${messageOf(reason)}`}`);
    this.name = "UploadError";
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * What a user can do about an unfinished upload of other bytes (Go's
 * uploader.MismatchAdvice): the document has no op to discard it.
 */
const MISMATCH_ADVICE = "discard it (cosv2 rm --incomplete PATH on a cosv2 server), wait until it expires, or upload the original bytes";

/**
 * UploadMismatchError is an unfinished upload of the path that is of another
 * file (Go's uploader.ErrMismatch), so resuming it could never finish: of
 * another size; or a stored slice whose declared running SHA-1 state this
 * source's bytes do not give; or, without declared states, stored slices
 * that the finish's SHA-1 check refused (cause: that ErrSHANotEqual); or
 * declared states the finish found these bytes contradict (cause: that
 * ErrNotSameSHA).
 */
export class UploadMismatchError extends Error {
  constructor(readonly path: string, readonly session: string, detail: string, cause?: unknown) {
    super(`cos: upload ${path}: the unfinished upload of this path is of another file: ${detail}; ${MISMATCH_ADVICE}`, { cause });
    this.name = "UploadMismatchError";
  }
}

/** A check of a source's slices, fed in order from the first, up to upTo. */
interface DeclaredCheck {
  upTo: number;
  check(off: number, data: Uint8Array): void;
}

/**
 * declaredCheck returns the check of a resumed upload's stored slices
 * against the running SHA-1 states (datasha) its init declared, as Go's
 * uploader checks them (open): a stored slice whose state this source does
 * not give is an UploadMismatchError. Undefined when none were declared.
 */
function declaredCheck(path: string, s: SliceSession, stored: Set<number>, total: number): DeclaredCheck | undefined {
  const want = new Map<number, string>();
  for (const part of s.parts) if (part.datasha && stored.has(part.offset)) want.set(part.offset, part.datasha.toLowerCase());
  if (want.size === 0) return undefined;
  const h = jsSha1();
  const upTo = Math.max(...want.keys()) + s.sliceSize; // no state is needed past the last declared
  return {
    upTo,
    check(off, data) {
      if (off >= upTo) return;
      h.update(data);
      const w = want.get(off);
      const last = off + data.length === total; // the last slice's datasha is the file's SHA-1
      if (w !== undefined && (last ? h.hex() : h.state()) !== w) {
        throw new UploadMismatchError(path, s.session, `the slice at ${off} was declared with other bytes`);
      }
    },
  };
}

function isStream(s: UploadSource): s is ReadableStream<Uint8Array> {
  return typeof (s as ReadableStream).getReader === "function";
}

function isFileHandle(s: UploadSource): s is FileHandleLike {
  return typeof (s as FileHandleLike).read === "function" && typeof (s as FileHandleLike).stat === "function";
}

/** A source read slice by slice into buffers the caller gives, in order. */
interface SliceReader {
  /** read fills dst with the bytes at position (positions only grow). */
  read(dst: Uint8Array, position: number): Promise<void>;
  /** done throws when a stream has bytes beyond the size it was given. */
  done(): Promise<void>;
  /**
   * close cancels a stream source once the upload has failed, which ends a
   * read waiting on it (a Node Readable is destroyed, as for await does when
   * it stops early); bytes, Blobs and files are left as they are.
   */
  close(reason: unknown): void;
}

/**
 * untilAborted settles as p does, or rejects with signal's reason as soon as
 * it is aborted: an abort ends an upload waiting on a source that stalled.
 */
function untilAborted<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  p.catch(() => undefined); // a read that fails after the abort is nobody's error
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function readerOf(src: UploadSource): SliceReader {
  if (src instanceof Blob) {
    return { read: async (dst, pos) => dst.set(new Uint8Array(await src.slice(pos, pos + dst.length).arrayBuffer())), done: async () => undefined, close: () => undefined };
  }
  if (src instanceof Uint8Array || src instanceof ArrayBuffer) {
    const b = src instanceof Uint8Array ? src : new Uint8Array(src);
    return { read: async (dst, pos) => dst.set(b.subarray(pos, pos + dst.length)), done: async () => undefined, close: () => undefined };
  }
  if (isFileHandle(src)) {
    return {
      read: async (dst, pos) => {
        for (let got = 0; got < dst.length;) {
          const { bytesRead } = await src.read(dst, got, dst.length - got, pos + got);
          if (bytesRead === 0) throw new Error(`the file ended at ${pos + got}, before the size given`);
          got += bytesRead;
        }
      },
      done: async () => undefined,
      close: () => undefined,
    };
  }
  const it = (isStream(src) ? streamIterator(src) : src[Symbol.asyncIterator]()) as AsyncIterator<Uint8Array>;
  let rest: Uint8Array = new Uint8Array(0);
  let at = 0;
  return {
    async read(dst, pos) {
      if (pos !== at) throw new Error(`a stream is read in order: ${pos} after ${at}`);
      let got = 0;
      while (got < dst.length) {
        if (rest.length === 0) {
          const r = await it.next();
          if (r.done) throw new Error(`the stream ended at ${at + got}, before the size given`);
          rest = r.value;
          continue;
        }
        const k = Math.min(rest.length, dst.length - got);
        dst.set(rest.subarray(0, k), got);
        rest = rest.subarray(k);
        got += k;
      }
      at += got;
    },
    async done() {
      for (;;) {
        if (rest.length > 0) throw new Error(`the stream has more than the size given (${at})`);
        const r = await it.next();
        if (r.done) return;
        rest = r.value;
      }
    },
    close(reason) {
      const node = src as { destroy?: (e?: Error) => void };
      if (!isStream(src) && typeof node.destroy === "function") node.destroy(reason instanceof Error ? reason : undefined);
      else void Promise.resolve(it.return?.()).catch(() => undefined);
    },
  };
}

/**
 * release gives up a stream source that upload will not read: a web stream
 * is cancelled (unless a reader holds it), a Node stream destroyed. Bytes,
 * Blobs and file handles are the caller's to close.
 */
function release(src: UploadSource, reason: unknown): void {
  if (isStream(src)) {
    if (!src.locked) void src.cancel(reason).catch(() => undefined);
    return;
  }
  // Without the reason: nothing listens for the error it would emit.
  const node = src as { destroy?: () => void };
  if (!rereadable(src) && typeof node.destroy === "function") {
    node.destroy();
  }
}

function streamIterator(s: ReadableStream<Uint8Array>): AsyncIterator<Uint8Array> {
  const r = s.getReader();
  return {
    next: async () => {
      const { done, value } = await r.read();
      return done ? { done: true, value: undefined } : { done: false, value };
    },
    return: async () => {
      await r.cancel();
      return { done: true, value: undefined };
    },
  };
}

async function sizeOf(src: UploadSource, given?: number): Promise<number> {
  if (src instanceof Blob) return src.size;
  if (src instanceof Uint8Array || src instanceof ArrayBuffer) return src.byteLength;
  if (given !== undefined && given >= 0) return given;
  if (isFileHandle(src)) return (await src.stat()).size;
  throw new TypeError("cos: upload of a stream needs opts.size");
}

/** hashOf reads src (not read yet) from its start and returns its SHA-1. */
async function hashOf(src: UploadSource, total: number, sliceSize: number, signal?: AbortSignal): Promise<string> {
  const r = readerOf(src);
  try {
    return await hashRest(r, newSha1(), 0, total, sliceSize, signal);
  } catch (e) {
    r.close(e);
    throw e;
  }
}

/** hashRest reads r from off to total into h, and returns the SHA-1. */
async function hashRest(r: SliceReader, h: Sha1, off: number, total: number, sliceSize: number, signal?: AbortSignal): Promise<string> {
  const buf = new Uint8Array(sliceSize);
  for (; off < total; off += sliceSize) {
    const b = buf.subarray(0, Math.min(sliceSize, total - off));
    await untilAborted(r.read(b, off), signal);
    h.update(b);
  }
  await untilAborted(r.done(), signal);
  return h.hex();
}

/**
 * finishedAs decides an unfinished upload of p that another run finished
 * after this upload's init: before its listing, or while it sent
 * (overtaken); listed is the listing's object. As Go's uploader does, the
 * file is this upload's when stat shows it holds src's size and SHA-1
 * (sha1Of reads what it must of src then): its bytes are exactly what this
 * upload would have stored. That holds with insertOnly too: the init began a
 * session or met an unfinished upload, not a file, so the path was free when
 * this upload began. (A file there before the init is ErrFileExist from the
 * init, same bytes or not, as the service answers a quick upload under
 * insertOnly.) Other bytes are someone else's: ErrFileExist.
 */
async function finishedAs(client: CosClient, p: string, total: number, listed: CosObject,
  sha1Of: () => Promise<string>, signal?: AbortSignal): Promise<CosObject> {
  const st = await client.stat(p, { signal });
  const same = st.size === total && (await sha1Of()) === st.sha1.toLowerCase();
  if (!same) {
    throw new CosError(-177, `another upload of this path finished meanwhile with other bytes (${st.size}, SHA-1 ${st.sha1})`, 409, "upload_slice_list", p);
  }
  return { ...listed, accessUrl: st.accessUrl || listed.accessUrl, sourceUrl: st.sourceUrl || listed.sourceUrl };
}

/**
 * overtaken decides, once, an upload whose session is gone (failed: the
 * UploadError of the first slice, or the finish, that met ErrWrongSession;
 * the slices in flight are cancelled), as Go's uploader does. Another run of
 * the same upload may have resumed the session and finished it first: when
 * the listing answers a file, finishedAs decides, and a file of these bytes
 * is this upload's. A session discarded or expired leaves no file, or
 * another upload, and failed stands; so it does when the file holds other
 * bytes, with that ErrFileExist as its reason (without it under overwrite:
 * an upload again replaces the file), or when the stat or the source failed
 * (that error the reason). The user's abort is thrown as it is.
 */
async function overtaken(client: CosClient, p: string, total: number, failed: UploadError,
  sha1Of: () => Promise<string>, overwrite: boolean, signal?: AbortSignal): Promise<CosObject> {
  let listed: CosObject | undefined;
  try {
    listed = (await client.sliceList(p, signal)).object;
  } catch {
    signal?.throwIfAborted();
  }
  if (!listed) throw failed;
  try {
    return await finishedAs(client, p, total, listed, sha1Of, signal);
  } catch (e) {
    signal?.throwIfAborted();
    // Asked to replace whatever is there: the session gone is the reason,
    // and an upload again replaces the file.
    if (overwrite && isCode(e, "ErrFileExist")) throw failed;
    throw new UploadError(p, failed.session, failed.offset, failed.cause, e);
  }
}

/** rereadable: a source read at any offset, any number of times (not a stream). */
function rereadable(src: UploadSource): boolean {
  return src instanceof Blob || src instanceof Uint8Array || src instanceof ArrayBuffer || isFileHandle(src);
}

/**
 * finishedOrReplaced decides an unfinished upload of p that another run
 * finished between this upload's init and its listing (listed): finishedAs's
 * object when the file holds src's bytes, or undefined when it holds other
 * bytes and opts.overwrite asks to replace them, as Go's uploader does: the
 * unfinished upload is gone, so a session of this upload's own can (unless
 * src is a stream that was read to compare them: ErrFileExist then).
 */
async function finishedOrReplaced(client: CosClient, p: string, src: UploadSource, total: number, sliceSize: number,
  listed: CosObject, opts: UploadOptions): Promise<CosObject | undefined> {
  let read = false;
  const hash = () => {
    read = true;
    return hashOf(src, total, sliceSize, opts.signal);
  };
  try {
    return await finishedAs(client, p, total, listed, hash, opts.signal);
  } catch (e) {
    if (opts.overwrite && isCode(e, "ErrFileExist") && (!read || rereadable(src))) return undefined;
    throw e;
  }
}

/**
 * upload stores src as file: in one request up to simpleThreshold, else by
 * slices with concurrency in flight. An unfinished upload of the same file
 * left by an earlier attempt is resumed, in its slice size: its stored slices
 * are read and hashed but not sent again. One of another file (another size,
 * or stored slices of other bytes) is an UploadMismatchError. One that
 * another run finishes meanwhile, before the listing or while this one sends
 * (its slices or finish then meet ErrWrongSession), makes this upload's file
 * when stat shows it holds src's bytes; with other bytes it is ErrFileExist
 * (the reason of the UploadError of the session gone, if this one was
 * sending).
 */
export async function upload(client: CosClient, file: string, src: UploadSource, opts: UploadOptions = {}): Promise<CosObject> {
  const p = filePath(file);
  const total = await sizeOf(src, opts.size);
  const progress = (loaded: number) => opts.onProgress?.({ loaded, total });
  const threshold = Math.min(opts.simpleThreshold ?? MAX_SIMPLE_UPLOAD, MAX_SIMPLE_UPLOAD);
  if (total <= threshold) {
    progress(0);
    let body: Blob | Uint8Array | ArrayBuffer;
    if (src instanceof Blob || src instanceof Uint8Array || src instanceof ArrayBuffer) body = src;
    else {
      const r = readerOf(src);
      const all = new Uint8Array(total);
      try {
        await untilAborted(r.read(all, 0), opts.signal);
        await untilAborted(r.done(), opts.signal);
      } catch (e) {
        r.close(e);
        throw e;
      }
      body = all;
    }
    const obj = await client.put(p, body, opts);
    progress(total);
    return obj;
  }
  let sliceSize = opts.sliceSize ?? 1 << 20;
  if (!(SLICE_SIZES as readonly number[]).includes(sliceSize)) throw new RangeError(`cos: slice size ${sliceSize} is not one of ${SLICE_SIZES.join(", ")}`);
  // NaN would bound nothing: every slice read and sent at once.
  const concurrency = opts.concurrency ?? 4;
  if (Number.isNaN(Number(concurrency))) throw new RangeError(`cos: concurrency ${concurrency} is not a number`);

  let session = "";
  let serial = false;
  const stored = new Set<number>();
  let inOrder: DeclaredCheck | undefined;
  try {
    let begun: SliceSession | undefined;
    try {
      begun = await client.sliceInit(p, total, sliceSize, opts);
    } catch (e) {
      if (!isCode(e, "ErrUnfinishedUpload")) throw e;
      const s = await client.sliceList(p, opts.signal);
      if (s.object) {
        // Another run finished it between the init and the listing.
        const obj = await finishedOrReplaced(client, p, src, total, sliceSize, s.object, opts);
        if (obj) {
          progress(total);
          return obj;
        }
        begun = await client.sliceInit(p, total, sliceSize, opts);
      } else {
        if (!s.session) throw e;
        if (s.fileSize !== total) throw new UploadMismatchError(p, s.session, `${s.fileSize} bytes in slices of ${s.sliceSize}, not ${total} bytes`);
        session = s.session;
        sliceSize = s.sliceSize || sliceSize;
        for (const part of s.parts) if (part.datalen === Math.min(sliceSize, total - part.offset)) stored.add(part.offset);
        const declared = declaredCheck(p, s, stored, total);
        if (declared && !rereadable(src)) {
          inOrder = declared; // a stream is read once: checked as its slices are read
        } else if (declared) {
          // As Go's uploader, before any slice is sent: a pass over the source
          // as far as the declared slices go.
          const r = readerOf(src);
          const buf = new Uint8Array(sliceSize);
          for (let off = 0; off < Math.min(declared.upTo, total); off += sliceSize) {
            const b = buf.subarray(0, Math.min(sliceSize, total - off));
            await untilAborted(r.read(b, off), opts.signal);
            declared.check(off, b);
          }
        }
      }
    }
    if (begun) {
      if (begun.object) {
        progress(total);
        return begun.object; // quick upload: the service had the bytes
      }
      session = begun.session;
      sliceSize = begun.sliceSize || sliceSize;
      serial = begun.serial;
    }
  } catch (e) {
    // Nothing of a stream was read: it is released, as after a failure in
    // the slices (a Node stream holds its file open until then).
    release(src, e);
    throw e;
  }

  const limit = serial ? 1 : Math.max(1, concurrency);
  const ctl = new AbortController();
  // A session gone ends the slices in flight, not the reading: the rest of
  // the source may be needed to decide (overtaken).
  const sending = new AbortController();
  ctl.signal.addEventListener("abort", () => sending.abort(ctl.signal.reason), { once: true });
  const onAbort = () => ctl.abort(opts.signal?.reason);
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  // An abort that came while the init's or the listing's answer was read has
  // fired already: the listener above never hears it.
  if (opts.signal?.aborted) onAbort();
  const inflight = new Set<Promise<void>>();
  let failure: UploadError | undefined;
  let loaded = 0;
  for (const off of stored) loaded += Math.min(sliceSize, total - off);
  progress(loaded);
  const sha = newSha1();
  const reader = readerOf(src);
  const pool: Uint8Array<ArrayBuffer>[] = [];
  let offset = 0;
  try {
    for (; offset < total && !failure; offset += sliceSize) {
      ctl.signal.throwIfAborted();
      const off = offset;
      const n = Math.min(sliceSize, total - off);
      // The slice is read into the body it is sent in; bodies are reused once sent.
      const form = client.sliceForm(session, off, n, pool.pop());
      await untilAborted(reader.read(form.data, off), ctl.signal);
      sha.update(form.data);
      inOrder?.check(off, form.data);
      if (stored.has(off)) {
        pool.push(form.body);
        continue;
      }
      ctl.signal.throwIfAborted();
      const fail = (err: unknown, thrown = false) => {
        // What onProgress threw fails the upload even after a -5983: the
        // decision of the session's end (overtaken) would drop it.
        if (!failure || (thrown && isCode(failure.cause, "ErrWrongSession"))) failure = new UploadError(p, session, off, err);
        if (isCode(failure.cause, "ErrWrongSession")) sending.abort();
        else ctl.abort();
      };
      const job: Promise<void> = client.sendSlice(p, form, sending.signal).then(
        () => {
          loaded += n;
          // A throwing onProgress fails the upload: a rejection here would
          // reach no one until the next slice is awaited, maybe never.
          try {
            progress(loaded);
          } catch (err) {
            fail(err, true);
          }
        },
        fail,
      ).finally(() => {
        inflight.delete(job);
        pool.push(form.body);
      });
      inflight.add(job);
      if (inflight.size >= limit) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    if (failure && isCode(failure.cause, "ErrWrongSession")) {
      // The source is read up to offset, all of it hashed.
      const rest = () => hashRest(reader, sha, offset, total, sliceSize, ctl.signal);
      const obj = await overtaken(client, p, total, failure, rest, Boolean(opts.overwrite), ctl.signal);
      // Decided: the session's end is this upload's, and what fails from
      // here (a throwing onProgress) fails the whole file, as after a finish.
      failure = undefined;
      offset = total;
      progress(total);
      return obj;
    }
    if (failure) throw failure;
    offset = total; // what fails from here fails the whole file, not a slice
    ctl.signal.throwIfAborted();
    await untilAborted(reader.done(), ctl.signal);
    const digest = sha.hex();
    try {
      return await client.sliceFinish(p, session, total, digest, opts.signal);
    } catch (e) {
      if (isCode(e, "ErrWrongSession")) {
        const obj = await overtaken(client, p, total, new UploadError(p, session, offset, e), async () => digest, Boolean(opts.overwrite), ctl.signal);
        progress(total);
        return obj;
      }
      // Slices stored by an earlier attempt were of other bytes (the source
      // changed since): resuming can never finish.
      if (stored.size > 0 && isCode(e, "ErrSHANotEqual")) throw new UploadMismatchError(p, session, "the slices stored before are of other bytes", e);
      // The upload's init declared running states (uploadparts, as the
      // official SDKs send them) that these bytes contradict, also where no
      // slice was stored yet to check them against: it never finishes.
      if (isCode(e, "ErrNotSameSHA")) throw new UploadMismatchError(p, session, "its init declared other bytes", e);
      throw e;
    }
  } catch (e) {
    // Nothing of the upload runs on once it has failed: the slices in flight
    // are stopped, and waited for, before the error is thrown.
    ctl.abort(e);
    reader.close(e);
    await Promise.all(inflight);
    // overtaken's own, when it decided the slice's failure.
    if (e instanceof UploadError) throw e;
    if (failure) throw failure;
    if (e instanceof UploadMismatchError) throw e;
    // As Go's uploader: any other failure, the finish's too (offset is then
    // the size), names the session, so the caller can resume it.
    throw new UploadError(p, session, offset, e);
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
  }
}
