// The package's own metadata agrees with the repository it ships from.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./helpers.js";

const pkg = JSON.parse(readFileSync(join(repoRoot, "clients/ts/package.json"), "utf8")) as {
  license: string;
  scripts: Record<string, string>;
};

test("npm run gen writes the types file make generate writes and the sources import", () => {
  const makefile = readFileSync(join(repoRoot, "Makefile"), "utf8");
  const made = /openapi-typescript spec\/cos-v2\.yaml -o \$\(TS\)\/(\S+)/.exec(makefile)?.[1];
  assert.equal(made, "src/gen/schema.gen.ts");
  assert.match(pkg.scripts.gen, new RegExp(` -o ${made.replaceAll(".", "\\.")}$`));
});

test("the license is the repository's LICENSE", () => {
  const license = readFileSync(join(repoRoot, "LICENSE"), "utf8");
  assert.match(license, /Apache License\s+Version 2\.0/);
  assert.equal(pkg.license, "Apache-2.0");
});
