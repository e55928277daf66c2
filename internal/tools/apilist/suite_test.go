package main

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestAPIList(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "apilist: the record of the exported API")
}
