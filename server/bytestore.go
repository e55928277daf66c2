package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// located is a blob store whose bytes outlive the process, by where they are.
type located interface {
	// location is "disk", or s3://bucket/prefix.
	location() string
}

func (s *diskBlobs) location() string { return "disk" }

func (s *s3Blobs) location() string {
	return strings.TrimSuffix("s3://"+s.bucket+"/"+s.prefix, "/")
}

// where is how an error names a location.
func where(loc string) string {
	if loc == "disk" {
		return "on disk"
	}
	return "in " + loc
}

// checkByteStore records where the files' bytes are on the first start, and
// refuses a store other than the recorded one: the metadata would name
// bytes the store does not have (files listed, their downloads failing).
func (m *meta) checkByteStore(ctx context.Context, store blobs, dsn string) error {
	l, ok := store.(located)
	if !ok {
		return nil
	}
	loc := l.location()
	var had string
	err := m.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT location FROM byte_store WHERE id = 1`).Scan(&had)
		if errors.Is(err, sql.ErrNoRows) {
			had = loc
			_, err = tx.ExecContext(ctx, m.q(`INSERT INTO byte_store (id, location) VALUES (1, ?)`), loc)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("server: the byte store of the metadata: %w", err)
	}
	if had != loc {
		return fmt.Errorf("server: the metadata (%s) says its files' bytes are %s, not %s: start with that store, "+
			"or with a new data directory or database (nothing was changed)", dsn, where(had), where(loc))
	}
	return nil
}

// dsnName names the metadata's database in a message: a PostgreSQL URL
// may hold a password.
func dsnName(dsn string) string {
	if strings.HasPrefix(dsn, "postgres") {
		return "PostgreSQL"
	}
	return dsn
}
