// The service reads a dest_fileid of /<appid>/<bucket>/<path> as a resource
// path: a move or copy to a path from the bucket root that starts with the
// appid (a directory named after the project) must still land where it says,
// as Go's Move and Copy do.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createClient, type CosClient } from "../src/index.js";
import { appid, bucket, secretId, secretKey, startServer, type Server } from "./helpers.js";

let srv: Server;
let cos: CosClient;

before(async () => {
  srv = await startServer();
  cos = createClient({ appid, bucket, endpoint: srv.url, credentials: { secretId, secretKey } });
  await cos.mkdir(`/${appid}/`);
  await cos.mkdir(`/${appid}/${bucket}/`);
});
after(() => srv.stop());

for (const op of ["copy", "move"] as const) {
  test(`a ${op} into a directory named after the appid lands at the path given, not at the bucket root`, async () => {
    const dst = `${appid}/${bucket}/${op}-b.txt`;
    await cos.put(`/${op}-a.txt`, "aaaa", { overwrite: true });
    await cos.put(`/${op}-b.txt`, "b", { overwrite: true });
    await (op === "copy" ? cos.copy(`/${op}-a.txt`, dst, true) : cos.move(`/${op}-a.txt`, dst, true));
    assert.equal((await cos.stat(dst)).size, 4);
    assert.equal((await cos.stat(`/${op}-b.txt`)).size, 1, "the file at the root is untouched");
  });
}
