package uploader_test

import (
	"os"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestUploader(t *testing.T) {
	if url := os.Getenv(childEnv); url != "" {
		childUpload(url) // the process the crash test kills; never returns
	}
	RegisterFailHandler(Fail)
	RunSpecs(t, "uploader")
}
