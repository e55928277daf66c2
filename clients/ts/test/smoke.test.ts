import { test } from "node:test";
import assert from "node:assert/strict";
import { createClient, upload } from "../src/index.js";
import { startServer, appid, bucket, secretId, secretKey, bytes } from "./helpers.js";

test("smoke", async () => {
  const srv = await startServer();
  try {
    const cos = createClient({ appid, bucket, endpoint: srv.url, credentials: { secretId, secretKey } });
    await cos.mkdir("/a dir/");
    await cos.put("/a dir/x.txt", "hello");
    const st = await cos.stat("/a dir/x.txt");
    assert.equal(st.size, 5);
    const names = [];
    for await (const e of cos.list("/a dir/")) names.push(e.name);
    assert.deepEqual(names, ["x.txt"]);
    const b = bytes(3 * 1024 * 1024 + 5);
    await upload(cos, "/a dir/big.bin", b, { simpleThreshold: 1 });
    const got = await cos.download("/a dir/big.bin");
    assert.equal(Buffer.compare(Buffer.from(got), Buffer.from(b)), 0);
  } finally {
    await srv.stop();
    console.log(srv.stderr());
  }
});
