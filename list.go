package cosv2

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"strings"

	"github.com/cosv2/cosv2/gen"
	"github.com/cosv2/cosv2/internal/rules"
)

// DefaultPageSize is how many entries one list request asks for.
const DefaultPageSize = 199

type listConfig struct {
	prefix   string
	pageSize int64
	limit    int
}

// ListOption configures List.
type ListOption func(*listConfig)

// WithPrefix lists only the entries whose names start with prefix.
func WithPrefix(prefix string) ListOption { return func(c *listConfig) { c.prefix = prefix } }

// WithPageSize sets how many entries each request asks for (num: 1 to 1000,
// default DefaultPageSize); another value makes List fail with
// ErrInvalidListNum before any request.
func WithPageSize(n int) ListOption { return func(c *listConfig) { c.pageSize = int64(n) } }

// WithLimit stops the listing after n entries (0: no limit).
func WithLimit(n int) ListOption { return func(c *listConfig) { c.limit = n } }

// List returns the entries of directory dir in the service's order: GETs of
// dir+prefix with op=list, num and the previous page's context, signed
// multi-use, one page as the loop asks for it, until the service says the
// listing is over or WithLimit entries were yielded. An error ends the
// sequence: ErrBadPath for a bad dir or a prefix with "/", ErrInvalidListNum
// for a page size outside 1..1000 (both before any request),
// ErrFileNotExist when there is no such directory, ErrBadAnswer for an
// entry whose name is not one name of the directory (so an Entry's Name is
// always safe to join to a local path) or whose size is negative, and for a
// page that says the listing goes on (listover false) without a context
// that leads on: none, or one given before, which would list pages again.
func (c *Client) List(ctx context.Context, dir string, opts ...ListOption) iter.Seq2[Entry, error] {
	cfg := listConfig{pageSize: DefaultPageSize}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	return func(yield func(Entry, error) bool) {
		p, err := DirPath(dir)
		if err != nil {
			yield(Entry{}, err)
			return
		}
		if !rules.ValidListNum(int(min(cfg.pageSize, rules.MaxListNum+1))) {
			yield(Entry{}, &OpError{Op: string(gen.List), Path: p, Err: fmt.Errorf("page size %d is not within %d..%d: %w",
				cfg.pageSize, rules.MinListNum, rules.MaxListNum, ErrInvalidListNum)})
			return
		}
		// The prefix is the start of one name: the list path is dir+prefix.
		listPath := p + cfg.prefix
		if strings.Contains(cfg.prefix, "/") {
			yield(Entry{}, fmt.Errorf("%w: prefix %q holds a /", ErrBadPath, cfg.prefix))
			return
		}
		if err := rules.Check(listPath); err != nil {
			yield(Entry{}, fmt.Errorf("%w: %w", ErrBadPath, err))
			return
		}
		next, n := "", 0
		seen := map[string]bool{} // every context given: one given again would list pages again
		for {
			page, err := c.listPage(ctx, listPath, next, cfg.pageSize)
			if err == nil && !page.over && (page.context == "" && page.notOver || seen[page.context]) {
				err = badValues(string(gen.List), listPath, "listover is false, and context %q leads to no next page", page.context)
			}
			if err != nil {
				yield(Entry{}, err)
				return
			}
			for _, e := range page.entries {
				if !yield(e, nil) {
					return
				}
				if n++; cfg.limit > 0 && n >= cfg.limit {
					return
				}
			}
			if page.over || page.context == "" {
				return
			}
			seen[page.context], next = true, page.context
		}
	}
}

type page struct {
	entries []Entry
	context string
	over    bool
	// notOver: the answer said listover false (an answer without listover
	// that gives no context is taken as the last page).
	notOver bool
}

func (c *Client) listPage(ctx context.Context, listPath, token string, num int64) (page, error) {
	var out page
	params := &gen.ListDirectoryParams{Op: gen.List, Num: num}
	if token != "" {
		params.Context = &token
	}
	err := c.do(ctx, call{op: string(gen.List), path: listPath, idempotent: true}, func(ctx context.Context) (*http.Response, []byte, error) {
		resp, err := c.api.ListDirectory(ctx, c.appid, c.bucket, listPath, params)
		r, raw, err := parse(resp, err, gen.ParseListDirectoryResponse)
		if err != nil {
			return resp, raw, err
		}
		out = page{}
		if r.JSON200 != nil && r.JSON200.Data != nil {
			d := r.JSON200.Data
			out.context, out.over, out.notOver = deref(d.Context), deref(d.Listover), d.Listover != nil && !*d.Listover
			for _, i := range deref(d.Infos) {
				if err := rules.Name(i.Name); err != nil {
					return resp, raw, fmt.Errorf("%w: entry %q: %w", ErrBadAnswer, i.Name, err)
				}
				if deref(i.Filesize) < 0 {
					return resp, raw, fmt.Errorf("%w: %s: file size %d", ErrBadAnswer, i.Name, *i.Filesize)
				}
				out.entries = append(out.entries, entryFrom(i))
			}
		}
		return resp, raw, nil
	})
	return out, err
}

func entryFrom(i gen.ListEntry) Entry {
	return Entry{
		Name: i.Name, IsDir: strings.HasSuffix(i.Name, "/"), Size: deref(i.Filesize), SHA1: deref(i.Sha),
		Created: unixTime(i.Ctime), Updated: unixTime(i.Mtime),
		AccessURL: deref(i.AccessUrl), SourceURL: deref(i.SourceUrl), Authority: Authority(deref(i.Authority)),
	}
}
