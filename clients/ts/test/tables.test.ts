// The generated tables: the operations and their signature kinds as Go's
// gen.Operations lists them, the error codes of errcodes.yaml.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CosError, codeOf, errorCodes, isCode, lookupError, operationByFragment, operations } from "../src/index.js";
import { repoRoot } from "./helpers.js";

test("the operation table is Go's: same fragments, ops, methods and kinds", () => {
  const goTable = readFileSync(join(repoRoot, "gen/ops.gen.go"), "utf8");
  const rows = [...goTable.matchAll(/\{ID: "(\w+)", Fragment: "([\w.]+)", Op: "(\w+)", Method: "(\w+)", Target: "(\w+)", Signature: "(\w+)"\}/g)];
  assert.equal(rows.length, 15);
  assert.deepEqual(
    operations.map((o) => [o.id, o.fragment, o.op, o.method, o.target, o.signature]),
    rows.map((r) => r.slice(1, 7)),
  );
});

test("one-time signatures for delete, move, copy and update; multi-use for the rest", () => {
  for (const o of operations) {
    const once = ["delete", "move", "copy", "update"].includes(o.op);
    assert.equal(o.signature, once ? "once" : "multi", o.fragment);
  }
  assert.equal(operationByFragment("file.upload")?.op, "upload");
  assert.equal(operationByFragment("nope"), undefined);
});

test("the error table has every code of errcodes.yaml with its retryable flag", () => {
  const yaml = readFileSync(join(repoRoot, "errcodes.yaml"), "utf8");
  const codes = [...yaml.matchAll(/^  - code: (-?\d+)$/gm)].map((m) => Number(m[1]));
  assert.equal(errorCodes.length, codes.length);
  assert.deepEqual(errorCodes.map((c) => c.code), codes);
  assert.equal(lookupError(-177)?.name, "ERROR_CMD_COS_FILE_EXIST");
  assert.equal(lookupError(-177)?.retryable, false);
  assert.equal(lookupError(-4019)?.goName, "ErrUnfinishedUpload");
  assert.equal(lookupError(503)?.group, "http");
  assert.equal(codeOf("ErrFileExist"), -177);
  const e = new CosError(-177, "exists", 409, "upload", "/a");
  assert.ok(isCode(e, "ErrFileExist") && isCode(e, "ERROR_CMD_COS_FILE_EXIST"));
  assert.ok(!isCode(e, "ErrFileNotExist"));
  assert.equal(e.codeName, "ERROR_CMD_COS_FILE_EXIST");
});
