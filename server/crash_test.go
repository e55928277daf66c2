package server_test

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/uploader"
)

// content is what the upload of key i writes: each key has one content, so a
// stored object is either exactly it or torn.
func content(i int) []byte {
	n := 1000 + i*7919%200000
	if i%10 == 0 {
		n = cosv2.MaxSimpleUpload + 600000 + i // a slice upload
	}
	return bytes.Repeat([]byte(fmt.Sprintf("%07d|", i)), n/8+1)[:n]
}

var _ = Describe("a crash", func() {
	DescribeTable("leaves no torn object: after kill -9 and a restart every acknowledged upload reads back byte-exact", func(onS3 bool) {
		bin := cosv2Binary()
		data := filepath.Join(GinkgoT().TempDir(), "data")
		args := []string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--appid", appID, "--bucket", bucket,
			"--secret-id", secretID, "--secret-key", secretKey}
		if onS3 {
			st := s3For(data)
			args = append(args, "--blobs", st.Blobs(), "--s3-endpoint", st.Endpoint, "--s3-access-key", st.AccessKey,
				"--s3-secret-key", st.SecretKey, "--s3-region", st.Region)
		}
		serve := func() (*gexec.Session, string) {
			cmd := exec.Command(bin, args...)
			s, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
			Expect(err).NotTo(HaveOccurred())
			Eventually(s.Out).WithTimeout(30 * time.Second).Should(gbytes.Say(`listening on `))
			return s, strings.TrimSpace(strings.TrimPrefix(string(s.Out.Contents()), "listening on "))
		}
		client := singleShotClient

		s, url := serve()
		c := client(url)
		const n = 60
		var (
			mu    sync.Mutex
			acked = map[int]bool{}
			wg    sync.WaitGroup
		)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		work := make(chan int)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range work {
					b := content(i)
					_, err := uploader.Upload(ctx, c, fmt.Sprintf("/k%03d", i), bytes.NewReader(b), int64(len(b)), uploader.WithConcurrency(2))
					if err == nil {
						mu.Lock()
						acked[i] = true
						mu.Unlock()
					}
				}
			}()
		}
		go func() {
			defer close(work)
			for i := range n {
				select {
				case work <- i:
				case <-ctx.Done():
					return
				}
			}
		}()
		Eventually(func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }).WithTimeout(2 * time.Minute).Should(BeNumerically(">=", 15))
		Expect(s.Command.Process.Signal(syscall.SIGKILL)).To(Succeed())
		Eventually(s).Should(gexec.Exit())
		cancel()
		wg.Wait()

		s, url = serve()
		defer func() { s.Terminate(); Eventually(s).WithTimeout(20 * time.Second).Should(gexec.Exit(0)) }()
		c = client(url)
		present := 0
		for i := range n {
			var got bytes.Buffer
			_, err := c.Download(context.Background(), fmt.Sprintf("/k%03d", i), &got)
			mu.Lock()
			wasAcked := acked[i]
			mu.Unlock()
			if err != nil {
				Expect(err).To(MatchError(cosv2.ErrFileNotExist), "k%03d", i)
				Expect(wasAcked).To(BeFalse(), "acknowledged k%03d is gone", i)
				continue
			}
			present++
			Expect(bytes.Equal(got.Bytes(), content(i))).To(BeTrue(), "k%03d is torn", i)
		}
		Expect(present).To(BeNumerically(">=", 15))
	},
		Entry("on disk", false),
		Entry("on S3 (cosv2 serve --blobs)", true),
	)
})
