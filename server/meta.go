package server

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"modernc.org/sqlite"               // the "sqlite" database/sql driver, pure Go
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrations embed.FS

// meta is the server's metadata in a SQL database: SQLite (embedded, the
// default) or PostgreSQL (several servers sharing buckets). Both run the same
// schema (migrations/) and the same queries; each operation is one
// transaction, serializable on both, so a crash leaves it done or not done.
type meta struct {
	db       *sql.DB
	postgres bool
	stmts    sync.Map       // query → *sql.Stmt
	bg       sync.WaitGroup // statements being prepared in the background

	checkpoints   bool          // a SQLite file: its log is copied in by checkpoint
	writes        atomic.Int64  // transactions begun, for checkpoint
	stop, stopped chan struct{} // of checkpoint
}

// openMeta opens dsn: "postgres://..." or "postgresql://..." for PostgreSQL,
// else a SQLite file path ("" for a private in-memory database), and applies
// the migrations it lacks.
func openMeta(ctx context.Context, dsn string) (*meta, error) {
	m := &meta{}
	var err error
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		m.postgres = true
		m.db, err = sql.Open("pgx", dsn)
	case dsn == "":
		// One connection: a private in-memory database lives in its connection.
		m.db, err = sql.Open("sqlite", "file::memory:?_pragma=foreign_keys(1)")
		if err == nil {
			m.db.SetMaxOpenConns(1)
			m.db.SetConnMaxLifetime(0)
			m.db.SetConnMaxIdleTime(0)
		}
	default:
		if err := createSQLite(dsn); err != nil {
			return nil, err
		}
		// WAL lets readers run beside the one writer; synchronous=NORMAL in WAL
		// survives a crash of the process (not a power cut) without an fsync
		// per commit; write transactions take the lock at BEGIN, so two never
		// deadlock upgrading.
		m.db, err = sql.Open("sqlite", "file:"+dsn+"?_txlock=immediate&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)"+
			"&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(10000)&_pragma=wal_autocheckpoint("+strconv.Itoa(walBackstop)+")")
		m.checkpoints = true
	}
	if err != nil {
		return nil, err
	}
	if err := m.migrate(ctx); err != nil {
		_ = m.db.Close()
		return nil, err
	}
	if m.checkpoints {
		m.stop, m.stopped = make(chan struct{}), make(chan struct{})
		go m.checkpoint()
	}
	return m, nil
}

// checkpointEvery is how often the log of a SQLite file is copied into the
// database once something was written. The copy runs here, beside the
// requests: left to SQLite, it runs in the commit that fills the log, and
// took a fifth of a 64 KB upload's time. walBackstop is the log's length in
// pages at which a commit copies it anyway, should this fall behind.
const (
	checkpointEvery = 100 * time.Millisecond
	walBackstop     = 8192
)

func (m *meta) checkpoint() {
	defer close(m.stopped)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	var done int64
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
		}
		if n := m.writes.Load(); n != done {
			// PASSIVE: copies what no reader still needs, waits for nobody.
			if _, err := m.db.Exec(`PRAGMA wal_checkpoint(PASSIVE)`); err == nil {
				done = n
			}
		}
	}
}

// sqlitePageSize is the page size of a new SQLite database: a file of up to
// InlineMax bytes is a few pages written to the log, not sixteen.
const sqlitePageSize = 16384

// createSQLite makes the database file at dsn, unless it exists, with
// sqlitePageSize pages: the size is fixed once the first table or the WAL
// mode is written, and the driver would apply the DSN's journal_mode before
// its page_size (it sorts them by name).
func createSQLite(dsn string) error {
	if _, err := os.Stat(dsn); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	db, err := sql.Open("sqlite", "file:"+dsn+"?_pragma=page_size("+strconv.Itoa(sqlitePageSize)+")")
	if err != nil {
		return err
	}
	_, err = db.Exec(`PRAGMA journal_mode=WAL`)
	return errors.Join(err, db.Close())
}

// close closes the database once the statements being prepared are: a
// connection still in use when it closes would touch the files later.
func (m *meta) close() error {
	if m.stop != nil {
		close(m.stop)
		<-m.stopped
	}
	m.bg.Wait()
	return m.db.Close()
}

// migrationLock is the PostgreSQL advisory lock servers take while they
// migrate; any number, the same in every version.
const migrationLock = 0x636f7376 // "cosv"

// migrate applies migrations/NNNN_*.sql in order, each in a transaction with
// its version row. On PostgreSQL, servers starting together take turns: each
// would find a migration missing and make its tables, and all but the first
// would fail. (A SQLite file's write transactions already take turns.)
func (m *meta) migrate(ctx context.Context) error {
	if m.postgres {
		conn, err := m.db.Conn(ctx)
		if err != nil {
			return fmt.Errorf("migrations: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
			return fmt.Errorf("migrations: waiting for another server's: %w", err)
		}
		// Unlocked here, or by PostgreSQL when the connection breaks.
		defer func() {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLock)
		}()
	}
	return m.migrateAll(ctx)
}

func (m *meta) migrateAll(ctx context.Context) error {
	if _, err := m.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY)`); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(files)
	for _, f := range files {
		v, err := strconv.Atoi(strings.SplitN(strings.TrimPrefix(f, "migrations/"), "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: no version number", f)
		}
		raw, err := migrations.ReadFile(f)
		if err != nil {
			return err
		}
		collate := ""
		if m.postgres {
			collate = ` COLLATE "C"`
		}
		bytesType := "BLOB"
		if m.postgres {
			bytesType = "BYTEA"
		}
		script := strings.NewReplacer("{{C}}", collate, "{{BYTES}}", bytesType).Replace(string(raw))
		err = m.tx(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, m.q(`SELECT COUNT(*) FROM schema_version WHERE version = ?`), v).Scan(&n); err != nil || n > 0 {
				return err
			}
			for _, stmt := range statements(script) {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("%s: %w", f, err)
				}
			}
			_, err := tx.ExecContext(ctx, m.q(`INSERT INTO schema_version (version) VALUES (?)`), v)
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", f, err)
		}
	}
	return nil
}

// statements splits a script at the semicolons that end its lines, leaving
// out comment lines.
func statements(script string) []string {
	var out []string
	var cur strings.Builder
	for line := range strings.SplitSeq(script, "\n") {
		if t := strings.TrimSpace(line); t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		cur.WriteString(line + "\n")
		if strings.HasSuffix(strings.TrimSpace(line), ";") {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	return out
}

// q rewrites the ? placeholders of a query as PostgreSQL's $1, $2, ...
func (m *meta) q(query string) string {
	if !m.postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// tx runs fn in a serializable transaction, again when the database says it
// conflicted with another (PostgreSQL's 40001 and 40P01, SQLite's busy).
func (m *meta) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	ctx = m.uncancelled(ctx)
	opts := &sql.TxOptions{}
	if m.postgres {
		opts.Isolation = sql.LevelSerializable
	}
	m.writes.Add(1)
	var err error
	for attempt := 0; attempt < 20; attempt++ {
		var tx *sql.Tx
		if tx, err = m.db.BeginTx(ctx, opts); err != nil {
			if retryable(err) {
				continue
			}
			return err
		}
		if err = fn(tx); err == nil {
			err = tx.Commit()
		} else {
			_ = tx.Rollback()
		}
		if err == nil || !retryable(err) {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * time.Millisecond)
	}
	return err
}

// uncancelled is ctx for a SQLite statement: without the request's
// cancellation. The driver watches a context that can end with a goroutine
// of its own for each statement, woken again when the statement is done,
// which cost more than a statement of this server; its statements are
// short, and a request gone is not worth interrupting one. PostgreSQL's
// statements keep it: they wait on the network.
func (m *meta) uncancelled(ctx context.Context) context.Context {
	if m.postgres {
		return ctx
	}
	return context.WithoutCancel(ctx)
}

func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()&0xff == sqlite3.SQLITE_BUSY || se.Code()&0xff == sqlite3.SQLITE_LOCKED
	}
	return false
}

// stmt returns query prepared once (SQLite and PostgreSQL parse it once,
// not at every call), as PostgreSQL's placeholders on PostgreSQL.
func (m *meta) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := m.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := m.db.PrepareContext(ctx, m.q(query))
	if err != nil {
		return nil, err
	}
	if prev, loaded := m.stmts.LoadOrStore(query, st); loaded {
		_ = st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// prepared returns query prepared on q: the cached statement, bound to q when
// q is a transaction. A query not prepared yet is run as it is inside a
// transaction (preparing it on the pool could wait for the transaction's own
// connection, the only one of an in-memory database) and prepared for next
// time once a connection is free.
func (m *meta) prepared(ctx context.Context, q querier, query string) (*sql.Stmt, error) {
	tx, inTx := q.(*sql.Tx)
	if !inTx {
		return m.stmt(ctx, query)
	}
	if st, ok := m.stmts.Load(query); ok {
		return tx.StmtContext(ctx, st.(*sql.Stmt)), nil
	}
	// Not the request's context: the statement outlives the request.
	m.bg.Go(func() { _, _ = m.stmt(context.WithoutCancel(ctx), query) })
	return nil, nil
}

func (m *meta) exec(ctx context.Context, q querier, query string, args ...any) (sql.Result, error) {
	ctx = m.uncancelled(ctx)
	st, err := m.prepared(ctx, q, query)
	switch {
	case err != nil:
		return nil, err
	case st == nil:
		return q.ExecContext(ctx, m.q(query), args...)
	}
	return st.ExecContext(ctx, args...)
}

func (m *meta) query(ctx context.Context, q querier, query string, args ...any) (*sql.Rows, error) {
	ctx = m.uncancelled(ctx)
	st, err := m.prepared(ctx, q, query)
	switch {
	case err != nil:
		return nil, err
	case st == nil:
		return q.QueryContext(ctx, m.q(query), args...)
	}
	return st.QueryContext(ctx, args...)
}

// row is a *sql.Row or the error that kept the query from running.
type row struct {
	r   *sql.Row
	err error
}

func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.r.Scan(dest...)
}

func (m *meta) queryRow(ctx context.Context, q querier, query string, args ...any) row {
	ctx = m.uncancelled(ctx)
	st, err := m.prepared(ctx, q, query)
	switch {
	case err != nil:
		return row{err: err}
	case st == nil:
		return row{r: q.QueryRowContext(ctx, m.q(query), args...)}
	}
	return row{r: st.QueryRowContext(ctx, args...)}
}
