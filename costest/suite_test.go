package costest_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestCostest(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "costest: an in-process server for users' tests")
}
