package server_test

import (
	"log/slog"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/server"
)

var _ = Describe("the byte store of a data directory or database", func() {
	// The README's S3 example once reused the data directory its disk
	// example had filled: the server started, and every file whose bytes
	// were on disk listed and statted but did not download.
	DescribeTable("is the one its first server had: another is refused at startup, and nothing changes",
		func(first, then func(dir string) server.Config, says string) {
			dir := GinkgoT().TempDir()
			s, err := server.New(first(dir))
			Expect(err).NotTo(HaveOccurred())
			Expect(s.Close()).To(Succeed())

			_, err = server.New(then(dir))
			Expect(err).To(MatchError(ContainSubstring(says)))

			s, err = server.New(first(dir))
			Expect(err).NotTo(HaveOccurred(), "the first store still opens it")
			Expect(s.Close()).To(Succeed())
		},
		Entry("disk, then S3", onDisk, onS3("blobs"), `its files' bytes are on disk, not in s3://`),
		Entry("S3, then disk", onS3("blobs"), onDisk, `its files' bytes are in s3://`),
		Entry("S3, then another S3 prefix", onS3("blobs"), onS3("other"), `/blobs, not in s3://`),
	)
})

func storeConfig(dir string) server.Config {
	return server.Config{AppID: appID, Buckets: []string{bucket}, SecretID: secretID, SecretKey: secretKey,
		DataDir: dir, Logger: slog.New(slog.NewTextHandler(GinkgoWriter, nil))}
}

func onDisk(dir string) server.Config { return storeConfig(dir) }

// onS3 keeps the bytes under prefix of the S3 bucket of dir.
func onS3(prefix string) func(dir string) server.Config {
	return func(dir string) server.Config {
		cfg, st := storeConfig(dir), s3For(dir)
		cfg.Blobs = strings.TrimSuffix(st.Blobs(), "/blobs") + "/" + prefix
		cfg.S3Endpoint, cfg.S3AccessKey, cfg.S3SecretKey, cfg.S3Region = st.Endpoint, st.AccessKey, st.SecretKey, st.Region
		return cfg
	}
}
