package server

import (
	"context"
	"io"
	"strings"
)

// DefaultInlineMax is the size up to which a file is kept in the metadata
// database instead of the blob store (Config.InlineMax).
const DefaultInlineMax = 64 << 10

// inline reports whether a file of n bytes is kept in the database: small
// ones are, unless the bytes are in memory anyway.
func (s *Server) inline(n int) bool {
	return !s.volatile() && n <= s.cfg.InlineMax
}

func inlineKey() string { return "i" + newID() }

func isInline(key string) bool { return strings.HasPrefix(key, "i") }

// putInline stores the bytes of an inline key; the caller's transaction
// records the file.
func (m *meta) putInline(ctx context.Context, q querier, key string, data []byte) error {
	_, err := m.exec(ctx, q, `INSERT INTO inline_blobs (key, data) VALUES (?, ?)`, key, data)
	return err
}

// openBlob opens the bytes of n, from the database or the blob store.
func (s *Server) openBlob(ctx context.Context, n *node) (blob, error) {
	if !isInline(n.Data) {
		return s.blobs.open(ctx, n.Data, n.Size, n.Slice)
	}
	var data []byte
	if err := s.meta.queryRow(ctx, s.meta.db, `SELECT data FROM inline_blobs WHERE key = ?`, n.Data).Scan(&data); err != nil {
		return nil, err
	}
	return memBlob{io.NewSectionReader(chunks{b: [][]byte{data}}, 0, int64(len(data)))}, nil
}

// removeBlob deletes the bytes of a key the collector found due.
func (s *Server) removeBlob(ctx context.Context, key string) error {
	if !isInline(key) {
		return s.blobs.remove(ctx, key)
	}
	_, err := s.meta.exec(ctx, s.meta.db, `DELETE FROM inline_blobs WHERE key = ?`, key)
	return err
}
