// Test setup: build `cosv2` (go build -o into a temp dir, unless COSV2_BIN
// names one already built) and start `cosv2 serve` on a free loopback port.

import { createHash } from "node:crypto";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root (clients/ts/dist/test → four levels up). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
export const appid = "1250000000";
export const bucket = "photos";
export const secretId = "AKIDtsclient";
export const secretKey = "ts-client-secret-key";

let built: string | undefined;

/** cosv2Bin returns the path of a cosv2 binary built from this checkout. */
export function cosv2Bin(): string {
  if (process.env.COSV2_BIN && existsSync(process.env.COSV2_BIN)) return process.env.COSV2_BIN;
  if (!built) {
    built = join(mkdtempSync(join(tmpdir(), "cosv2-ts-")), "cosv2");
    execFileSync("go", ["build", "-o", built, "./cmd/cosv2"], { cwd: repoRoot, stdio: "inherit" });
  }
  return built;
}

/** A running `cosv2 serve`. */
export interface Server {
  url: string;
  proc: ChildProcess;
  stderr: () => string;
  stop(): Promise<void>;
}

/** startServer starts `cosv2 serve --memory` with the test credentials and extra flags. */
export async function startServer(extra: string[] = []): Promise<Server> {
  const proc = spawn(cosv2Bin(), ["--appid", appid, "--bucket", bucket, "--secret-id", secretId, "--secret-key", secretKey,
    "serve", "--addr", "127.0.0.1:0", "--memory", ...extra], { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  proc.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = "";
    const t = setTimeout(() => reject(new Error(`cosv2 serve did not start: ${err}`)), 20000);
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolveUrl(m[1]);
      }
    });
    proc.on("exit", (code) => {
      clearTimeout(t);
      reject(new Error(`cosv2 serve exited ${code}: ${err}`));
    });
  });
  return {
    url, proc, stderr: () => err,
    stop: () => new Promise<void>((res) => {
      if (proc.exitCode !== null) return res();
      proc.once("exit", () => res());
      proc.kill("SIGTERM");
    }),
  };
}

/** cosv2 runs the Go CLI against a server and returns its stdout. */
export function cosv2(url: string, ...args: string[]): string {
  return execFileSync(cosv2Bin(), ["--endpoint", url, "--appid", appid, "--bucket", bucket, "--secret-id", secretId, "--secret-key", secretKey, ...args],
    { encoding: "utf8" });
}

/** bytes returns n deterministic pseudo-random bytes. */
export function bytes(n: number, seed = 1): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

/** sha1 is the hex SHA-1 of b, as stat answers it. */
export const sha1 = (b: Uint8Array): string => createHash("sha1").update(b).digest("hex");
