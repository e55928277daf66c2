// The client users call: one method per operation, paths checked as Go's
// facade checks them, answers turned into plain objects or CosErrors.

import { Core, type ClientOptions } from "./client.js";
import { openDownload, type ByteRange } from "./download.js";
import { BadAnswerError, CosError, isCode, ResponseTooLargeError } from "./errors.js";
import { paths as P } from "./gen/ops.gen.js";
import type { components } from "./gen/schema.gen.js";
import { buildForm, formToFill, type FormToFill } from "./multipart.js";
import { checkPath, dirPath, filePath, nameProblem } from "./paths.js";
import { newSha1 } from "./sha1.js";

type S = components["schemas"];

/** The largest simple upload: 20 MB. */
export const MAX_SIMPLE_UPLOAD = 20 * 1024 * 1024;
/** The slice sizes the service allows. */
export const SLICE_SIZES = [524288, 1048576, 2097152, 3145728] as const;

/** Where a stored file can be reached. */
export interface CosObject {
  accessUrl: string;
  sourceUrl: string;
  resourcePath: string;
  url: string;
}

/** What stat tells of a file. */
export interface FileInfo {
  path: string;
  name: string;
  size: number;
  sha1: string;
  bizAttr: string;
  created: number;
  updated: number;
  accessUrl: string;
  sourceUrl: string;
  authority: string;
  headers: Record<string, string>;
}

/** What stat tells of a directory. */
export interface DirInfo {
  path: string;
  bizAttr: string;
  created: number;
  updated: number;
}

/** One entry of a listing: a directory (name ends in "/") or a file. */
export interface Entry {
  name: string;
  isDir: boolean;
  size: number;
  sha1: string;
  created: number;
  updated: number;
  accessUrl: string;
  sourceUrl: string;
  authority: string;
}

/** The state of a slice upload. */
export interface SliceSession {
  session: string;
  sliceSize: number;
  fileSize: number;
  parts: { offset: number; datalen: number; datasha?: string }[];
  /** Set when nothing is left to upload (quick upload, or a finished upload found by sliceList). */
  object?: CosObject;
  serial: boolean;
}

/** Options of put and slice uploads. */
export interface PutOptions {
  /** Replace an existing file (insertOnly=0); by default an existing file fails with ErrFileExist. */
  overwrite?: boolean;
  bizAttr?: string;
  signal?: AbortSignal;
}

/** Bytes the client can send: a Blob (or File), or bytes in memory. */
export type Bytes = Blob | Uint8Array | ArrayBuffer | string;

/**
 * toPart returns content as a file part: a Blob stays a Blob (a File is read
 * when it is sent), everything else becomes bytes, which Node sends fastest.
 */
export function toPart(b: Bytes): Blob | Uint8Array {
  if (b instanceof Blob || b instanceof Uint8Array) return b;
  if (typeof b === "string") return new TextEncoder().encode(b);
  return new Uint8Array(b);
}

const num = (v: unknown): number => (typeof v === "number" ? v : typeof v === "string" && v !== "" ? Number(v) : 0);
const str = (v: unknown): string => (typeof v === "string" ? v : "");

/**
 * checkSession refuses an unfinished session a client cannot follow (as Go's
 * SliceSession.check): no session, a slice size not in SLICE_SIZES, a
 * negative size, or a stored slice that is not one of the file's slices.
 */
function checkSession(s: SliceSession, op: string, p: string): void {
  const bad = (detail: string) => new BadAnswerError(op, p, detail);
  if (!s.session) throw bad("neither a session nor a finished file");
  if (!(SLICE_SIZES as readonly number[]).includes(s.sliceSize)) throw bad(`slice size ${s.sliceSize} is not one of ${SLICE_SIZES.join(", ")}`);
  if (!(s.fileSize >= 0)) throw bad(`file size ${s.fileSize}`);
  for (const part of s.parts) {
    if (!(part.offset >= 0 && part.offset < s.fileSize && part.offset % s.sliceSize === 0 && part.datalen === Math.min(s.sliceSize, s.fileSize - part.offset))) {
      throw bad(`stored slice of ${part.datalen} bytes at ${part.offset} is not one of a ${s.fileSize}-byte file's slices of ${s.sliceSize}`);
    }
  }
}

function objectOf(d: { access_url?: string; source_url?: string; resource_path?: string; url?: string } | undefined): CosObject {
  return { accessUrl: str(d?.access_url), sourceUrl: str(d?.source_url), resourcePath: str(d?.resource_path), url: str(d?.url) };
}

async function sha1Hex(b: Blob | Uint8Array): Promise<string> {
  const h = newSha1();
  h.update(b instanceof Blob ? new Uint8Array(await b.arrayBuffer()) : b);
  return h.hex();
}

/** Client calls the COS v2 JSON API for one bucket. */
export class CosClient {
  readonly core: Core;

  constructor(opts: ClientOptions) {
    this.core = new Core(opts);
  }

  /** The typed openapi-fetch client, for calls this class does not wrap. */
  get api() {
    return this.core.api;
  }
  get appid() {
    return this.core.appid;
  }
  get bucket() {
    return this.core.bucket;
  }

  private params(path: string) {
    return { appid: this.core.appid, bucket: this.core.bucket, path };
  }

  /** mkdir creates dir (its parent must exist). A retry after a lost answer that finds it made counts as success. */
  async mkdir(dir: string, bizAttr = ""): Promise<void> {
    const p = dirPath(dir);
    try {
      await this.core.check(this.api.POST(P.createDirectory, { params: { path: this.params(p) }, body: { biz_attr: bizAttr, op: "create" } }), "create", p);
    } catch (e) {
      if (!(maybeDoneBefore(e) && (isCode(e, "ErrPathConflict") || isCode(e, "ErrFileExist")))) throw e;
    }
  }

  /** statDir returns a directory's attributes. */
  async statDir(dir: string): Promise<DirInfo> {
    const p = dirPath(dir);
    const { data } = await this.core.check<S["StatDirectoryData"] | undefined>(
      this.api.GET(P.statDirectory, { params: { path: this.params(p), query: { op: "stat" } } }), "stat", p);
    return { path: p, bizAttr: str(data?.biz_attr), created: num(data?.ctime), updated: num(data?.mtime) };
  }

  /** updateDir sets a directory's business attributes (one-time signature). */
  async updateDir(dir: string, bizAttr: string): Promise<void> {
    const p = dirPath(dir);
    await this.core.check(this.api.POST(P.updateDirectory, { params: { path: this.params(p) }, body: { biz_attr: bizAttr, op: "update" } }), "update", p);
  }

  /** rmdir deletes an empty directory. A retry after a lost answer that finds it gone counts as success. */
  async rmdir(dir: string): Promise<void> {
    const p = dirPath(dir);
    if (p === "/") throw new TypeError("cos: the bucket root cannot be removed");
    await this.gone(this.core.check(this.api.POST(P.deleteDirectory, { params: { path: this.params(p) }, body: { op: "delete" } }), "delete", p));
  }

  /**
   * list yields the entries of dir, page by page, until the service says the
   * listing is over. As Go's List, a page that says more follow (listover
   * false) without a context that leads on, none or one an earlier page gave
   * (which would list pages again), is a BadAnswerError before any of its
   * entries: a partial listing is never taken for the whole.
   */
  async *list(dir: string, opts: { prefix?: string; pageSize?: number; limit?: number } = {}): AsyncGenerator<Entry> {
    const p = dirPath(dir);
    if (opts.prefix?.includes("/")) throw new TypeError("cos: invalid path: a list prefix has no /");
    const listPath = checkPath(p + (opts.prefix ?? ""));
    let next = "";
    let n = 0;
    const seen = new Set<string>(); // every context given: one given again would list pages again
    for (;;) {
      const query: { op: "list"; num: number; context?: string } = { op: "list", num: opts.pageSize ?? 199 };
      if (next) query.context = next;
      const { data } = await this.core.check<S["ListDirectoryData"] | undefined>(
        this.api.GET(P.listDirectory, { params: { path: this.params(listPath), query } }), "list", listPath);
      const infos = data?.infos ?? [];
      // The whole page first, as Go's List: none of a bad page is yielded.
      const ctx = str(data?.context);
      if (!data?.listover && ((ctx === "" && data?.listover === false) || seen.has(ctx))) {
        throw new BadAnswerError("list", listPath, `listover is false, and context ${JSON.stringify(ctx)} leads to no next page`);
      }
      for (const i of infos) {
        const problem = nameProblem(i.name) ?? (num(i.filesize) < 0 ? `file size ${num(i.filesize)}` : undefined);
        if (problem) throw new BadAnswerError("list", listPath, `entry ${JSON.stringify(i.name)}: ${problem}`);
      }
      for (const i of infos) {
        yield {
          name: i.name, isDir: i.name.endsWith("/"), size: num(i.filesize), sha1: str(i.sha), created: num(i.ctime), updated: num(i.mtime),
          accessUrl: str(i.access_url), sourceUrl: str(i.source_url), authority: str(i.authority),
        };
        if (opts.limit && ++n >= opts.limit) return;
      }
      if (data?.listover || ctx === "") return;
      seen.add(ctx);
      next = ctx;
    }
  }

  /**
   * put uploads at most 20 MB in one request, with its SHA-1 so the service
   * checks the bytes. A retry after a lost answer that finds the file there
   * with this size and SHA-1 counts as success; the CosObject, from stat,
   * then has no url.
   */
  async put(file: string, content: Bytes, opts: PutOptions = {}): Promise<CosObject> {
    const p = filePath(file);
    const part = toPart(content);
    const size = part instanceof Blob ? part.size : part.length;
    if (size > MAX_SIMPLE_UPLOAD) throw new RangeError(`cos: put ${p}: ${size} bytes; a simple upload takes at most ${MAX_SIMPLE_UPLOAD} (use upload)`);
    const sha = await sha1Hex(part);
    const body = Core.form([["op", "upload"], ["sha", sha], ["insertOnly", opts.overwrite ? "0" : "1"], ["biz_attr", opts.bizAttr || undefined], ["filecontent", part]]);
    try {
      const { data } = await this.core.check<S["FileURLs"] | undefined>(
        this.api.POST(P.uploadFile, { params: { path: this.params(p) }, body, signal: opts.signal }), "upload", p);
      return objectOf(data);
    } catch (e) {
      // A retry after a lost answer that finds the same bytes there: the
      // first attempt worked, and stat tells where the file is (as Go's Put;
      // url stays empty).
      const object = maybeDoneBefore(e) && isCode(e, "ErrFileExist") ? await this.storedAs(p, size, sha, opts.signal) : undefined;
      if (object) return object;
      throw e;
    }
  }

  /** stat returns a file's attributes; an abort of opts.signal ends it. */
  async stat(file: string, opts: { signal?: AbortSignal } = {}): Promise<FileInfo> {
    const p = filePath(file);
    const { data: d } = await this.core.check<S["StatFileData"] | undefined>(
      this.api.GET(P.statFile, { params: { path: this.params(p), query: { op: "stat" } }, signal: opts.signal }), "stat", p);
    const headers: Record<string, string> = {};
    if (d?.custom_headers && !Array.isArray(d.custom_headers)) for (const [k, v] of Object.entries(d.custom_headers)) if (typeof v === "string") headers[k] = v;
    const size = num(d?.filesize);
    if (!(size >= 0)) throw new BadAnswerError("stat", p, `file size ${String(d?.filesize)}`);
    return {
      path: p, name: str(d?.name), size, sha1: str(d?.sha), bizAttr: str(d?.biz_attr), created: num(d?.ctime),
      updated: num(d?.mtime), accessUrl: str(d?.access_url), sourceUrl: str(d?.source_url), authority: str(d?.authority), headers,
    };
  }

  /** update changes a file's attributes (one-time signature); fields not given are left as they are. */
  async update(file: string, u: { bizAttr?: string; authority?: S["Authority"]; headers?: Record<string, string> }): Promise<void> {
    const p = filePath(file);
    // Go's field order (encoding/json of gen.UpdateFileRequest): authority, biz_attr, custom_headers, op.
    const body: Record<string, unknown> = {};
    if (u.authority !== undefined) body.authority = u.authority;
    if (u.bizAttr !== undefined) body.biz_attr = u.bizAttr;
    if (u.headers && Object.keys(u.headers).length > 0) {
      body.custom_headers = Object.fromEntries(Object.entries(u.headers).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    body.op = "update";
    await this.core.check(this.api.POST(P.updateFile, { params: { path: this.params(p) }, body: body as S["UpdateFileRequest"] }), "update", p);
  }

  /** remove deletes a file. A retry after a lost answer that finds it gone counts as success. */
  async remove(file: string): Promise<void> {
    const p = filePath(file);
    await this.gone(this.core.check(this.api.POST(P.deleteFile, { params: { path: this.params(p) }, body: { op: "delete" } }), "delete", p));
  }

  /** move renames src to dst (a path from the bucket root), replacing dst only with overwrite. */
  move(src: string, dst: string, overwrite = false): Promise<void> {
    return this.moveOrCopy("move", src, dst, overwrite);
  }

  /** copy copies src to dst in the same bucket, replacing dst only with overwrite. */
  copy(src: string, dst: string, overwrite = false): Promise<void> {
    return this.moveOrCopy("copy", src, dst, overwrite);
  }

  private async moveOrCopy(op: "move" | "copy", src: string, dst: string, overwrite: boolean): Promise<void> {
    const s = filePath(src);
    const d = filePath(dst);
    if (s === d) throw new TypeError(`cos: ${op}: source and destination are the same file`);
    // As Go's moveOrCopy: a move whose answer was lost cannot be told from one
    // that never happened, so it is not repeated; a copy that may overwrite is
    // idempotent, and is.
    const body = Core.form([["op", op], ["dest_fileid", this.destFileId(d)], ["to_over_write", overwrite ? "1" : "0"]], { idempotent: op === "copy" && overwrite });
    const call = op === "move"
      ? this.api.POST(P.moveFile, { params: { path: this.params(s), query: {} }, body })
      : this.api.POST(P.copyFile, { params: { path: this.params(s), query: {} }, body });
    await this.core.check(call, op, s);
  }

  /**
   * destFileId is dest_fileid for d, a path from the bucket root. The service
   * reads a dest_fileid that starts with /<appid>/ as a resource path,
   * /<appid>/<bucket>/<path>, so d is sent as one when it starts so itself (a
   * directory named after the project), as Go's destFileID: else it would
   * land elsewhere.
   */
  private destFileId(d: string): string {
    return d.startsWith(`/${this.appid}/`) ? `/${this.appid}/${this.bucket}${d}` : d;
  }

  /**
   * sliceInit opens a slice upload; an unfinished one of the file fails with
   * ErrUnfinishedUpload: ask sliceList. A lost answer is retried, as Go's
   * SliceInit: the repeated init meets the first one's session (that same
   * error) or, after a quick upload (with o.sha), the file, which counts when
   * stat shows it holds these bytes.
   */
  async sliceInit(file: string, size: number, sliceSize: number, o: PutOptions & { sha?: string } = {}): Promise<SliceSession> {
    const p = filePath(file);
    if (!(SLICE_SIZES as readonly number[]).includes(sliceSize) || size < 0) throw new RangeError(`cos: slice size ${sliceSize} is not one of ${SLICE_SIZES.join(", ")}`);
    const body = Core.form([["op", "upload_slice_init"], ["filesize", String(size)], ["slice_size", String(sliceSize)],
      ["insertOnly", o.overwrite ? "0" : "1"], ["biz_attr", o.bizAttr || undefined], ["sha", o.sha || undefined]]);
    let d: S["UploadSliceInitData"] | undefined;
    try {
      ({ data: d } = await this.core.check<S["UploadSliceInitData"] | undefined>(
        this.api.POST(P.uploadSliceInit, { params: { path: this.params(p) }, body, signal: o.signal }), "upload_slice_init", p));
    } catch (e) {
      // A retry after a quick upload whose answer was lost finds the file:
      // stat says whether it is these bytes (Go's quickDone).
      const object = maybeDoneBefore(e) && isCode(e, "ErrFileExist") ? await this.storedAs(p, size, o.sha, o.signal) : undefined;
      if (!object) throw e;
      return { session: "", sliceSize, fileSize: size, parts: [], serial: false, object };
    }
    const out: SliceSession = { session: str(d?.session), sliceSize: d?.slice_size ? num(d.slice_size) : sliceSize, fileSize: size, parts: [], serial: num(d?.serial_upload) === 1 };
    if (d?.access_url && !out.session) out.object = objectOf(d);
    else checkSession(out, "upload_slice_init", p);
    return out;
  }

  /** sliceData stores data as the slice at offset. Storing a slice twice is harmless, so it is retried. */
  async sliceData(file: string, session: string, offset: number, data: Bytes, signal?: AbortSignal): Promise<void> {
    const p = filePath(file);
    const body = Core.form([["op", "upload_slice_data"], ["session", session], ["offset", String(offset)], ["filecontent", toPart(data)]]);
    await this.core.check(this.api.POST(P.uploadSliceData, { params: { path: this.params(p) }, body, signal }), "upload_slice_data", p);
  }

  /**
   * sliceForm returns the form of the slice of n bytes at offset, its bytes
   * left to fill (form.data); send it with sendSlice. buf is reused when large
   * enough. upload reads slices straight into these bodies.
   */
  sliceForm(session: string, offset: number, n: number, buf?: Uint8Array<ArrayBuffer>): FormToFill {
    return formToFill([["op", "upload_slice_data"], ["session", session], ["offset", String(offset)]], "filecontent", n, buf);
  }

  /** sendSlice sends a form of sliceForm, filled. */
  async sendSlice(file: string, form: FormToFill, signal?: AbortSignal): Promise<void> {
    const p = filePath(file);
    await this.core.check(this.api.POST(P.uploadSliceData, { params: { path: this.params(p) }, body: Core.built(form), signal }), "upload_slice_data", p);
  }

  /**
   * sliceFinish completes the upload; sha (the whole file's SHA-1) is checked
   * by the service. A finish whose answer was lost may have stored the file:
   * a repeated one then finds the session gone (ErrWrongSession). As Go's
   * SliceFinish, stat decides: the file stored with this size and sha is done
   * (the CosObject then has no url).
   */
  async sliceFinish(file: string, session: string, size: number, sha?: string, signal?: AbortSignal): Promise<CosObject> {
    const p = filePath(file);
    const body = Core.form([["op", "upload_slice_finish"], ["session", session], ["filesize", String(size)], ["sha", sha || undefined]]);
    try {
      const { data } = await this.core.check<S["FileURLs"] | undefined>(
        this.api.POST(P.uploadSliceFinish, { params: { path: this.params(p) }, body, signal }), "upload_slice_finish", p);
      return objectOf(data);
    } catch (e) {
      if (!(maybeDoneBefore(e) || ambiguous(e, signal))) throw e;
      const o = await this.storedAs(p, size, sha, signal);
      if (o) return o;
      throw e;
    }
  }

  /**
   * storedAs returns the object at p when stat shows it holds size bytes of
   * SHA-1 sha, else undefined (also without sha: a size alone proves nothing).
   * An abort of signal ends the stat and throws its reason, as Go's
   * storedAs stops with its ctx.
   */
  private async storedAs(p: string, size: number, sha?: string, signal?: AbortSignal): Promise<CosObject | undefined> {
    if (!sha) return undefined;
    try {
      const st = await this.stat(p, { signal });
      if (st.size !== size || st.sha1.toLowerCase() !== sha.toLowerCase()) return undefined;
      return { accessUrl: st.accessUrl, sourceUrl: st.sourceUrl, resourcePath: `/${this.appid}/${this.bucket}${p}`, url: "" };
    } catch {
      signal?.throwIfAborted();
      return undefined;
    }
  }

  /** sliceList returns the unfinished upload of file with its stored slices. */
  async sliceList(file: string, signal?: AbortSignal): Promise<SliceSession> {
    const p = filePath(file);
    const body = Core.form([["op", "upload_slice_list"]]);
    const { data: d } = await this.core.check<S["UploadSliceListData"] | undefined>(
      this.api.POST(P.uploadSliceList, { params: { path: this.params(p) }, body, signal }), "upload_slice_list", p);
    const out: SliceSession = {
      session: str(d?.session), sliceSize: num(d?.slice_size), fileSize: num(d?.filesize), serial: false,
      parts: (d?.listparts ?? []).map((x) => ({ offset: num(x.offset), datalen: num(x.datalen), datasha: x.datasha })),
    };
    if (!out.session && d?.access_url) out.object = objectOf(d);
    else checkSession(out, "upload_slice_list", p);
    return out;
  }

  /**
   * downloadResponse GETs the file's source_url (from stat) with a multi-use
   * signature in Authorization, which private files need, bound to the path
   * alone (downloadFileId): a server takes it for downloads only, so whoever
   * sees the GET (another host, a CDN) gets this file and nothing else; range selects
   * bytes. Its body is exactly those bytes, as Go's Reader reads them: an
   * answer that ends early (broken, or closed cleanly short of the size stat
   * gave) is resumed with a Range from where it stopped, pinned to the
   * version read so far, under the retry policy, and the body fails once
   * that is spent. The answer must be the version stat saw (its ETag, when
   * it is a SHA-1, stat's SHA-1), else ObjectChangedError. A file gone since
   * stat is ErrFileNotExist, also when the download host answers a bare 404.
   */
  async downloadResponse(file: string, opts: { range?: ByteRange; signal?: AbortSignal } = {}): Promise<Response> {
    const st = await this.stat(file, { signal: opts.signal });
    if (!st.sourceUrl) throw new CosError(-9999, "stat gave no source_url", 0, "download", st.path);
    return openDownload(this.core, st, opts.range, opts.signal);
  }

  /** download returns the file's bytes. */
  async download(file: string, opts: { range?: ByteRange; signal?: AbortSignal } = {}): Promise<Uint8Array> {
    const r = await this.downloadResponse(file, opts);
    return new Uint8Array(await r.arrayBuffer());
  }

  private async gone(p: Promise<unknown>): Promise<void> {
    try {
      await p;
    } catch (e) {
      if (!(maybeDoneBefore(e) && isCode(e, "ErrFileNotExist"))) throw e;
    }
  }
}

/**
 * maybeDoneBefore reports whether e answered an attempt after one that may
 * have done the work (its answer lost): only then can "exists" or "not
 * found" be that attempt's work. After a refusal that did nothing (-71), it
 * is the call's answer.
 */
function maybeDoneBefore(e: unknown): boolean {
  return e instanceof CosError && e.maybeDoneBefore;
}

/**
 * ambiguous reports whether e leaves open whether the service did the work
 * (Go's ambiguous): no answer came back (and not for the caller's abort), or
 * a bare 5xx, without the envelope, did.
 */
function ambiguous(e: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return false;
  if (e instanceof CosError) return e.code > 0 && e.status >= 500;
  return !(e instanceof BadAnswerError) && !(e instanceof ResponseTooLargeError) && !(e instanceof Error && e.name === "AbortError");
}

/** buildForm is exported for tests of the wire format. */
export { buildForm };
