package uploader_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/server"
	"github.com/cosv2/cosv2/uploader"
)

// childEnv names the server URL for the re-executed test binary, which then
// uploads crashSize bytes serially until it is killed.
const childEnv = "COSV2_UPLOADER_CRASH_CHILD"

const crashSize = int64(cosv2.MaxSimpleUpload + 24*slice)

func childUpload(url string) {
	c, err := cosv2.New("1", "b", cosv2.Credentials{SecretID: "id", SecretKey: "key"}, cosv2.WithEndpoint(url))
	if err != nil {
		os.Exit(3)
	}
	// Slow enough to be killed midway: one slice at a time, paced (this is the
	// process under test, not a test waiting for something).
	_, err = uploader.Upload(context.Background(), c, "crash.bin", bytes.NewReader(data(crashSize, 77)), crashSize,
		uploader.WithSliceSize(slice), uploader.WithConcurrency(1),
		uploader.WithProgress(func(uploader.Progress) { time.Sleep(20 * time.Millisecond) }))
	if err != nil {
		os.Exit(4)
	}
	os.Exit(0)
}

var _ = Describe("a killed upload", func() {
	It("is finished by another process, which sends only the missing slices", func() {
		srv := httptest.NewUnstartedServer(nil)
		s, err := server.New(server.Config{AppID: "1", Buckets: []string{"b"}, SecretID: "id", SecretKey: "key", Memory: true,
			BaseURL: "http://" + srv.Listener.Addr().String()})
		Expect(err).NotTo(HaveOccurred())
		srv.Config.Handler = s
		srv.Start()
		defer srv.Close()
		c, err := cosv2.New("1", "b", cosv2.Credentials{SecretID: "id", SecretKey: "key"}, cosv2.WithEndpoint(srv.URL))
		Expect(err).NotTo(HaveOccurred())

		child := exec.Command(os.Args[0], "-test.run", "^TestUploader$")
		child.Env = append(os.Environ(), childEnv+"="+srv.URL)
		Expect(child.Start()).To(Succeed())
		stored := func() int {
			l, err := c.SliceList(context.Background(), "crash.bin")
			if err != nil {
				return 0
			}
			return len(l.Parts)
		}
		Eventually(stored).WithTimeout(time.Minute).WithPolling(10 * time.Millisecond).Should(BeNumerically(">=", 5))
		Expect(child.Process.Signal(syscall.SIGKILL)).To(Succeed())
		_ = child.Wait()
		// A slice whose body had fully arrived may still be stored after the
		// kill: take the count once it has settled.
		var before int
		Eventually(func(g Gomega) {
			before = stored()
			g.Consistently(stored, 200*time.Millisecond, 20*time.Millisecond).Should(Equal(before))
		}).WithTimeout(10 * time.Second).Should(Succeed())
		total := (crashSize + slice - 1) / slice
		Expect(int64(before)).To(BeNumerically("<", total))

		w := &counting{Client: c}
		b := data(crashSize, 77)
		_, err = uploader.Upload(context.Background(), w, "crash.bin", bytes.NewReader(b), crashSize, uploader.WithSliceSize(slice))
		Expect(err).NotTo(HaveOccurred())
		Expect(w.sent.Load()).To(Equal(total - int64(before)))
		Expect(download(c, "crash.bin")).To(Equal(b))
	})
})
