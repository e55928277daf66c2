// Errors of the API: every answer with code != 0, whatever its HTTP status,
// becomes a CosError named from the generated table of errcodes.yaml.

import { errorByName, lookupError, type ErrorCode } from "./gen/errors.gen.js";

/** An error answer of the service (or of a download), classified by its code. */
export class CosError extends Error {
  /** The code of the answer (<= 0), or the HTTP status of an answer that carried no envelope. */
  readonly code: number;
  /** The table's entry for the code, when it has one. */
  readonly entry?: ErrorCode;
  /** The HTTP status of the answer. */
  readonly status: number;
  /** The op of the request ("upload_slice_data", "download", ...). */
  readonly op: string;
  readonly path: string;
  /** How many attempts the request took before this answer (retries: more than 1). */
  attempts = 1;
  /**
   * Whether an attempt before this answer may have done the work: its answer
   * was lost, or was an HTTP status without the envelope (a proxy's 503).
   * False when each earlier attempt was refused by the service with a code
   * that says nothing was done (-71 and the other retryable codes, a refused
   * signature). Only then can "exists" or "not found" be the first attempt's
   * own work.
   */
  maybeDoneBefore = false;

  constructor(code: number, serverMessage: string, status: number, op: string, path: string) {
    const entry = lookupError(code);
    super(`cos: ${op} ${path}: ${code} ${entry?.name ?? "unknown code"}: ${serverMessage || entry?.message || ""}`);
    this.name = "CosError";
    this.code = code;
    this.entry = entry;
    this.status = status;
    this.op = op;
    this.path = path;
  }

  /** The document's constant of the code, e.g. "ERROR_CMD_FILE_EXIST". */
  get codeName(): string {
    return this.entry?.name ?? "";
  }

  /**
   * Whether trying again can help a request that may be repeated (Go's
   * retryable): a code the table marks retryable, or any answer at a 5xx or
   * 429 (a bare status, or a code such as -181, a storage backend's failure).
   */
  get retryable(): boolean {
    if (this.entry?.retryable && this.code <= 0) return true;
    return this.status >= 500 || this.status === 429;
  }
}

/**
 * BadAnswerError is an answer that said success but cannot be used: values
 * the spec rules out, such as a slice size that is not one of SLICE_SIZES
 * (which would have an upload send empty slices forever) or a stored slice
 * outside the file. Go's ErrBadAnswer; not retried.
 */
export class BadAnswerError extends Error {
  readonly op: string;
  readonly path: string;

  constructor(op: string, path: string, detail: string) {
    super(`cos: ${op} ${path}: the answer does not follow the API: ${detail}`);
    this.name = "BadAnswerError";
    this.op = op;
    this.path = path;
  }
}

/**
 * ObjectChangedError is a download whose file was replaced after the stat it
 * started from (Go's ErrObjectChanged): the answer's ETag is not the SHA-1
 * stat gave. None of the other version's bytes are returned.
 */
export class ObjectChangedError extends Error {
  readonly op = "download";
  readonly path: string;

  constructor(path: string, detail: string) {
    super(`cos: download ${path}: the object changed during the download: ${detail}`);
    this.name = "ObjectChangedError";
    this.path = path;
  }
}

/**
 * ResponseTooLargeError is an API answer longer than MAX_RESPONSE_BYTES (Go's
 * ErrResponseTooLarge): the client stopped reading there. Not retried.
 */
export class ResponseTooLargeError extends Error {
  readonly op: string;
  readonly path: string;

  constructor(op: string, path: string, limit: number) {
    super(`cos: ${op} ${path}: the answer is longer than ${limit} bytes`);
    this.name = "ResponseTooLargeError";
    this.op = op;
    this.path = path;
  }
}

/**
 * isCode reports whether err is a CosError of the code named by name: the
 * document's constant ("ERROR_CMD_FILE_EXIST") or the Go sentinel's name
 * ("ErrFileExist"), so TS and Go code read alike.
 */
export function isCode(err: unknown, name: string): boolean {
  const want = errorByName.get(name);
  if (!want) throw new Error(`isCode: no code is named ${name}`);
  return err instanceof CosError && err.code === want.code;
}

/** codeOf returns the code of an error name, for tests and switch statements. */
export function codeOf(name: string): number {
  const c = errorByName.get(name);
  if (!c) throw new Error(`codeOf: no code is named ${name}`);
  return c.code;
}
