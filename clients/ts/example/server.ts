// The example's backend: serves the page and its bundle, tells the page where
// COS is, and signs for it (/sign) with the TS signer and the secret, which
// never leaves this process. What it signs is its policy: here, any multi-use
// signature of the bucket for 5 minutes (f empty), but a download's bound to
// its path alone (its GET may go to another host, a CDN: it must open the
// file and nothing else), and one-time signatures only for paths under the
// upload directory.
//
//   COSV2_ENDPOINT=http://127.0.0.1:8089 COSV2_APPID=... COSV2_BUCKET=... \
//   COSV2_SECRET_ID=... COSV2_SECRET_KEY=... node dist/example/server.js
//
// then run `cosv2 serve ... --cors-origin http://127.0.0.1:8090`, make the
// upload directory (`cosv2 mkdir uploads/` against that server) and open
// http://127.0.0.1:8090.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Signer, type AuthRequest } from "../src/index.js";

/** The example backend's settings. */
export interface ExampleConfig {
  endpoint: string;
  appid: string;
  bucket: string;
  secretId: string;
  secretKey: string;
  /** The directory the page uploads to and lists (default "/uploads/"). */
  dir?: string;
  /** Where index.html and the bundled app.js are (default: dist/www, which `npm run bundle` writes). */
  root?: string;
}

/** A running example backend; its config may be changed while it runs. */
export interface Example {
  url: string;
  config: ExampleConfig;
  signed: AuthRequest[];
  close(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const types: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".map": "application/json" };

async function readBody(req: IncomingMessage, limit = 16384): Promise<string> {
  let s = "";
  for await (const c of req) {
    s += c;
    if (s.length > limit) throw new Error("body too large");
  }
  return s;
}

/** startExample serves the example on 127.0.0.1:port (0: any free port). */
export async function startExample(config: ExampleConfig, port = 0): Promise<Example> {
  const ex: Example = { url: "", config, signed: [], close: async () => undefined };
  const dir = () => config.dir ?? "/uploads/";
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const send = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store" });
      res.end(body);
    };
    if (path === "/config") {
      return send(200, "application/json", JSON.stringify({ endpoint: config.endpoint, appid: config.appid, bucket: config.bucket, dir: dir() }));
    }
    if (path === "/sign" && req.method === "POST") {
      const r = JSON.parse(await readBody(req)) as AuthRequest;
      const signer = new Signer({ appid: config.appid, secretId: config.secretId, secretKey: config.secretKey });
      if (r.bucket !== config.bucket) return send(403, "text/plain", "not this bucket");
      let authorization: string;
      if (r.kind === "once") {
        if (typeof r.path !== "string" || !r.path.startsWith(dir())) return send(403, "text/plain", "one-time signatures only under " + dir());
        authorization = await signer.oneTime(config.bucket, r.path);
      } else if (r.op === "download") {
        if (typeof r.path !== "string") return send(400, "text/plain", "no path");
        authorization = await signer.forRequest("multi", config.bucket, r.path, "download");
      } else {
        authorization = await signer.multiUse(config.bucket, "", 300);
      }
      ex.signed.push(r);
      return send(200, "application/json", JSON.stringify({ authorization }));
    }
    const file = path === "/" ? "index.html" : path.slice(1);
    if (!/^[\w.-]+$/.test(file)) return send(404, "text/plain", "not found");
    try {
      const body = await readFile(join(config.root ?? join(here, "../www"), file));
      return send(200, types[file.slice(file.lastIndexOf("."))] ?? "application/octet-stream", body);
    } catch {
      return send(404, "text/plain", "not found");
    }
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      res.writeHead(500, { "Content-Type": "text/plain" });
      res.end(String(e));
    });
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  ex.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  ex.close = () => new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  });
  return ex;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const env = (k: string) => {
    const v = process.env[k];
    if (!v) throw new Error(`${k} is required`);
    return v;
  };
  const ex = await startExample({
    endpoint: env("COSV2_ENDPOINT"), appid: env("COSV2_APPID"), bucket: env("COSV2_BUCKET"),
    secretId: env("COSV2_SECRET_ID"), secretKey: env("COSV2_SECRET_KEY"),
  }, Number(process.env.PORT ?? 8090));
  console.log(`example on ${ex.url} (cosv2 serve needs --cors-origin ${ex.url})`);
}
