package main

import (
	"encoding/json"
	"fmt"

	"github.com/urfave/cli/v3"
)

// emit prints v as JSON with --json, else the human text.
func emit(cmd *cli.Command, v any, human string) error {
	w := cmd.Root().Writer
	if cmd.Bool("json") {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	if human != "" {
		_, err := fmt.Fprintln(w, human)
		return err
	}
	return nil
}
