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

/**
 * nameProblem says what makes a listed entry's name not one name of its
 * directory (a directory's with its trailing "/"), as Go's rules.Name (no
 * length limit: another client may have made it), or returns undefined:
 * callers join names to local paths, so "../x", "a/b" or control
 * characters from a broken or hostile server must not reach them.
 */
export function nameProblem(name: string): string | undefined {
  const n = name.endsWith("/") ? name.slice(0, -1) : name;
  if (n === "" || n.includes("/")) return "not one name";
  if (n === "." || n === "..") return "a . or .. name";
  if (!n.isWellFormed()) return "not valid text";
  if (/[\u0000-\u001f\u007f-\u009f\\]/.test(n)) return "a backslash or a control character";
  return undefined;
}
