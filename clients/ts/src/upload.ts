// Uploads of any size: one request up to 20 MB, else slices, a few in flight,
// hashed in order as they are read (the SHA-1 goes with the finish, as the Go
// uploader does by default), resumed from upload_slice_list when the service
// says an unfinished upload of the file exists.

import { CosError, isCode } from "./errors.js";
import { CosClient, MAX_SIMPLE_UPLOAD, SLICE_SIZES, type CosObject, type PutOptions } from "./cos.js";
import { filePath } from "./paths.js";
import { newSha1 } from "./sha1.js";

/**
 * What upload reads: a Blob or File (browsers, or Node's fs.openAsBlob), bytes
 * in memory, or a stream of bytes (a Node Readable, a WHATWG ReadableStream),
 * whose size must then be given.
 */
export type UploadSource = Blob | Uint8Array | ArrayBuffer | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

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
  /** Slices in flight at once (default 4). */
  concurrency?: number;
  /** Files up to this size go in one request (default 20 MB, the most the service takes). */
  simpleThreshold?: number;
  onProgress?: (p: Progress) => void;
}

/** An upload that failed after its session was opened: resume it by uploading the same file again. */
export class UploadError extends Error {
  constructor(readonly path: string, readonly session: string, readonly offset: number, readonly cause: unknown) {
    super(`cos: upload ${path}: slice at ${offset} of session ${session}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "UploadError";
  }
}

function isStream(s: UploadSource): s is ReadableStream<Uint8Array> {
  return typeof (s as ReadableStream).getReader === "function";
}

/** slices yields the source in order, cut into slices of n bytes (the last may be shorter). */
async function* slices(src: UploadSource, n: number): AsyncGenerator<Uint8Array> {
  if (src instanceof Blob) {
    for (let off = 0; off < src.size; off += n) yield new Uint8Array(await src.slice(off, off + n).arrayBuffer());
    return;
  }
  if (src instanceof Uint8Array || src instanceof ArrayBuffer) {
    const b = src instanceof Uint8Array ? src : new Uint8Array(src);
    for (let off = 0; off < b.length; off += n) yield b.subarray(off, off + n);
    return;
  }
  const it: AsyncIterable<Uint8Array> = isStream(src)
    ? { [Symbol.asyncIterator]: () => streamIterator(src) }
    : src;
  let buf = new Uint8Array(n);
  let fill = 0;
  for await (const chunk of it) {
    let c = chunk;
    while (c.length > 0) {
      const k = Math.min(n - fill, c.length);
      buf.set(c.subarray(0, k), fill);
      fill += k;
      c = c.subarray(k);
      if (fill === n) {
        yield buf;
        buf = new Uint8Array(n);
        fill = 0;
      }
    }
  }
  if (fill > 0) yield buf.subarray(0, fill);
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

function sizeOf(src: UploadSource, given?: number): number {
  if (src instanceof Blob) return src.size;
  if (src instanceof Uint8Array || src instanceof ArrayBuffer) return src.byteLength;
  if (given === undefined || !(given >= 0)) throw new TypeError("cos: upload of a stream needs opts.size");
  return given;
}

/**
 * upload stores src as file: in one request up to simpleThreshold, else by
 * slices with concurrency in flight. An unfinished upload of the same file and
 * slice size left by an earlier attempt is resumed: its stored slices are read
 * and hashed but not sent again.
 */
export async function upload(client: CosClient, file: string, src: UploadSource, opts: UploadOptions = {}): Promise<CosObject> {
  const p = filePath(file);
  const total = sizeOf(src, opts.size);
  const progress = (loaded: number) => opts.onProgress?.({ loaded, total });
  const threshold = Math.min(opts.simpleThreshold ?? MAX_SIMPLE_UPLOAD, MAX_SIMPLE_UPLOAD);
  if (total <= threshold) {
    progress(0);
    let body: Blob | Uint8Array | ArrayBuffer;
    if (src instanceof Blob || src instanceof Uint8Array || src instanceof ArrayBuffer) body = src;
    else {
      const parts: Uint8Array[] = [];
      for await (const s of slices(src, 1 << 20)) parts.push(s.slice());
      body = new Blob(parts as Uint8Array<ArrayBuffer>[]);
    }
    const obj = await client.put(p, body, opts);
    progress(total);
    return obj;
  }
  let sliceSize = opts.sliceSize ?? 1 << 20;
  if (!(SLICE_SIZES as readonly number[]).includes(sliceSize)) throw new RangeError(`cos: slice size ${sliceSize} is not one of ${SLICE_SIZES.join(", ")}`);

  let session: string;
  let serial = false;
  const stored = new Set<number>();
  try {
    const s = await client.sliceInit(p, total, sliceSize, opts);
    if (s.object) {
      progress(total);
      return s.object; // quick upload: the service had the bytes
    }
    session = s.session;
    sliceSize = s.sliceSize || sliceSize;
    serial = s.serial;
  } catch (e) {
    if (!isCode(e, "ErrUnfinishedUpload")) throw e;
    const s = await client.sliceList(p, opts.signal);
    if (s.object) {
      progress(total);
      return s.object;
    }
    if (s.fileSize !== total || !s.session) throw e; // another file's upload: not ours to resume
    session = s.session;
    sliceSize = s.sliceSize || sliceSize;
    for (const part of s.parts) if (part.datalen === Math.min(sliceSize, total - part.offset)) stored.add(part.offset);
  }

  const limit = serial ? 1 : Math.max(1, opts.concurrency ?? 4);
  const ctl = new AbortController();
  const onAbort = () => ctl.abort(opts.signal?.reason);
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  const inflight = new Set<Promise<void>>();
  let failure: UploadError | undefined;
  let loaded = 0;
  for (const off of stored) loaded += Math.min(sliceSize, total - off);
  progress(loaded);
  const sha = newSha1();
  let offset = 0;
  try {
    for await (const data of slices(src, sliceSize)) {
      if (failure) break;
      sha.update(data);
      const off = offset;
      offset += data.length;
      if (stored.has(off)) continue;
      const job: Promise<void> = client.sliceData(p, session, off, data, ctl.signal).then(
        () => {
          loaded += data.length;
          progress(loaded);
        },
        (err: unknown) => {
          if (!failure) failure = new UploadError(p, session, off, err);
          ctl.abort();
        },
      ).finally(() => inflight.delete(job));
      inflight.add(job);
      if (inflight.size >= limit) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    if (failure) throw failure;
    if (offset !== total) throw new UploadError(p, session, offset, new Error(`the source gave ${offset} bytes, not ${total}`));
    return await client.sliceFinish(p, session, total, sha.hex(), opts.signal);
  } catch (e) {
    if (e instanceof UploadError || e instanceof CosError) throw e;
    throw new UploadError(p, session, offset, e);
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
  }
}
