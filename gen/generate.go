package gen

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config oapi-codegen.yaml ../spec/cos-v2.yaml
//go:generate go run ../internal/tools/opsgen -in ../spec/cos-v2.yaml -out ops.gen.go -ts ../clients/ts/src/gen/ops.gen.ts
