// Paths as Go's paths.go checks them (internal/rules/path.go, which the local
// server applies too), before any request is sent.

const MAX_PATH_LEN = 1000;
const MAX_NAME_LEN = 255;
const utf8 = new TextEncoder();
// Go's unicode.IsControl (C0, DEL and C1) and the backslash.
const BAD_CHAR = /[\u0000-\u001f\u007f-\u009f\\]/;

/**
 * checkPath checks a path as it goes on the wire (with its leading "/"; a
 * directory with its trailing one; "/" is the bucket root), as Go's
 * rules.Check: at most 1000 bytes, valid text, and every name non-empty, not
 * "." or "..", at most 255 bytes, without control characters or backslashes.
 * It returns p or throws a TypeError.
 */
export function checkPath(p: string): string {
  const bad = (detail: string) => new TypeError(`cos: invalid path: ${JSON.stringify(p)}: ${detail}`);
  const n = utf8.encode(p).length;
  if (n > MAX_PATH_LEN) throw bad(`${n} bytes, at most ${MAX_PATH_LEN}`);
  if (!p.isWellFormed()) throw bad("not valid text");
  if (p === "/") return p;
  if (!p.startsWith("/")) throw bad('does not start with "/"');
  const rest = p.slice(1);
  for (const seg of (rest.endsWith("/") ? rest.slice(0, -1) : rest).split("/")) {
    const problem = segmentProblem(seg);
    if (problem) throw bad(problem);
    const len = utf8.encode(seg).length;
    if (len > MAX_NAME_LEN) throw bad(`a name of ${len} bytes, at most ${MAX_NAME_LEN}`);
  }
  return p;
}

/** segmentProblem is what checkPath and nameProblem both refuse in one name (Go's rules.name). */
function segmentProblem(seg: string): string | undefined {
  if (seg === "" || seg === "." || seg === "..") return "an empty, . or .. segment";
  if (BAD_CHAR.test(seg)) return "a name holds a backslash or a control character";
  return undefined;
}

function lead(p: string): string {
  return checkPath(p.startsWith("/") ? p : "/" + p);
}

/** dirPath normalises a directory path: leading "/" added, trailing one required; "" and "/" are the root. */
export function dirPath(p: string): string {
  if (p === "" || p === "/") return "/";
  if (!p.endsWith("/")) throw new TypeError(`cos: invalid path: directory path ${JSON.stringify(p)} must end in /`);
  return lead(p);
}

/** filePath normalises a file path: leading "/" added, no trailing one. */
export function filePath(p: string): string {
  if (p === "" || p.endsWith("/")) throw new TypeError(`cos: invalid path: file path ${JSON.stringify(p)} must name a file, not end in /`);
  return lead(p);
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
  if (n.includes("/")) return "more than one name";
  if (!n.isWellFormed()) return "not valid text";
  return segmentProblem(n);
}
