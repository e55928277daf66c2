package cosv2

import (
	"context"
	"errors"
	"net/http"

	"github.com/cosv2/cosv2/gen"
	"github.com/cosv2/cosv2/gen/coserr"
)

// MakeDir creates the directory dir (op=create; its parent must exist, else
// ErrFileNotExist; ErrPathConflict when it exists), with the business
// attributes WithBizAttr gives. A retry after a lost answer that finds the
// directory made counts as success.
func (c *Client) MakeDir(ctx context.Context, dir string, opts ...DirOption) error {
	p, err := DirPath(dir)
	if err != nil {
		return err
	}
	bizAttr := dirOptions(opts).bizAttr
	body := gen.CreateDirectoryRequest{Op: gen.Create, BizAttr: &bizAttr}
	return c.do(ctx, call{op: string(gen.Create), path: p, idempotent: true, doneBefore: exists}, func(ctx context.Context) (*http.Response, []byte, error) {
		resp, err := c.api.CreateDirectory(ctx, c.appid, c.bucket, p, body)
		_, raw, err := parse(resp, err, gen.ParseCreateDirectoryResponse)
		if err != nil {
			return resp, raw, err
		}
		return resp, raw, nil
	})
}

// StatDir returns a directory's attributes: a GET of the directory with
// op=stat, signed multi-use. ErrFileNotExist when there is no such directory.
func (c *Client) StatDir(ctx context.Context, dir string) (*DirInfo, error) {
	p, err := DirPath(dir)
	if err != nil {
		return nil, err
	}
	var out *DirInfo
	err = c.do(ctx, call{op: string(gen.StatDirectoryParamsOpStat), path: p, idempotent: true}, func(ctx context.Context) (*http.Response, []byte, error) {
		resp, err := c.api.StatDirectory(ctx, c.appid, c.bucket, p, &gen.StatDirectoryParams{Op: gen.StatDirectoryParamsOpStat})
		r, raw, err := parse(resp, err, gen.ParseStatDirectoryResponse)
		if err != nil {
			return resp, raw, err
		}
		if r.JSON200 != nil && r.JSON200.Data != nil {
			d := r.JSON200.Data
			out = &DirInfo{Path: p, BizAttr: deref(d.BizAttr), Created: unixTime(d.Ctime), Updated: unixTime(d.Mtime)}
		}
		return resp, raw, nil
	})
	if err == nil && out == nil {
		out = &DirInfo{Path: p}
	}
	return out, err
}

// UpdateDir sets a directory's business attributes: a JSON POST of
// op=update, with a one-time signature, as the official SDKs send it (the
// document lists update for files only). ErrFileNotExist when there is no
// such directory.
func (c *Client) UpdateDir(ctx context.Context, dir, bizAttr string) error {
	p, err := DirPath(dir)
	if err != nil {
		return err
	}
	body := gen.UpdateDirectoryRequest{Op: gen.UpdateDirectoryRequestOpUpdate, BizAttr: &bizAttr}
	return c.do(ctx, call{op: string(gen.UpdateDirectoryRequestOpUpdate), path: p, idempotent: true}, func(ctx context.Context) (*http.Response, []byte, error) {
		resp, err := c.api.UpdateDirectory(ctx, c.appid, c.bucket, p, body)
		_, raw, err := parse(resp, err, gen.ParseUpdateDirectoryResponse)
		if err != nil {
			return resp, raw, err
		}
		return resp, raw, nil
	})
}

// RemoveDir deletes an empty directory (ErrDirNotEmpty otherwise): a JSON
// POST of op=delete, with a one-time signature. The bucket root cannot be
// removed. A retry after a lost answer that finds the directory gone counts
// as success.
func (c *Client) RemoveDir(ctx context.Context, dir string) error {
	p, err := DirPath(dir)
	if err != nil {
		return err
	}
	if p == "/" {
		return errors.New("cos: the bucket root cannot be removed")
	}
	body := gen.DeleteRequest{Op: gen.Delete}
	return c.do(ctx, call{op: string(gen.Delete), path: p, idempotent: true, doneBefore: gone}, func(ctx context.Context) (*http.Response, []byte, error) {
		resp, err := c.api.DeleteDirectory(ctx, c.appid, c.bucket, p, body)
		_, raw, err := parse(resp, err, gen.ParseDeleteDirectoryResponse)
		if err != nil {
			return resp, raw, err
		}
		return resp, raw, nil
	})
}

// exists: on a repeated create, "already there" means the first one worked.
func exists(_ context.Context, err error) bool {
	return errors.Is(err, coserr.ErrPathConflict) || errors.Is(err, coserr.ErrFileExist)
}

// gone: on a repeated delete, "not there" means the first one worked.
func gone(_ context.Context, err error) bool {
	return errors.Is(err, coserr.ErrFileNotExist)
}
