// @cosv2/client: the TypeScript client of the COS v2 JSON API, typed from spec/cos-v2.yaml.
export { CosClient, MAX_SIMPLE_UPLOAD, SLICE_SIZES, type CosObject, type DirInfo, type Entry, type FileInfo, type PutOptions, type SliceSession, type Bytes } from "./cos.js";
export { Core, MAX_RESPONSE_BYTES, MAX_SLICE_LIST_BYTES, defaultRetryPolicy, escapePath, type ApiClient, type ClientOptions, type RetryPolicy } from "./client.js";
export { BadAnswerError, CosError, ObjectChangedError, ResponseTooLargeError, isCode, codeOf } from "./errors.js";
export { callbackAuthorizer, signerAuthorizer, authRequest, type AuthRequest, type Authorizer, type GetAuthorization } from "./auth.js";
export { Signer, sign, plaintext, fileId, downloadFileId, parseSignature, MAX_TTL_SECONDS, MAX_RAND, type Credentials, type Kind, type SignParams } from "./signer.js";
export { type ByteRange } from "./download.js";
export { upload, type UploadOptions, type UploadSource, type Progress, UploadError, UploadMismatchError } from "./upload.js";
export { buildForm } from "./multipart.js";
export { newSha1, jsSha1, type Sha1, type RunningSha1 } from "./sha1.js";
export { dirPath, filePath } from "./paths.js";
export { createNodeFetch } from "./node-fetch.js";
export { operations, operationByFragment, paths, type Operation, type SignatureKind } from "./gen/ops.gen.js";
export { errorCodes, lookupError, type ErrorCode } from "./gen/errors.gen.js";
export type { paths as ApiPaths, components } from "./gen/schema.gen.js";

/** createClient returns a client for one bucket; see ClientOptions. */
import { CosClient } from "./cos.js";
import type { ClientOptions } from "./client.js";
export function createClient(opts: ClientOptions): CosClient {
  return new CosClient(opts);
}
