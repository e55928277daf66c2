// The example page: upload a picked file with signatures from the backend,
// show progress, list the directory. Bundled by esbuild (scripts/bundle.mjs).

import { createClient, newSha1, upload, type AuthRequest, type CosClient } from "../src/index.js";

interface Config {
  endpoint: string;
  appid: string;
  bucket: string;
  dir: string;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = (text: string, error = false) => {
  const s = $("status");
  s.textContent = text;
  s.className = error ? "err" : "";
};

/** getAuthorization asks the backend for the signature a request needs. */
async function getAuthorization(req: AuthRequest): Promise<string> {
  const r = await fetch("/sign", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(req) });
  if (!r.ok) throw new Error(`the backend refused to sign ${req.op} ${req.path}: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { authorization: string }).authorization;
}

async function refresh(cos: CosClient, dir: string): Promise<void> {
  const ul = $("list");
  const items: HTMLLIElement[] = [];
  for await (const e of cos.list(dir)) {
    const li = document.createElement("li");
    li.textContent = e.isDir ? e.name : `${e.name} ${e.size} bytes sha1 ${e.sha1} `;
    li.dataset.name = e.name;
    if (!e.isDir) {
      // Download it back (a signed GET across origins) and hash what arrived.
      const check = document.createElement("button");
      check.textContent = "download and check";
      check.addEventListener("click", async () => {
        check.disabled = true;
        try {
          const bytes = await cos.download(dir + e.name);
          const h = newSha1();
          h.update(bytes);
          const sha = h.hex();
          li.dataset.downloaded = sha;
          check.textContent = sha === e.sha1 ? `downloaded ${bytes.length} bytes: same sha1` : `downloaded: sha1 ${sha} differs`;
        } catch (err) {
          check.textContent = `download failed: ${err instanceof Error ? err.message : String(err)}`;
        }
      });
      li.append(check);
    }
    items.push(li);
  }
  ul.replaceChildren(...items);
}

async function main(): Promise<void> {
  const cfg = (await (await fetch("/config")).json()) as Config;
  $("dir").textContent = cfg.dir;
  const cos = createClient({ appid: cfg.appid, bucket: cfg.bucket, endpoint: cfg.endpoint, getAuthorization });
  await refresh(cos, cfg.dir);
  const input = $<HTMLInputElement>("file");
  const button = $<HTMLButtonElement>("upload");
  const bar = $<HTMLProgressElement>("progress");
  input.addEventListener("change", () => (button.disabled = !input.files?.length));
  button.addEventListener("click", async () => {
    const file = input.files?.[0];
    if (!file) return;
    button.disabled = true;
    const started = performance.now();
    status(`Uploading ${file.name}…`);
    try {
      await upload(cos, cfg.dir + file.name, file, {
        overwrite: true,
        onProgress: (p) => {
          bar.max = p.total || 1;
          bar.value = p.loaded;
          status(`Uploading ${file.name}: ${Math.round((100 * p.loaded) / (p.total || 1))}%`);
        },
      });
      const s = (performance.now() - started) / 1000;
      status(`Uploaded ${file.name} (${file.size} bytes in ${s.toFixed(1)} s)`);
      document.body.dataset.uploaded = file.name;
      await refresh(cos, cfg.dir);
    } catch (e) {
      status(`Upload failed: ${e instanceof Error ? e.message : String(e)}`, true);
      document.body.dataset.failed = String(e);
    } finally {
      button.disabled = false;
    }
  });
  status("Pick a file.");
  document.body.dataset.ready = "1";
}

main().catch((e) => status(`The page failed: ${e instanceof Error ? e.message : String(e)}`, true));
