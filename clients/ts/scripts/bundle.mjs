// Bundles the example page's script (and the client with it) for browsers,
// and copies the page beside it into dist/www/ (tsc writes its own dist/example/app.js, unbundled).
import { build } from "esbuild";
import { copyFile, mkdir } from "node:fs/promises";

await mkdir("dist/www", { recursive: true });
await build({
  entryPoints: ["example/app.ts"],
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  sourcemap: true,
  outfile: "dist/www/app.js",
  logLevel: "warning",
});
await copyFile("example/index.html", "dist/www/index.html");
