package coserr_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestCoserr(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "coserr")
}
