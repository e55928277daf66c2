// A download's GET goes to stat's source_url: another host, a CDN, or plain
// http on the service. Whoever sees its Authorization must get the file and
// nothing else, as Go's Reader signs it (signer.DownloadFileID): replayed as
// an upload over the file through the API, it is refused.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { CosError, createClient, Signer, type AuthRequest, type ClientOptions, type CosClient } from "../src/index.js";
import { appid, bucket, secretId, secretKey, startServer, type Server } from "./helpers.js";

let srv: Server;

before(async () => {
  srv = await startServer(["--private-bucket", bucket]);
});
after(() => srv.stop());

/** A backend that signs every request as the client would with the secret. */
const signer = new Signer({ appid, secretId, secretKey });
const backend = (r: AuthRequest) => signer.forRequest(r.kind, r.bucket, r.path, r.op);

const clients: [string, Partial<ClientOptions>][] = [
  ["with credentials", { credentials: { secretId, secretKey } }],
  ["with credentials binding multi-use signatures to the fileid", { credentials: { secretId, secretKey }, signerOptions: { bindMultiUse: true } }],
  ["with getAuthorization", { getAuthorization: backend }],
];

// The file itself, and one under a directory named /<appid>/<bucket>/, whose
// path alone spells the fileid of a shorter path: the thief aims at that one.
const cases: [string, (n: number) => { file: string; target: string }][] = [
  ["over the file", (n) => ({ file: `/sig-${n}.txt`, target: `/sig-${n}.txt` })],
  ["over the file whose fileid its path spells", (n) => ({ file: `/${appid}/${bucket}/spelt-${n}.txt`, target: `/spelt-${n}.txt` })],
];

for (const [name, opts] of clients) for (const [what, paths] of cases) {
  test(`a download's signature is good for the download only, not ${what} (${name})`, async () => {
    const { file, target } = paths(name.length);
    const stolen: string[] = [];
    const watched: typeof fetch = (input, init) => {
      if (!String(input).includes("/files/v2/")) stolen.push(new Headers(init?.headers).get("Authorization") ?? "");
      return fetch(input, init);
    };
    const c: CosClient = createClient({ appid, bucket, endpoint: srv.url, fetch: watched, ...opts });
    if (file !== target) {
      for (const d of [`/${appid}/`, `/${appid}/${bucket}/`]) await c.mkdir(d).catch((e) => { if (!(e instanceof CosError)) throw e; });
      await c.put(target, "mine", { overwrite: true });
    }
    await c.put(file, "mine", { overwrite: true });
    assert.equal(new TextDecoder().decode(await c.download(file)), "mine");
    assert.equal(stolen.length, 1);
    assert.notEqual(stolen[0], "");

    // Whoever saw that GET sends the API an upload over the file with it.
    const thief = createClient({ appid, bucket, endpoint: srv.url, authorizer: { authorize: async () => stolen[0] }, retry: { maxAttempts: 1 } });
    await assert.rejects(thief.put(target, "evil", { overwrite: true }), CosError);
    assert.equal(new TextDecoder().decode(await c.download(target)), "mine");
  });
}
