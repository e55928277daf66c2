// Paths as Go's paths.go checks them, before any request is sent.

const MAX_PATH_LEN = 1000;
const utf8 = new TextEncoder();

function clean(p: string): string {
  if (!p.startsWith("/")) p = "/" + p;
  if (utf8.encode(p).length > MAX_PATH_LEN) throw new TypeError(`cos: invalid path: ${p.length} bytes, at most ${MAX_PATH_LEN}`);
  if (p.includes("\0") || !p.isWellFormed()) throw new TypeError(`cos: invalid path: ${JSON.stringify(p)} is not valid text`);
  for (const s of p.replace(/^\/+|\/+$/g, "").split("/")) {
    if (s === "" || s === "." || s === "..") throw new TypeError(`cos: invalid path: ${JSON.stringify(p)} has an empty, . or .. segment`);
  }
  return p;
}

/** dirPath normalises a directory path: leading "/" added, trailing one required; "" and "/" are the root. */
export function dirPath(p: string): string {
  if (p === "" || p === "/") return "/";
  if (!p.endsWith("/")) throw new TypeError(`cos: invalid path: directory path ${JSON.stringify(p)} must end in /`);
  return clean(p);
}

/** filePath normalises a file path: leading "/" added, no trailing one. */
export function filePath(p: string): string {
  if (p === "" || p.endsWith("/")) throw new TypeError(`cos: invalid path: file path ${JSON.stringify(p)} must name a file, not end in /`);
  return clean(p);
}
