package server_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The stores a test server runs on. start(dir) takes "" for the default store
// of the run (COSV2_TEST_STORE: memory, the default, disk or postgres), a
// directory for SQLite and files in it, or pgPrefix+directory for PostgreSQL
// and files in it; `make test` runs the suite once per store.
const pgPrefix = "postgres:"

// defaultStore is the dir argument "" stands for in this run.
func defaultStore() string {
	switch os.Getenv("COSV2_TEST_STORE") {
	case "", "memory":
		return ""
	case "disk":
		return GinkgoT().TempDir()
	case "postgres":
		return pgPrefix + GinkgoT().TempDir()
	}
	Fail("COSV2_TEST_STORE: want memory, disk or postgres, not " + os.Getenv("COSV2_TEST_STORE"))
	return ""
}

// storeEntries are the table entries of a behaviour that must hold on every store.
func storeEntries() []TableEntry {
	return []TableEntry{
		Entry("in memory", func() string { return "" }),
		Entry("on disk with SQLite", func() string { return GinkgoT().TempDir() }),
		Entry("on disk with PostgreSQL", func() string { return pgPrefix + GinkgoT().TempDir() }),
	}
}

var (
	pgOnce    sync.Once
	pgCluster string // the cluster's directory
	pgURL     string // its URL, with the default database
	pgErr     error
	pgDBs     sync.Map // data dir → its own database's URL, so a restart finds it
	pgN       atomic.Int32
)

// postgresFor returns the URL of a database of its own for the data dir dir,
// starting one PostgreSQL for the suite (scripts/postgres.sh) when first asked.
func postgresFor(dir string) string {
	if u, ok := pgDBs.Load(dir); ok {
		return u.(string)
	}
	pgOnce.Do(func() {
		pgCluster, pgErr = os.MkdirTemp("", "cosv2-pg-")
		if pgErr != nil {
			return
		}
		_ = os.Chmod(pgCluster, 0o755)
		out, err := exec.Command("../scripts/postgres.sh", "start", filepath.Join(pgCluster, "pg")).Output()
		if err != nil {
			pgErr = fmt.Errorf("starting PostgreSQL with scripts/postgres.sh (make tools installs it): %w: %s", err, errOut(err))
			return
		}
		pgURL = strings.TrimSpace(string(out))
	})
	Expect(pgErr).NotTo(HaveOccurred())
	name := fmt.Sprintf("t%d_%d", os.Getpid(), pgN.Add(1))
	db, err := sql.Open("pgx", pgURL)
	Expect(err).NotTo(HaveOccurred())
	defer db.Close()
	_, err = db.ExecContext(context.Background(), "CREATE DATABASE "+name)
	Expect(err).NotTo(HaveOccurred())
	u := strings.Replace(pgURL, "/cosv2?", "/"+name+"?", 1)
	pgDBs.Store(dir, u)
	return u
}

func errOut(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(ee.Stderr)
	}
	return ""
}

// stopPostgres stops the suite's PostgreSQL, if it started one.
func stopPostgres() {
	if pgURL != "" {
		_ = exec.Command("../scripts/postgres.sh", "stop", filepath.Join(pgCluster, "pg")).Run()
		_ = os.RemoveAll(pgCluster)
	}
}
