// The TypeScript client sends what the Go client sends: each call of
// internal/tools/wirerec is made here too against a recording server, and
// method, request URI, Content-Type and body must be equal byte for byte
// (multipart boundaries replaced by BOUNDARY on both sides); signatures are of
// the same kind, bound the same way.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { buildForm, createClient, parseSignature, type CosClient } from "../src/index.js";
import { repoRoot } from "./helpers.js";

interface Recorded {
  name: string;
  fragment?: string;
  method: string;
  uri: string;
  content_type: string;
  body: string;
  signature: string;
}

let server: Server;
let url: string;
let last: Recorded[] = [];

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let body = Buffer.concat(chunks).toString("utf8");
      let ct = req.headers["content-type"] ?? "";
      const m = /boundary=(\S+)/.exec(ct);
      if (m) {
        body = body.split(m[1]).join("BOUNDARY");
        ct = ct.split(m[1]).join("BOUNDARY");
      }
      last.push({ name: "", method: req.method!, uri: req.url!, content_type: ct, body, signature: String(req.headers.authorization ?? "") });
      let data = "{}";
      if (body.includes("upload_slice_init")) data = `{"session":"s1","slice_size":524288}`;
      else if (body.includes("upload_slice_list")) data = `{"session":"s1","slice_size":524288,"filesize":1048576,"listparts":[{"offset":0,"datalen":524288}]}`;
      else if (req.url!.includes("op=stat")) data = `{"name":"b.txt","filesize":5,"sha":"aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d","ctime":1,"mtime":1}`;
      else if (req.url!.includes("op=list")) data = `{"context":"","listover":true,"infos":[]}`;
      res.setHeader("Content-Type", "application/json");
      res.end(`{"code":0,"message":"SUCCESS","data":${data}}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => server.close());

const sha = "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d";
const calls: Record<string, (c: CosClient) => Promise<unknown>> = {
  mkdir: (c) => c.mkdir("/my dir/照片/", "attr"),
  statdir: (c) => c.statDir("/my dir/"),
  updatedir: (c) => c.updateDir("/my dir/", "x"),
  list: async (c) => {
    for await (const _ of c.list("/my dir/", { prefix: "a b", pageSize: 20 })) break;
  },
  rmdir: (c) => c.rmdir("/my dir/"),
  put: (c) => c.put("/my dir/a?#%.txt", "hello", { bizAttr: "biz" }),
  "put-reserved": (c) => c.put("/a+b=c:d@e$f&g'h(i)!*;,~.txt", "hello"),
  "put-overwrite": (c) => c.put("/a.txt", new TextEncoder().encode("hello"), { overwrite: true }),
  stat: (c) => c.stat("/my dir/b.txt"),
  update: (c) => c.update("/b.txt", { bizAttr: "a/b 照", authority: "eWRPrivate", headers: { "x-cos-meta-a": "1", "Content-Type": "text/plain" } }),
  remove: (c) => c.remove("/b.txt"),
  move: (c) => c.move("/b.txt", "/c/d.txt"),
  copy: (c) => c.copy("/b.txt", "/c/d.txt", true),
  "slice-init": (c) => c.sliceInit("/big.bin", 1048577, 524288, { sha }),
  "slice-data": (c) => c.sliceData("/big.bin", "s1", 5, new TextEncoder().encode("567")),
  "slice-finish": (c) => c.sliceFinish("/big.bin", "s1", 1048577, sha),
  "slice-list": (c) => c.sliceList("/big.bin"),
};

test("every operation goes out as the Go client sends it", async () => {
  const goSide = JSON.parse(execFileSync("go", ["run", "./internal/tools/wirerec"], { cwd: repoRoot, encoding: "utf8" })) as Recorded[];
  assert.equal(goSide.length, Object.keys(calls).length, "a call here for every call of wirerec");
  const c = createClient({ appid: "1250000000", bucket: "photos", endpoint: url, credentials: { secretId: "AKIDtest", secretKey: "secret" } });
  const fragments = new Set<string>();
  for (const want of goSide) {
    last = [];
    const call = calls[want.name];
    assert.ok(call, `no TS call for ${want.name}`);
    await call(c);
    assert.equal(last.length, 1, want.name);
    const got = last[0];
    assert.equal(got.method, want.method, `${want.name}: method`);
    assert.equal(got.uri, want.uri, `${want.name}: request URI`);
    assert.equal(got.content_type, want.content_type, `${want.name}: Content-Type`);
    assert.equal(got.body, want.body, `${want.name}: body`);
    const g = parseSignature(got.signature);
    const w = parseSignature(want.signature);
    assert.equal(g.fileId, w.fileId, `${want.name}: the signature's f`);
    assert.equal(g.expires === 0, w.expires === 0, `${want.name}: the signature's kind`);
    assert.equal(g.bucket, w.bucket);
    fragments.add(want.fragment!);
  }
  assert.equal(fragments.size, 15, "every operation of the spec is compared");
});

// Go's mime/multipart escapes a part's name with \ for " and \, and with
// percent encoding for CR and LF (quoteEscaper): a name can never end the
// Content-Disposition line and start a header of its own. Values go as they are.
test("field names are escaped as Go's mime/multipart escapes them", async () => {
  const form = buildForm([['a"b\\c\r\nContent-Type: text/html', "v\r\n1"], ["名", "值"]]);
  const body = new TextDecoder().decode(form.body as Uint8Array);
  const b = /boundary=(\S+)/.exec(form.contentType)![1];
  assert.equal(body,
    `--${b}\r\nContent-Disposition: form-data; name="a\\"b\\\\c%0D%0AContent-Type: text/html"\r\n\r\nv\r\n1\r\n` +
    `--${b}\r\nContent-Disposition: form-data; name="名"\r\n\r\n值\r\n--${b}--\r\n`);
});
