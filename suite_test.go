package cosv2_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestCosv2(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "cosv2: the client facade")
}
