package coserr

//go:generate go run ../../internal/tools/errgen -in ../../errcodes.yaml -out codes.gen.go -aliases ../../errors.gen.go
