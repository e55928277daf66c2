package coserr

//go:generate go run ../../internal/tools/errgen -in ../../errcodes.yaml -out codes.gen.go -aliases ../../errors.gen.go -ts ../../clients/ts/src/gen/errors.gen.ts
