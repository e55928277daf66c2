// The Node client's slice upload against the Go uploader (`cosv2 put`, its
// defaults: 1 MiB slices, 4 in flight), the same file to the same
// `cosv2 serve --memory` in the same run, fastest of 5 each (RUNS), alternating.
// Node reads the file through a FileHandle, as the Go CLI reads its *os.File.
// Prints MB/s and the ratio Node / Go (issue 17's target: at least 0.5).
//
//   make bench-ts            # 256 MB
//   SIZE_MB=64 make bench-ts

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, upload } from "../src/index.js";
import { appid, bucket, bytes, cosv2Bin, secretId, secretKey, startServer } from "../test/helpers.js";

const sizeMB = Number(process.env.SIZE_MB ?? 256);
const runs = Number(process.env.RUNS ?? 5);
const size = sizeMB * 1024 * 1024;

const dir = mkdtempSync(join(tmpdir(), "cosv2-bench-"));
const file = join(dir, "bench.bin");
writeFileSync(file, bytes(size, 42));
const srv = await startServer(["--body-memory", String(512 << 20)]);
const cos = createClient({ appid, bucket, endpoint: srv.url, credentials: { secretId, secretKey } });
const go = (...args: string[]) => {
  const r = spawnSync(cosv2Bin(), ["--endpoint", srv.url, "--appid", appid, "--bucket", bucket, "--secret-id", secretId, "--secret-key", secretKey, ...args],
    { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`cosv2 ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
};

const best = { go: Infinity, node: Infinity };
try {
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    go("put", file, `/go-${i}.bin`);
    best.go = Math.min(best.go, (performance.now() - t) / 1000);
    go("rm", `/go-${i}.bin`);

    t = performance.now();
    const fh = await open(file);
    await upload(cos, `/node-${i}.bin`, fh, { sliceSize: 1 << 20, concurrency: 4 });
    await fh.close();
    best.node = Math.min(best.node, (performance.now() - t) / 1000);
    const st = await cos.stat(`/node-${i}.bin`);
    if (st.size !== size) throw new Error(`node upload stored ${st.size} bytes`);
    await cos.remove(`/node-${i}.bin`);
  }
  const goMBs = sizeMB / best.go;
  const nodeMBs = sizeMB / best.node;
  console.log(`slice upload of ${sizeMB} MB to cosv2 serve --memory, 1 MiB slices, 4 in flight, fastest of ${runs}:`);
  console.log(`  Go uploader (cosv2 put)   ${goMBs.toFixed(1)} MB/s`);
  console.log(`  Node client (upload)      ${nodeMBs.toFixed(1)} MB/s`);
  console.log(`  Node / Go                 ${(nodeMBs / goMBs).toFixed(2)} (target >= 0.5)`);
} finally {
  await srv.stop();
  rmSync(dir, { recursive: true, force: true });
}
