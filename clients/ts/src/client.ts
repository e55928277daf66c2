// The typed client: openapi-fetch on the types openapi-typescript makes from
// spec/cos-v2.yaml, called with the spec's own fragment path keys, plus what it
// takes to send exactly what the Go client sends (gen/url_test.go,
// internal/tools/wirerec): the slashes of {path} kept, the rest escaped as Go's
// url.PathEscape does, the query moved out of the fragment, JSON in Go's field
// order and escapes, multipart as Go's mime/multipart. Below it, one fetch that
// retries, and signs every attempt with the kind the operation takes.

import createFetchClient, { type Client as FetchClient, type Middleware } from "openapi-fetch";
import { authRequest, callbackAuthorizer, signerAuthorizer, type Authorizer, type GetAuthorization } from "./auth.js";
import { CosError, ResponseTooLargeError } from "./errors.js";
import { lookupError } from "./gen/errors.gen.js";
import { operationByFragment, type Operation } from "./gen/ops.gen.js";
import type { components, paths } from "./gen/schema.gen.js";
import { buildForm, type Form, type PartValue } from "./multipart.js";
import { createNodeFetch } from "./node-fetch.js";
import { Signer, type Kind } from "./signer.js";

/** The typed openapi-fetch client of the spec's paths. */
export type ApiClient = FetchClient<paths>;
type Schemas = components["schemas"];

/** When and how often a request is tried again. */
export interface RetryPolicy {
  /** Attempts in all, the first included (default 4). */
  maxAttempts: number;
  /** The first backoff in ms, doubled each time, with full jitter (default 100). */
  baseDelayMs: number;
  /** The longest backoff, and the longest Retry-After honoured, in ms (default 5000). */
  maxDelayMs: number;
}

/**
 * MAX_RESPONSE_BYTES bounds the bytes of one API answer the client reads (as
 * Go's MaxResponseBytes): a listing of 1000 entries fits many times over.
 * Downloads are not bounded. A longer answer is a ResponseTooLargeError.
 */
export const MAX_RESPONSE_BYTES = 4 << 20;

/**
 * MAX_SLICE_LIST_BYTES bounds the answer of upload_slice_list instead (as
 * Go's MaxSliceListBytes), which lists every stored slice of an upload: about
 * 2.7 million with their datasha, a file of 1.3 TB in 512 KB slices.
 */
export const MAX_SLICE_LIST_BYTES = 256 << 20;

/** defaultRetryPolicy is the policy of a client given none, as Go's DefaultRetryPolicy(). */
export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 5000 };

/**
 * retryPolicy fills in what p leaves out, as Go's RetryPolicy.orDefault: a
 * field undefined (or NaN), attempts below 1 and a cap of 0 or less are the
 * default's, never "no limit" or "no wait".
 */
function retryPolicy(p: Partial<RetryPolicy> = {}): RetryPolicy {
  const or = (v: number | undefined, least: number, d: number) => (v !== undefined && v >= least ? v : d); // NaN >= least is false
  const d = defaultRetryPolicy;
  return {
    maxAttempts: Math.floor(or(p.maxAttempts, 1, d.maxAttempts)),
    baseDelayMs: or(p.baseDelayMs, 0, d.baseDelayMs),
    maxDelayMs: or(p.maxDelayMs, Number.MIN_VALUE, d.maxDelayMs),
  };
}

/** Options of createClient. */
export interface ClientOptions {
  appid: string;
  bucket: string;
  /** The API's base URL, e.g. http://127.0.0.1:8089; default https://<region>.file.myqcloud.com. */
  endpoint?: string;
  /** The region of the default endpoint (default "sh"). */
  region?: string;
  /** The secret, for a backend or a script: every request is signed here. */
  credentials?: { secretId: string; secretKey: string };
  /** Signer options with credentials (clock, TTL of multi-use signatures, binding). */
  signerOptions?: ConstructorParameters<typeof Signer>[1];
  /** For a page: the app's backend signs (see AuthRequest). */
  getAuthorization?: GetAuthorization;
  /** Or any Authorizer. */
  authorizer?: Authorizer;
  /** The retry policy; a field left out, undefined, or out of range (0 attempts, a cap of 0) is defaultRetryPolicy's. */
  retry?: Partial<RetryPolicy>;
  /** The fetch to send with (default: in Node, createNodeFetch(); in browsers, globalThis.fetch). */
  fetch?: typeof fetch;
}

// Go's url.PathEscape keeps A-Z a-z 0-9 - _ . ~ and $ & + : = @ in a path
// segment and escapes everything else; KeepSlashes then turns %2F back to "/".
const PATH_KEEP = /[A-Za-z0-9\-_.~$&+:=@/]/;
// Go's url.QueryEscape keeps A-Z a-z 0-9 - _ . ~, sends " " as "+".
const QUERY_KEEP = /[A-Za-z0-9\-_.~]/;
const utf8 = new TextEncoder();

function escapeWith(s: string, keep: RegExp, spacePlus: boolean): string {
  let out = "";
  for (const ch of s) {
    if (keep.test(ch)) out += ch;
    else if (spacePlus && ch === " ") out += "+";
    else for (const b of utf8.encode(ch)) out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/** escapePath escapes a path as the Go client sends it: slashes literal, the rest as url.PathEscape. */
export function escapePath(p: string): string {
  return escapeWith(p, PATH_KEEP, false);
}

function escapeQuery(s: string): string {
  return escapeWith(s, QUERY_KEEP, true);
}

function pathSerializer(url: string, params: Record<string, unknown>): string {
  return url.replace(/\{(appid|bucket|path)\}/g, (_, name: string) => escapePath(String(params[name] ?? "")));
}

function querySerializer(q: Record<string, unknown>): string {
  return Object.entries(q)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${escapeQuery(k)}=${escapeQuery(String(v))}`)
    .join("&");
}

// Go's encoding/json escapes <, >, & and U+2028/9; JSON.stringify does not.
function goJSON(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

/**
 * A multipart body, given as the fields in their order on the wire, or built
 * already; idempotent, when set, overrides the operation's (a copy that may
 * overwrite is safe to repeat, one that may not is not).
 */
class FormFields {
  constructor(readonly fields: ReadonlyArray<readonly [string, PartValue | undefined]>, readonly built?: Form, readonly idempotent?: boolean) {}
}

// The form bodySerializer built last. openapi-fetch calls bodySerializer, makes
// its Request and calls the middleware's onRequest with no await between them,
// so onRequest takes the form of its own request from here: its Content-Type
// (with the boundary; openapi-fetch would send application/json) and its body,
// sent as it is on every attempt. openapi-fetch's own Request gets an empty
// placeholder: it is never sent, and a byte body would be copied into it.
let lastForm: { form: Form; idempotent?: boolean } | undefined;

function bodySerializer(body: unknown): BodyInit {
  if (body instanceof FormFields) {
    lastForm = { form: body.built ?? buildForm(body.fields), idempotent: body.idempotent };
    return "";
  }
  lastForm = undefined;
  return goJSON(body);
}

/** Facts about one request, handed from openapi-fetch's middleware to the sending fetch. */
interface RequestMeta {
  operation?: Operation;
  kind: Kind;
  path: string;
  op: string;
  idempotent: boolean;
  form?: Form;
}

/** What a call gets back beyond its data: the answer and how many attempts it took. */
export interface CallInfo {
  response: Response;
  attempts: number;
}

/**
 * sleep waits ms, or until signal aborts (rejecting with its reason). It
 * stops listening to signal once the wait is over: one signal may serve many
 * calls, and every retry would leave a listener on it.
 */
const sleep = (ms: number, signal?: AbortSignal | null) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => (clearTimeout(t), reject(signal!.reason));
    const t = setTimeout(() => (signal?.removeEventListener("abort", onAbort), resolve()), ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/** Whether a fetch failure is the caller's abort rather than the network's. */
function aborted(e: unknown, signal?: AbortSignal | null): boolean {
  return signal?.aborted === true || (e instanceof Error && e.name === "AbortError");
}

// Node's codes of a certificate it refuses (OpenSSL's X509_V_ERR_* names, and
// ERR_TLS_CERT_ALTNAME_INVALID for another host's).
const CERT_CODE = /CERT|^UNABLE_TO_|^INVALID_(CA|PURPOSE)$|^PATH_LENGTH_EXCEEDED$|^HOSTNAME_MISMATCH$/;

/**
 * certificateRefused reports whether a fetch failed on the server's
 * certificate, as Node's fetch and createNodeFetch say in the error's cause:
 * another attempt meets the same certificate (Go's connectionFailed). A
 * browser's fetch does not say why it failed, and is retried.
 */
function certificateRefused(e: unknown): boolean {
  let c = e;
  for (let depth = 0; depth < 4 && typeof c === "object" && c !== null; depth++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === "string" && CERT_CODE.test(code)) return true;
    c = (c as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * boundedText reads an answer's body as text, at most limit bytes of it: a
 * broken or hostile server cannot make the client buffer without limit.
 */
async function boundedText(resp: Response, limit: number, op: string, path: string): Promise<string> {
  const tooLarge = () => new ResponseTooLargeError(op, path, limit);
  if (Number(resp.headers.get("Content-Length") ?? 0) > limit) {
    await resp.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!resp.body) return "";
  const reader = resp.body.getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.length;
    if (n > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const all = new Uint8Array(n);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.length;
  }
  return new TextDecoder().decode(all);
}

/** The envelope's code of an answer body, or undefined when it is not the envelope. */
function envelopeCode(text: string): { code: number; message: string } | undefined {
  try {
    const v = JSON.parse(text) as { code?: unknown; message?: unknown };
    if (typeof v?.code === "number") return { code: v.code, message: typeof v.message === "string" ? v.message : "" };
  } catch {
    // not JSON
  }
  return undefined;
}

/** The low-level core: the typed client plus the signing, retrying fetch. */
export class Core {
  readonly appid: string;
  readonly bucket: string;
  readonly endpoint: string;
  readonly api: ApiClient;
  readonly authorizer: Authorizer;
  readonly retry: RetryPolicy;
  private readonly baseFetch: typeof fetch;
  private readonly meta = new WeakMap<Request, RequestMeta>();
  private readonly infos = new WeakMap<Response, { attempts: number; maybeDone: boolean }>();

  constructor(o: ClientOptions) {
    if (!o.appid || !o.bucket) throw new Error("cos: appid and bucket are required");
    this.appid = o.appid;
    this.bucket = o.bucket;
    this.endpoint = (o.endpoint ?? `https://${o.region ?? "sh"}.file.myqcloud.com`).replace(/\/+$/, "");
    this.retry = retryPolicy(o.retry);
    this.baseFetch = o.fetch ?? (isNode() ? createNodeFetch() : globalThis.fetch.bind(globalThis));
    if (o.authorizer) this.authorizer = o.authorizer;
    else if (o.credentials) this.authorizer = signerAuthorizer(new Signer({ appid: o.appid, ...o.credentials }, o.signerOptions));
    else if (o.getAuthorization) this.authorizer = callbackAuthorizer(o.getAuthorization);
    else throw new Error("cos: credentials, getAuthorization or an authorizer is required");

    this.api = createFetchClient<paths>({
      baseUrl: this.endpoint,
      fetch: (input: Request) => this.send(input),
      pathSerializer,
      querySerializer,
      bodySerializer,
    } as Parameters<typeof createFetchClient<paths>>[0]);
    const core = this;
    const middleware: Middleware = {
      // onRequest sees the path key with its fragment: the operation, so the
      // signature's kind, comes from the spec's table, never from a guess.
      onRequest({ request, schemaPath, params }) {
        const fragment = schemaPath.slice(schemaPath.indexOf("#") + 1);
        const operation = operationByFragment(fragment);
        if (!operation) throw new Error(`cos: ${schemaPath}: no operation in the spec's table`);
        const path = String((params.path as Record<string, unknown> | undefined)?.path ?? "/");
        // Only a POST has a form; a form left over by a call that failed
        // between bodySerializer and here must not ride on another request.
        const form = request.method === "POST" ? lastForm : undefined;
        lastForm = undefined;
        const idempotent = form?.idempotent ?? !NOT_IDEMPOTENT.has(fragment);
        core.meta.set(request, { operation, kind: operation.signature, path, op: operation.op, idempotent, form: form?.form });
        return undefined;
      },
    };
    this.api.use(middleware);
  }

  /**
   * form wraps form fields, in their wire order, as a body for api calls;
   * opts.idempotent says whether this request may be repeated after a lost
   * answer, when that depends on its fields rather than on its operation.
   */
  static form(fields: ReadonlyArray<readonly [string, PartValue | undefined]>, opts: { idempotent?: boolean } = {}): never {
    return new FormFields(fields, undefined, opts.idempotent) as never;
  }

  /** built wraps a form built already (formToFill) as a body for api calls. */
  static built(form: Form): never {
    return new FormFields([], form) as never;
  }

  /** attempts returns how many attempts the answer took (1 when it was not retried). */
  attempts(r: Response): number {
    return this.infos.get(r)?.attempts ?? 1;
  }

  /**
   * send is the fetch openapi-fetch calls: it moves the query openapi-fetch
   * put after the fragment into the URL's query, drops the fragment, and runs
   * the retry loop, signing each attempt (retry, then sign, then send).
   */
  private async send(request: Request): Promise<Response> {
    const m = this.meta.get(request);
    if (!m) throw new Error(`cos: ${request.method} ${request.url}: not a request of the typed client`);
    const url = new URL(request.url);
    const hash = url.hash.slice(1);
    const q = hash.indexOf("?");
    url.hash = "";
    if (q >= 0) url.search = "?" + hash.slice(q + 1);
    const headers = new Headers(request.headers);
    let body: Blob | Uint8Array<ArrayBuffer> | undefined;
    if (m.form) {
      headers.set("Content-Type", m.form.contentType);
      body = m.form.body;
    } else if (request.body) {
      body = await request.blob();
    }
    return this.loop(url.toString(), { method: request.method, headers, body, signal: request.signal }, m);
  }

  /**
   * signedFetch sends a request outside the API paths (a download) with a
   * signature of kind, in at most maxAttempts attempts (default: the retry
   * policy's; a download that resumes passes what is left of its own).
   */
  signedFetch(url: string, init: { method?: string; headers?: HeadersInit; signal?: AbortSignal }, kind: Kind, path: string, op: string, maxAttempts?: number): Promise<Response> {
    return this.loop(url, { method: init.method ?? "GET", headers: new Headers(init.headers), signal: init.signal }, { kind, path, op, idempotent: true }, true, maxAttempts);
  }

  private async loop(url: string, init: { method: string; headers: Headers; body?: Blob | Uint8Array<ArrayBuffer>; signal?: AbortSignal | null }, m: RequestMeta, raw = false,
    maxAttempts = this.retry.maxAttempts): Promise<Response> {
    const req = authRequest(m.kind, this.appid, this.bucket, m.path, m.op, init.method);
    // Whether an attempt before this one may have done the work: one whose
    // outcome is unknown (Go's maybeDone). Only then may an answer such as
    // "not found" to a delete be the first attempt's work.
    let maybeDone = false;
    for (let attempt = 1; ; attempt++) {
      const auth = await this.authorizer.authorize(req, attempt);
      const headers = new Headers(init.headers);
      headers.set("Authorization", auth);
      let resp: Response;
      let text: string;
      try {
        resp = await this.baseFetch(url, { method: init.method, headers, body: init.body, signal: init.signal ?? undefined });
        if (raw && resp.ok) {
          this.infos.set(resp, { attempts: attempt, maybeDone });
          return resp;
        }
        text = await boundedText(resp, m.op === "upload_slice_list" ? MAX_SLICE_LIST_BYTES : MAX_RESPONSE_BYTES, m.op, m.path);
      } catch (e) {
        // The answer is lost, before its body or in it (Go's connection
        // failures): only a request that may be repeated is. One too long
        // arrived, and is wrong; a certificate refused is met again.
        if (e instanceof ResponseTooLargeError || aborted(e, init.signal) || certificateRefused(e) || !m.idempotent || attempt >= maxAttempts) throw e;
        maybeDone = true;
        await sleep(this.delay(attempt, null), init.signal);
        continue;
      }
      const env = envelopeCode(text);
      const out = new Response(text, { status: resp.status, statusText: resp.statusText, headers: resp.headers });
      this.infos.set(out, { attempts: attempt, maybeDone });
      if (env?.code === 0 || (!env && resp.ok) || attempt >= maxAttempts) return out;
      if (env && (env.code === -96 || env.code === -97) && m.kind === "multi") {
        // A cached multi-use signature the server refused: ask for a new one
        // once. The refusal did nothing, so maybeDone stays as it is.
        this.authorizer.invalidate?.(req, auth);
        if (attempt === 1) continue;
        return out;
      }
      // As Go's retryable: a (negative) code the table marks retryable says
      // the work was not done, so any request may be repeated; any other
      // answer at a 5xx or 429 (a bare status, or a code such as -181, a
      // storage backend's failure) only one that may.
      const retryable = didNothing(env) || ((resp.status >= 500 || resp.status === 429) && m.idempotent);
      if (!retryable) return out;
      maybeDone ||= !didNothing(env);
      await sleep(this.delay(attempt, resp.headers.get("Retry-After")), init.signal);
    }
  }

  /**
   * backoff waits before attempt+1 as the retry loop does (full jitter, at
   * most maxDelayMs); an abort of signal ends the wait with its reason.
   */
  backoff(attempt: number, signal?: AbortSignal): Promise<void> {
    return sleep(this.delay(attempt, null), signal);
  }

  /** delay is the wait before attempt+1: what Retry-After asks for, else full jitter; at most maxDelayMs. */
  private delay(attempt: number, retryAfter: string | null): number {
    const cap = this.retry.maxDelayMs;
    const asked = retryAfterMs(retryAfter, Date.now());
    if (asked > 0) return Math.min(asked, cap);
    return Math.random() * Math.min(cap, this.retry.baseDelayMs * 2 ** (attempt - 1));
  }

  /** check turns an answer into its data or a CosError (code != 0, whatever the HTTP status). */
  async check<T>(p: Promise<{ data?: unknown; error?: unknown; response: Response }>, op: string, path: string): Promise<{ data: T; attempts: number }> {
    const { data, error, response } = await p;
    const body = (data ?? error) as { code?: number; message?: string; data?: T } | undefined;
    const attempts = this.attempts(response);
    if (typeof body?.code === "number") {
      if (body.code !== 0) {
        const err = new CosError(body.code, body.message ?? "", response.status, op, path);
        err.attempts = attempts;
        err.maybeDoneBefore = this.infos.get(response)?.maybeDone ?? false;
        throw err;
      }
      return { data: body.data as T, attempts };
    }
    if (!response.ok) throw new CosError(response.status, typeof error === "string" ? error.slice(0, 200) : "", response.status, op, path);
    return { data: undefined as T, attempts };
  }
}

/**
 * didNothing reports whether an answer says the service did not do the work
 * (Go's didNothing): an envelope whose code, negative, the table marks
 * retryable. An HTTP status (a proxy's 502, 503 or 504, bare or as the code
 * of a gateway's JSON) may come after the work was done.
 */
function didNothing(env: { code: number } | undefined): boolean {
  return env !== undefined && env.code < 0 && (lookupError(env.code)?.retryable ?? false);
}

/**
 * retryAfterMs reads a Retry-After as Go's parseRetryAfter does:
 * delay-seconds or an HTTP-date (RFC 9110, 10.2.3), in ms; 0 when there is
 * none, it is not one of those, or it has passed (the backoff then decides).
 */
export function retryAfterMs(v: string | null, now: number): number {
  if (!v) return 0;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isFinite(t) && t > now ? t - now : 0;
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: unknown } }).process;
  return typeof p?.versions?.node === "string" && typeof p.getBuiltinModule === "function";
}

/**
 * The operations a lost answer does not make safe to repeat (Go's
 * idempotent: false), unless the call says otherwise (Core.form's
 * idempotent: a copy that may overwrite is safe). upload_slice_init is safe:
 * a repeated init meets the first one's session (ErrUnfinishedUpload), which
 * upload resumes, or, after a quick upload, the file (sliceInit lets stat
 * decide).
 */
const NOT_IDEMPOTENT = new Set(["file.move", "file.copy"]);

export type { Schemas };
