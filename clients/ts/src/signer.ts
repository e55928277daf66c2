// COS v2 signatures on WebCrypto, so the same code signs in Node 20 and in
// browsers. It reproduces the Go signer (signer/sign.go, signer/fileid.go)
// byte for byte; test/signer.test.ts checks both against
// signer/testdata/signatures.json and edge_vectors.json.

/** The kind of a signature: multi-use (expires) or one-time (bound to a fileid, e=0). */
export type Kind = "multi" | "once";

/** What a signature is made with. One key signs for every bucket of the appid. */
export interface Credentials {
  appid: string;
  secretId: string;
  secretKey: string;
}

/** The fields of one signature; times are Unix seconds. */
export interface SignParams {
  bucket: string;
  kind: Kind;
  /** f: for once the fileid (see fileId); for multi "" or a fileid or prefix ending in "/". */
  fileId: string;
  now: number;
  /** e for multi; ignored for once (e is 0). */
  expires?: number;
  /** r, a random number of at most 10 decimal digits: 0 to MAX_RAND. */
  rand: number;
}

/** The largest r: the document allows up to 10 decimal digits (Go's signer.MaxRand). */
export const MAX_RAND = 9_999_999_999;

/** The longest a multi-use signature may live: 90 days. */
export const MAX_TTL_SECONDS = 7776000;

const enc = new TextEncoder();
const HEX = "0123456789ABCDEF";

function unreserved(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) ||
    c === 0x2d || c === 0x5f || c === 0x2e || c === 0x7e || c === 0x2f
  );
}

function escape(s: string): string {
  let out = "";
  for (const c of enc.encode(s)) {
    out += unreserved(c) ? String.fromCharCode(c) : "%" + HEX[c >> 4] + HEX[c & 15];
  }
  return out;
}

/**
 * fileId returns /<appid>/<bucket>/<path>, the fileid signatures bind to: every
 * byte but A-Z a-z 0-9 - _ . ~ and / percent-encoded with upper-case hex, as
 * the official SDKs and Go's signer.FileID do. path may omit its leading "/".
 */
export function fileId(appid: string, bucket: string, path: string): string {
  return "/" + escape(appid) + "/" + escape(bucket) + (path.startsWith("/") ? "" : "/") + escape(path);
}

/**
 * downloadFileId returns what a download's signature binds to, as the
 * official SDKs and Go's signer.DownloadFileID sign it: the path alone,
 * escaped as fileId escapes it, without /<appid>/<bucket>. A server takes it
 * for downloads only, so whoever sees the GET (a CDN, a proxy, plain http)
 * gets the file and nothing else. A path under a directory named
 * /<appid>/<bucket>/ would spell the fileid of a shorter path, which the API
 * takes: such a file's own fileid is returned instead.
 */
export function downloadFileId(appid: string, bucket: string, path: string): string {
  const alone = "/" + escape(path.startsWith("/") ? path.slice(1) : path);
  return alone.startsWith(fileId(appid, bucket, "")) ? fileId(appid, bucket, path) : alone;
}

/** plaintext returns the signature's plaintext a=&b=&k=&e=&t=&r=&f= in the documented order. */
export function plaintext(c: Credentials, p: SignParams): string {
  const e = p.kind === "multi" ? Math.floor(p.expires ?? 0) : 0;
  return `a=${c.appid}&b=${p.bucket}&k=${c.secretId}&e=${e}&t=${Math.floor(p.now)}&r=${p.rand}&f=${p.fileId}`;
}

/** check refuses what a server would refuse, with Go's rules and reasons. */
function check(c: Credentials, p: SignParams): void {
  const e = Math.floor(p.expires ?? 0);
  const now = Math.floor(p.now);
  if (!c.appid || !c.secretId || !c.secretKey) throw new Error("signer: appid, secret id and secret key are required");
  if (!p.bucket) throw new Error("signer: bucket is required");
  if ([c.appid, c.secretId, p.bucket, p.fileId].some((s) => s.includes("&"))) {
    throw new Error('signer: appid, secret id, bucket and fileid must not contain "&" (escape the fileid with fileId)');
  }
  if (p.kind === "once" && p.fileId === "") throw new Error("signer: a one-time signature needs a fileid");
  if (now < 0) throw new Error(`signer: the time ${now} is before 1970`);
  if (p.kind === "multi" && e <= now) throw new Error(`signer: a multi-use signature must expire after now (e=${e}, t=${now})`);
  if (p.kind === "multi" && e - now > MAX_TTL_SECONDS) throw new Error(`signer: a multi-use signature lives at most 90 days, not ${e - now}s`);
  if (p.kind !== "multi" && p.kind !== "once") throw new Error(`signer: unknown kind ${String(p.kind)}`);
  if (!Number.isInteger(p.rand) || p.rand < 0 || p.rand > MAX_RAND) throw new Error(`signer: r=${p.rand} has more than 10 digits (at most ${MAX_RAND})`);
}

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new Error("signer: WebCrypto (crypto.subtle) is not available: use Node 20+ or a secure (https or localhost) page");
  return s;
}

async function hmacKey(secretKey: string): Promise<CryptoKey> {
  return subtle().importKey("raw", enc.encode(secretKey), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
}

function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

async function signWith(key: CryptoKey, c: Credentials, p: SignParams): Promise<string> {
  const text = enc.encode(plaintext(c, p));
  const mac = new Uint8Array(await subtle().sign("HMAC", key, text));
  const all = new Uint8Array(mac.length + text.length);
  all.set(mac);
  all.set(text, mac.length);
  return base64(all);
}

/**
 * sign returns Base64(HMAC-SHA1(secretKey, plaintext) ‖ plaintext): a pure
 * function of its arguments (the clock and the random number are in p), like
 * Go's signer.Sign.
 */
export async function sign(c: Credentials, p: SignParams): Promise<string> {
  check(c, p);
  return signWith(await hmacKey(c.secretKey), c, p);
}

/** The fields of a parsed signature. */
export interface ParsedSignature {
  appid: string;
  bucket: string;
  secretId: string;
  expires: number;
  now: number;
  rand: number;
  fileId: string;
  plaintext: string;
}

/**
 * parseSignature reads a signature's plaintext back (without checking its MAC,
 * which needs the secret): the client uses it to learn when a signature handed
 * out by a backend expires and what it is bound to.
 */
export function parseSignature(sig: string): ParsedSignature {
  let raw: string;
  try {
    raw = atob(sig);
  } catch {
    throw new Error("signer: the signature is not Base64");
  }
  if (raw.length <= 20) throw new Error("signer: the signature is too short");
  const bytes = Uint8Array.from(raw.slice(20), (ch) => ch.charCodeAt(0));
  const text = new TextDecoder().decode(bytes);
  const fields = new Map<string, string>();
  for (const kv of text.split("&")) {
    const i = kv.indexOf("=");
    if (i < 0) throw new Error(`signer: field ${kv} has no "="`);
    fields.set(kv.slice(0, i), kv.slice(i + 1));
  }
  const num = (k: string) => {
    const v = fields.get(k);
    if (v === undefined || !/^\d+$/.test(v)) throw new Error(`signer: field ${k} is missing or not a number`);
    return Number(v);
  };
  return {
    appid: fields.get("a") ?? "", bucket: fields.get("b") ?? "", secretId: fields.get("k") ?? "",
    expires: num("e"), now: num("t"), rand: num("r"), fileId: fields.get("f") ?? "", plaintext: text,
  };
}

/** Options of a Signer. */
export interface SignerOptions {
  /** The clock, in milliseconds like Date.now (the default). */
  now?: () => number;
  /** The source of r (default: crypto random below 10^9, as the official SDKs do). */
  rand?: () => number;
  /** How long the multi-use signatures of requests live, in seconds (default 300, at most 90 days). */
  ttlSeconds?: number;
  /**
   * Bind multi-use signatures of requests to the request's own fileid, as the
   * official Python SDK does; by default f is empty, as Go's Transport sends.
   */
  bindMultiUse?: boolean;
}

function cryptoRand(): number {
  const b = new Uint32Array(1);
  globalThis.crypto.getRandomValues(b);
  return b[0] % 1_000_000_000;
}

/**
 * Signer makes signatures with one set of credentials, a clock and a random
 * source (Go's signer.Signer): the client signs its requests with it, and a
 * backend uses it to hand signatures to the pages it serves. The HMAC key is
 * imported once.
 */
export class Signer {
  readonly credentials: Credentials;
  readonly ttlSeconds: number;
  readonly bindMultiUse: boolean;
  private readonly clock: () => number;
  private readonly random: () => number;
  private key?: Promise<CryptoKey>;

  constructor(credentials: Credentials, opts: SignerOptions = {}) {
    if (!credentials.appid || !credentials.secretId || !credentials.secretKey) {
      throw new Error("signer: appid, secret id and secret key are required");
    }
    this.credentials = { ...credentials };
    this.clock = opts.now ?? Date.now;
    this.random = opts.rand ?? cryptoRand;
    this.ttlSeconds = opts.ttlSeconds ?? 300;
    this.bindMultiUse = opts.bindMultiUse ?? false;
    if (!(this.ttlSeconds > 0 && this.ttlSeconds <= MAX_TTL_SECONDS)) {
      throw new Error("signer: the multi-use lifetime must be within 0 and 90 days");
    }
  }

  /** now returns the clock's time in Unix seconds. */
  now(): number {
    return Math.floor(this.clock() / 1000);
  }

  /** sign signs p with this Signer's credentials. */
  async sign(p: SignParams): Promise<string> {
    check(this.credentials, p);
    this.key ??= hmacKey(this.credentials.secretKey);
    return signWith(await this.key, this.credentials, p);
  }

  /**
   * multiUse returns a multi-use signature for bucket valid for ttlSeconds,
   * bound to fileId: "" for the whole bucket, a fileid, or a fileid ending in
   * "/" for everything under that directory.
   */
  multiUse(bucket: string, fileIdOrEmpty = "", ttlSeconds = this.ttlSeconds): Promise<string> {
    const now = this.now();
    return this.sign({ bucket, kind: "multi", fileId: fileIdOrEmpty, now, expires: now + ttlSeconds, rand: this.random() });
  }

  /** oneTime returns a one-time signature for the file or directory at path ("a/b.txt", "/a/dir/"). */
  oneTime(bucket: string, path: string): Promise<string> {
    return this.sign({ bucket, kind: "once", fileId: fileId(this.credentials.appid, bucket, path), now: this.now(), rand: this.random() });
  }

  /**
   * forRequest returns the signature a request on path takes, as Go's
   * Transport makes it: once bound to the path's fileid; multi with f empty,
   * or bound to the fileid with bindMultiUse. A download (op "download")
   * takes a multi-use one bound to the path alone (downloadFileId), as Go's
   * Reader signs it: its GET may go to another host, and must open the file
   * and nothing else.
   */
  forRequest(kind: Kind, bucket: string, path: string, op = ""): Promise<string> {
    if (kind === "once") return this.oneTime(bucket, path);
    if (op === "download") return this.multiUse(bucket, downloadFileId(this.credentials.appid, bucket, path));
    return this.multiUse(bucket, this.bindMultiUse ? fileId(this.credentials.appid, bucket, path) : "");
  }
}
