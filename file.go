package cosv2

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/cosv2/cosv2/gen"
	"github.com/cosv2/cosv2/gen/coserr"
)

// Stat returns a file's attributes: a GET of the file with op=stat, signed
// multi-use. ErrFileNotExist (IsNotExist) when there is no such file.
func (c *Client) Stat(ctx context.Context, file string) (*FileInfo, error) {
	p, err := FilePath(file)
	if err != nil {
		return nil, err
	}
	var out *FileInfo
	err = c.do(ctx, call{op: string(gen.StatFileParamsOpStat), path: p, idempotent: true}, func(ctx context.Context) (*http.Response, []byte, error) {
		resp, err := c.api.StatFile(ctx, c.appid, c.bucket, p, &gen.StatFileParams{Op: gen.StatFileParamsOpStat})
		r, raw, err := parse(resp, err, gen.ParseStatFileResponse)
		if err != nil {
			return resp, raw, err
		}
		if r.JSON200 != nil && r.JSON200.Data != nil {
			d := r.JSON200.Data
			out = &FileInfo{
				Path: p, Name: deref(d.Name), Size: deref(d.Filesize), SHA1: deref(d.Sha), BizAttr: deref(d.BizAttr),
				Created: unixTime(d.Ctime), Updated: unixTime(d.Mtime), AccessURL: deref(d.AccessUrl),
				SourceURL: deref(d.SourceUrl), Authority: Authority(deref(d.Authority)), Headers: headersFrom(d.CustomHeaders),
			}
		}
		return resp, raw, nil
	})
	if err == nil && out == nil {
		out = &FileInfo{Path: p}
	}
	if err == nil && out.Size < 0 {
		return nil, badValues(string(gen.StatFileParamsOpStat), p, "file size %d", out.Size)
	}
	return out, err
}

// Update is a change of a file's attributes (biz_attr, authority,
// custom_headers); nil fields are left as they are.
type Update struct {
	BizAttr   *string
	Authority *Authority
	// Headers are added or changed; headers not named keep their values.
	Headers map[string]string
}

// Update changes a file's attributes: a JSON POST of op=update, with a
// one-time signature. Only the fields u sets are sent. ErrFileNotExist when
// there is no such file.
func (c *Client) Update(ctx context.Context, file string, u Update) error {
	p, err := FilePath(file)
	if err != nil {
		return err
	}
	body := gen.UpdateFileRequest{Op: gen.UpdateFileRequestOpUpdate, BizAttr: u.BizAttr}
	if u.Authority != nil {
		a := gen.UpdateFileRequestAuthority(*u.Authority)
		body.Authority = &a
	}
	if len(u.Headers) > 0 {
		var h gen.UpdateFileRequest_CustomHeaders
		if err := h.FromCustomHeaders(headersTo(u.Headers)); err != nil {
			return err
		}
		body.CustomHeaders = &h
	}
	return c.do(ctx, call{op: string(gen.UpdateFileRequestOpUpdate), path: p, idempotent: true}, func(ctx context.Context) (*http.Response, []byte, error) {
		resp, err := c.api.UpdateFile(ctx, c.appid, c.bucket, p, body)
		_, raw, err := parse(resp, err, gen.ParseUpdateFileResponse)
		if err != nil {
			return resp, raw, err
		}
		return resp, raw, nil
	})
}

// Remove deletes a file: a JSON POST of op=delete, with a one-time signature.
// A retry after a lost answer that finds the file gone counts as success;
// otherwise ErrFileNotExist when there is no such file.
func (c *Client) Remove(ctx context.Context, file string) error {
	p, err := FilePath(file)
	if err != nil {
		return err
	}
	body := gen.DeleteRequest{Op: gen.Delete}
	return c.do(ctx, call{op: string(gen.Delete), path: p, idempotent: true, doneBefore: gone}, func(ctx context.Context) (*http.Response, []byte, error) {
		resp, err := c.api.DeleteFile(ctx, c.appid, c.bucket, p, body)
		_, raw, err := parse(resp, err, gen.ParseDeleteFileResponse)
		if err != nil {
			return resp, raw, err
		}
		return resp, raw, nil
	})
}

// Move moves (renames) file src to dst in the same bucket (op=move, with a
// one-time signature), replacing an existing dst only WithOverwrite (else
// ErrFileExist). dst is a path from the bucket root. A move whose answer was
// lost cannot be told from one that never happened, so only answers the
// service marks retryable are tried again.
func (c *Client) Move(ctx context.Context, src, dst string, opts ...MoveOption) error {
	return c.moveOrCopy(ctx, string(gen.MoveRequestOpMove), src, dst, moveOptions(opts).overwrite)
}

// Copy copies file src to dst in the same bucket (op=copy, with a one-time
// signature), replacing an existing dst only WithOverwrite (else
// ErrFileExist). dst is a path from the bucket root.
func (c *Client) Copy(ctx context.Context, src, dst string, opts ...MoveOption) error {
	return c.moveOrCopy(ctx, string(gen.CopyRequestOpCopy), src, dst, moveOptions(opts).overwrite)
}

func (c *Client) moveOrCopy(ctx context.Context, op, src, dst string, overwrite bool) error {
	s, err := FilePath(src)
	if err != nil {
		return err
	}
	d, err := FilePath(dst)
	if err != nil {
		return err
	}
	if s == d {
		return errors.New("cos: " + op + ": source and destination are the same file")
	}
	f := newForm().field("op", op).field("dest_fileid", c.destFileID(d)).field("to_over_write", strconv.Itoa(boolInt(overwrite))).close()
	// A move whose answer was lost cannot be told from one that never happened
	// without racing other writers, so only answers the service marks retryable
	// are retried; a copy that may overwrite is idempotent.
	cl := call{op: op, path: s, idempotent: op == string(gen.CopyRequestOpCopy) && overwrite}
	return c.do(ctx, cl, func(ctx context.Context) (*http.Response, []byte, error) {
		if op == string(gen.MoveRequestOpMove) {
			resp, err := c.api.MoveFileWithBody(ctx, c.appid, c.bucket, s, &gen.MoveFileParams{}, f.contentType, f.reader(), f.editor)
			_, raw, err := parse(resp, err, gen.ParseMoveFileResponse)
			return resp, raw, err
		}
		resp, err := c.api.CopyFileWithBody(ctx, c.appid, c.bucket, s, &gen.CopyFileParams{}, f.contentType, f.reader(), f.editor)
		_, raw, err := parse(resp, err, gen.ParseCopyFileResponse)
		return resp, raw, err
	})
}

// destFileID is dest_fileid for d, a path from the bucket root. The service
// reads a dest_fileid that starts with /<appid>/ as a resource path,
// /<appid>/<bucket>/<path>, so d is sent as one when it starts so itself (a
// directory named after the project): else it would land elsewhere.
func (c *Client) destFileID(d string) string {
	if strings.HasPrefix(d, "/"+c.appid+"/") {
		return "/" + c.appid + "/" + c.bucket + d
	}
	return d
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// IsNotExist reports whether err says the file or directory does not exist
// (ErrFileNotExist, code -197, HTTP 404).
func IsNotExist(err error) bool { return errors.Is(err, coserr.ErrFileNotExist) }
