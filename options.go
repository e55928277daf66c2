package cosv2

// The options of the writing calls. One option may serve several calls:
// WithOverwrite configures Put, Move and Copy alike, WithBizAttr Put and
// MakeDir; each call takes only the options that mean something to it, so a
// call never silently ignores one.

type putConfig struct {
	overwrite bool
	bizAttr   string
}

type moveConfig struct{ overwrite bool }

type dirConfig struct{ bizAttr string }

// PutOption configures Put.
type PutOption interface{ applyPut(*putConfig) }

// MoveOption configures Move and Copy.
type MoveOption interface{ applyMove(*moveConfig) }

// DirOption configures MakeDir.
type DirOption interface{ applyDir(*dirConfig) }

// OverwriteOption is the option WithOverwrite returns.
type OverwriteOption struct{}

func (OverwriteOption) applyPut(c *putConfig)   { c.overwrite = true }
func (OverwriteOption) applyMove(c *moveConfig) { c.overwrite = true }

// WithOverwrite replaces an existing file at the destination: insertOnly=0
// on an upload, to_over_write=1 on a move or copy. Without it, an existing
// file makes the call fail with ErrFileExist.
func WithOverwrite() OverwriteOption { return OverwriteOption{} }

// BizAttrOption is the option WithBizAttr returns.
type BizAttrOption struct{ attr string }

func (o BizAttrOption) applyPut(c *putConfig) { c.bizAttr = o.attr }
func (o BizAttrOption) applyDir(c *dirConfig) { c.bizAttr = o.attr }

// WithBizAttr sets the business attributes (biz_attr) of the file or
// directory made.
func WithBizAttr(attr string) BizAttrOption { return BizAttrOption{attr: attr} }

func putOptions(opts []PutOption) putConfig {
	var c putConfig
	for _, o := range opts {
		if o != nil {
			o.applyPut(&c)
		}
	}
	return c
}

func moveOptions(opts []MoveOption) moveConfig {
	var c moveConfig
	for _, o := range opts {
		if o != nil {
			o.applyMove(&c)
		}
	}
	return c
}

func dirOptions(opts []DirOption) dirConfig {
	var c dirConfig
	for _, o := range opts {
		if o != nil {
			o.applyDir(&c)
		}
	}
	return c
}
