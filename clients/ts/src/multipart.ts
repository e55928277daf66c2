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

/**
 * A form whose file part is left to fill: data is the view of body where its
 * bytes go, so a slice read from a file lands in the body it is sent in, with
 * no copy in between (the Go client reads a slice into its body the same way).
 */
export interface FormToFill extends Form {
  body: Uint8Array<ArrayBuffer>;
  data: Uint8Array<ArrayBuffer>;
}

function boundary(): string {
  const b = new Uint8Array(30); // Go's randomBoundary: 30 random bytes in hex
  globalThis.crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/**
 * quote escapes a name in a Content-Disposition parameter as Go's
 * mime/multipart does (quoteEscaper): \ and " with a backslash, CR and LF
 * as %0D and %0A, so a name cannot end its header line.
 */
function quote(s: string): string {
  return s.replace(/[\\"\r\n]/g, (c) => (c === "\r" ? "%0D" : c === "\n" ? "%0A" : "\\" + c));
}

/** segments returns the form as text around its file parts (undefined values skipped). */
function segments(b: string, fields: ReadonlyArray<readonly [string, PartValue | undefined]>): (string | Exclude<PartValue, string>)[] {
  const out: (string | Exclude<PartValue, string>)[] = [];
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
    out.push(head, value);
    head = "";
  }
  out.push(head + `\r\n--${b}--\r\n`);
  return out;
}

const utf8 = new TextEncoder();

/** buildForm returns the multipart form of fields, skipping undefined values. */
export function buildForm(fields: ReadonlyArray<readonly [string, PartValue | undefined]>): Form {
  const b = boundary();
  const parts = segments(b, fields);
  const contentType = `multipart/form-data; boundary=${b}`;
  if (parts.some((x) => x instanceof Blob)) return { contentType, body: new Blob(parts as BlobPart[]) };
  const bytes = parts.map((x) => (typeof x === "string" ? utf8.encode(x) : x instanceof ArrayBuffer ? new Uint8Array(x) : (x as Uint8Array)));
  const body = new Uint8Array(bytes.reduce((n, x) => n + x.length, 0));
  let off = 0;
  for (const x of bytes) {
    body.set(x, off);
    off += x.length;
  }
  return { contentType, body };
}

/**
 * formToFill is buildForm of fields followed by a file part named fileField
 * of n bytes left to fill (form.data). buf is reused for the body when its
 * buffer is large enough.
 */
export function formToFill(fields: ReadonlyArray<readonly [string, string | undefined]>, fileField: string, n: number, buf?: Uint8Array<ArrayBuffer>): FormToFill {
  const b = boundary();
  const [head, , tail] = segments(b, [...fields, [fileField, new Uint8Array(0)]]).map((x) => (typeof x === "string" ? utf8.encode(x) : new Uint8Array(0)));
  const size = head.length + n + tail.length;
  const body = buf && buf.buffer.byteLength >= size ? new Uint8Array(buf.buffer, 0, size) : new Uint8Array(size);
  body.set(head, 0);
  body.set(tail, head.length + n);
  return { contentType: `multipart/form-data; boundary=${b}`, body, data: body.subarray(head.length, head.length + n) };
}
