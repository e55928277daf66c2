// Where a request's signature comes from: a Signer holding the secret (a
// backend, a CLI, a test), or the app's backend through getAuthorization (a
// page, which holds no secret), as the official JS SDKs do.

import { downloadFileId, fileId, parseSignature, Signer, type Kind } from "./signer.js";

/** What a request needs signed, as getAuthorization is asked for it. */
export interface AuthRequest {
  /** multi for every operation but delete, move, copy and update, which take once (x-cos-signature). */
  kind: Kind;
  appid: string;
  bucket: string;
  /** The file or directory path of the request, with its leading "/". */
  path: string;
  /**
   * What the signature should be bound to: the fileid of path (what a
   * one-time signature must be bound to), or for a download the path alone
   * (downloadFileId), which a server takes for downloads only.
   */
  fileId: string;
  /** The op on the wire ("upload_slice_data", "delete", ...), or "download". */
  op: string;
  method: string;
}

/** The app's callback: returns a signature, or an object carrying one. */
export type GetAuthorization = (req: AuthRequest) => Promise<string | { authorization: string }> | string | { authorization: string };

/**
 * An Authorizer gives the Authorization value of each attempt of a request.
 * attempt counts from 1; the client calls it once per attempt, inside its retry
 * loop, so a one-time signature is never sent twice.
 */
export interface Authorizer {
  authorize(req: AuthRequest, attempt: number): Promise<string>;
  /** Forget a cached signature the server refused (expired or revoked). */
  invalidate?(req: AuthRequest, signature: string): void;
}

/** signerAuthorizer signs every attempt afresh with the secret, as Go's signer.Transport does. */
export function signerAuthorizer(signer: Signer): Authorizer {
  return {
    authorize: (req) => signer.forRequest(req.kind, req.bucket, req.path, req.op),
  };
}

/** Options of callbackAuthorizer. */
export interface CallbackOptions {
  /** Stop using a cached multi-use signature this many seconds before it expires (default 30). */
  refreshBeforeSeconds?: number;
  /** The clock in milliseconds (default Date.now). */
  now?: () => number;
}

interface Cached {
  bucket: string;
  download: boolean; // asked for a download: never sent to the API, nor an API one to a download's host
  fileId: string; // "" for the whole bucket, a fileid, or a prefix ending in "/"
  expires: number;
  signature: string;
}

const isDownload = (req: AuthRequest) => req.op === "download";

function covers(c: Cached, req: AuthRequest): boolean {
  return c.bucket === req.bucket && c.download === isDownload(req) && (c.fileId === "" || c.fileId === req.fileId || (c.fileId.endsWith("/") && req.fileId.startsWith(c.fileId)));
}

/**
 * callbackAuthorizer asks the app's backend (getAuthorization) for each
 * signature it lacks. Multi-use signatures are cached until refreshBefore
 * seconds before their e (read from the signature itself) and shared by every
 * request they cover: the slices of an upload and the retries of a request ask
 * once, and concurrent requests that find nothing cached wait for one ask
 * instead of each asking. A download never takes a signature asked for the
 * API (it may go to another host, a CDN: one good for the bucket's API would
 * go with it), nor the API one asked for a download. One-time signatures are
 * asked for every attempt: the server accepts each once, so a retry needs a
 * new one.
 */
export function callbackAuthorizer(get: GetAuthorization, opts: CallbackOptions = {}): Authorizer {
  const refresh = opts.refreshBeforeSeconds ?? 30;
  const clock = opts.now ?? Date.now;
  let cache: Cached[] = [];
  const pending = new Map<string, Promise<string>>();

  const ask = async (req: AuthRequest): Promise<string> => {
    const got = await get({ ...req });
    const sig = typeof got === "string" ? got : got?.authorization;
    if (typeof sig !== "string" || sig === "") throw new Error(`getAuthorization gave no signature for ${req.op} ${req.path}`);
    return sig;
  };

  const lookup = (req: AuthRequest): string | undefined => {
    const now = clock() / 1000;
    cache = cache.filter((c) => c.expires - refresh > now);
    return cache.find((c) => covers(c, req))?.signature;
  };

  return {
    async authorize(req) {
      if (req.kind === "once") return ask(req);
      let hit = lookup(req);
      if (hit) return hit;
      const key = `${isDownload(req) ? "download" : "api"} ${req.bucket}`;
      const inflight = pending.get(key);
      if (inflight) {
        await inflight.catch(() => undefined);
        hit = lookup(req);
        if (hit) return hit; // another request's ask covers this one too
      }
      const p = ask(req).then((sig) => {
        try {
          const parsed = parseSignature(sig);
          if (parsed.expires > 0) cache.push({ bucket: parsed.bucket || req.bucket, download: isDownload(req), fileId: parsed.fileId, expires: parsed.expires, signature: sig });
        } catch {
          // not a signature this client can read: use it for this request only
        }
        return sig;
      });
      pending.set(key, p);
      try {
        return await p;
      } finally {
        if (pending.get(key) === p) pending.delete(key);
      }
    },
    invalidate(_req, signature) {
      cache = cache.filter((c) => c.signature !== signature);
    },
  };
}

/** authRequest builds the AuthRequest of a request on path (op "download": a download's GET). */
export function authRequest(kind: Kind, appid: string, bucket: string, path: string, op: string, method: string): AuthRequest {
  const f = op === "download" ? downloadFileId(appid, bucket, path) : fileId(appid, bucket, path);
  return { kind, appid, bucket, path, fileId: f, op, method };
}
