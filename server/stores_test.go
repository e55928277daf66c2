package server_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The stores a test server runs on. start(dir) takes "" for the default store
// of the run (COSV2_TEST_STORE: memory, the default, disk, postgres, or s3:
// the bytes in S3 and the metadata in PostgreSQL, as servers sharing a bucket keep them), a
// directory for SQLite and files in it, or pgPrefix+directory for PostgreSQL
// and files in it; s3Prefix before either keeps the bytes in a bucket of its
// own of the suite's S3 store instead (versitygw, scripts/s3.sh). `make test`
// runs the suite once per store.
const (
	pgPrefix = "postgres:"
	s3Prefix = "s3:"
)

// defaultStore is the dir argument "" stands for in this run.
func defaultStore() string {
	switch os.Getenv("COSV2_TEST_STORE") {
	case "", "memory":
		return ""
	case "disk":
		return GinkgoT().TempDir()
	case "postgres":
		return pgPrefix + GinkgoT().TempDir()
	case "s3":
		return s3Prefix + pgPrefix + GinkgoT().TempDir()
	}
	Fail("COSV2_TEST_STORE: want memory, disk, postgres or s3, not " + os.Getenv("COSV2_TEST_STORE"))
	return ""
}

// storeEntries are the table entries of a behaviour that must hold on every store.
func storeEntries() []TableEntry {
	return []TableEntry{
		Entry("in memory", func() string { return "" }),
		Entry("on disk with SQLite", func() string { return GinkgoT().TempDir() }),
		Entry("on disk with PostgreSQL", func() string { return pgPrefix + GinkgoT().TempDir() }),
		Entry("on S3 with SQLite", func() string { return s3Prefix + GinkgoT().TempDir() }),
		Entry("on S3 with PostgreSQL", func() string { return s3Prefix + pgPrefix + GinkgoT().TempDir() }),
	}
}

// dataDir is the directory of a start argument.
func dataDir(dir string) string {
	return strings.TrimPrefix(strings.TrimPrefix(dir, s3Prefix), pgPrefix)
}

// persistentEntries are storeEntries less memory: stores that outlive a server.
func persistentEntries() []TableEntry { return storeEntries()[1:] }

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

var (
	s3Once    sync.Once
	s3Dir     string // the store's directory
	s3Started s3Store
	s3Client  *minio.Client
	s3Err     error
	s3Buckets sync.Map // data dir → its bucket, so a restart finds it
	s3N       atomic.Int32
)

// s3Store is where a test server keeps its bytes in S3.
type s3Store struct {
	Endpoint, AccessKey, SecretKey, Region, Bucket string
}

// Blobs is its --blobs URL: under a prefix, so the layout's prefix is tested.
func (s s3Store) Blobs() string { return "s3://" + s.Bucket + "/blobs" }

// startS3 starts an S3 store in dir with scripts/s3.sh and returns where it
// is (no bucket yet) and a client of it.
func startS3(dir string) (s3Store, *minio.Client, error) {
	out, err := exec.Command("../scripts/s3.sh", "start", dir).Output()
	if err != nil {
		return s3Store{}, nil, fmt.Errorf("starting versitygw with scripts/s3.sh (make tools installs it): %w: %s", err, errOut(err))
	}
	env := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		k, v, _ := strings.Cut(strings.TrimPrefix(l, "export "), "=")
		env[k] = v
	}
	st := s3Store{Endpoint: env["AWS_ENDPOINT_URL"], AccessKey: env["AWS_ACCESS_KEY_ID"], SecretKey: env["AWS_SECRET_ACCESS_KEY"], Region: env["AWS_REGION"]}
	u, err := url.Parse(st.Endpoint)
	if err != nil {
		return st, nil, err
	}
	c, err := minio.New(u.Host, &minio.Options{Region: st.Region, Creds: credentials.NewStaticV4(st.AccessKey, st.SecretKey, "")})
	return st, c, err
}

// stopS3At stops the S3 store startS3 started in dir.
func stopS3At(dir string) { _ = exec.Command("../scripts/s3.sh", "stop", dir).Run() }

// s3For returns a bucket of its own for the data dir dir, starting one S3
// store for the suite when first asked.
func s3For(dir string) s3Store {
	s3Once.Do(func() {
		if s3Dir, s3Err = os.MkdirTemp("", "cosv2-s3-"); s3Err != nil {
			return
		}
		s3Started, s3Client, s3Err = startS3(s3Dir)
	})
	Expect(s3Err).NotTo(HaveOccurred())
	st := s3Started
	if b, ok := s3Buckets.Load(dir); ok {
		st.Bucket = b.(string)
		return st
	}
	st.Bucket = fmt.Sprintf("t%d-%d", os.Getpid(), s3N.Add(1))
	Expect(s3Client.MakeBucket(context.Background(), st.Bucket, minio.MakeBucketOptions{})).To(Succeed())
	s3Buckets.Store(dir, st.Bucket)
	return st
}

// s3Objects lists the objects the server of data dir dir keeps in S3.
func s3Objects(dir string) []string {
	st := s3For(dir)
	var out []string
	for o := range s3Client.ListObjects(context.Background(), st.Bucket, minio.ListObjectsOptions{Recursive: true}) {
		Expect(o.Err).NotTo(HaveOccurred())
		out = append(out, o.Key)
	}
	return out
}

// stopS3 stops the suite's S3 store, if it started one.
func stopS3() {
	if s3Dir != "" {
		stopS3At(s3Dir)
		_ = os.RemoveAll(s3Dir)
	}
}
