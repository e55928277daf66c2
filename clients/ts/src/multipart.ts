// Multipart bodies byte for byte as Go's mime/multipart writes them in the Go
// client (form.go): plain fields with no part Content-Type, and the file part
// as filename="blob" with Content-Type application/octet-stream, fields in the
// order given. The body is a Blob, so a File's slice is never read into memory
// before it is sent and every retry can send it again.

/** A part's value: a plain field, or the file content. */
export type PartValue = string | Blob | Uint8Array | ArrayBuffer;

/** A built form: its Content-Type (with the boundary) and its body. */
export interface Form {
  contentType: string;
  body: Blob;
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
  return { contentType: `multipart/form-data; boundary=${b}`, body: new Blob(parts) };
}
