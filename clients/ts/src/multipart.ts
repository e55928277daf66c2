// Multipart bodies byte for byte as Go's mime/multipart writes them in the Go
// client (form.go): plain fields with no part Content-Type, and the file part
// as filename="blob" with Content-Type application/octet-stream, fields in the
// order given. With a Blob part (a File's slice) the body is a Blob, which is
// not read into memory before it is sent; with bytes it is one Uint8Array,
// which Node's fetch writes at once (a Blob goes out as a stream of chunks:
// 2x slower on loopback). Either can be sent again for a retry.

/** A part's value: a plain field, or the file content. */
export type PartValue = string | Blob | Uint8Array | ArrayBuffer;

/** A built form: its Content-Type (with the boundary) and its body. */
export interface Form {
  contentType: string;
  body: Blob | Uint8Array<ArrayBuffer>;
}

function boundary(): string {
  const b = new Uint8Array(30); // Go's randomBoundary: 30 random bytes in hex
  globalThis.crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

function quote(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
}

/** buildForm returns the multipart form of fields, skipping undefined values. */
export function buildForm(fields: ReadonlyArray<readonly [string, PartValue | undefined]>): Form {
  const b = boundary();
  const parts: BlobPart[] = [];
  let head = "";
  let first = true;
  for (const [name, value] of fields) {
    if (value === undefined) continue;
    head += (first ? "" : "\r\n") + `--${b}\r\n`;
    first = false;
    if (typeof value === "string") {
      head += `Content-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}`;
      continue;
    }
    head += `Content-Disposition: form-data; name="${quote(name)}"; filename="blob"\r\nContent-Type: application/octet-stream\r\n\r\n`;
    parts.push(head);
    head = "";
    parts.push(value instanceof Uint8Array ? (value as Uint8Array<ArrayBuffer>) : value);
  }
  head += `\r\n--${b}--\r\n`;
  parts.push(head);
  const contentType = `multipart/form-data; boundary=${b}`;
  if (parts.some((x) => x instanceof Blob)) return { contentType, body: new Blob(parts) };
  const enc = new TextEncoder();
  const bytes = parts.map((x) => (typeof x === "string" ? enc.encode(x) : x instanceof ArrayBuffer ? new Uint8Array(x) : (x as Uint8Array)));
  const body = new Uint8Array(bytes.reduce((n, x) => n + x.length, 0));
  let off = 0;
  for (const x of bytes) {
    body.set(x, off);
    off += x.length;
  }
  return { contentType, body };
}
