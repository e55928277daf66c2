// Type-checks the generated TypeScript against the shapes a client relies on, so a
// spec change that breaks another language's client fails here too.
import type { components, paths } from "./cos-v2";

type Schemas = components["schemas"];

const upload: Schemas["UploadRequest"] = { op: "upload", filecontent: "bytes", insertOnly: 1 };
const init: Schemas["UploadSliceInitRequest"] = { op: "upload_slice_init", filesize: 1, slice_size: 1048576 };
const reply: Schemas["StatFileReply"] = {
  code: 0,
  message: "SUCCESS",
  data: { filesize: 21, sha: "1fe86826617c3a32da4f06bccc71a2a718b274c6", ctime: 1472645858, mtime: "1472645858" },
};
type ListOp = paths["/files/v2/{appid}/{bucket}{path}#dir.list"]["get"];
const listQuery: ListOp["parameters"]["query"] = { op: "list", num: 20 };

export const checked = [upload, init, reply, listQuery];
