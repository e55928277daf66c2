package server_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"
)

func TestServer(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "server: the local COS v2 server")
}

var _ = AfterSuite(func() {
	gexec.CleanupBuildArtifacts()
	stopPostgres()
})
