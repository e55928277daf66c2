package main

import (
	"encoding/json"
	"fmt"
	"strings"

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

// line prints one result of many: a JSON object a line with --json, else the
// human text; nothing with --quiet.
func line(cmd *cli.Command, v any, human string) {
	if cmd.Bool("quiet") {
		return
	}
	w := cmd.Root().Writer
	if cmd.Bool("json") {
		b, _ := json.Marshal(v)
		fmt.Fprintln(w, string(b))
		return
	}
	fmt.Fprintln(w, human)
}

// humanSize is n in B, KiB, MiB, ... with one decimal.
func humanSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// count is "1 file", "2 files", "1 directory", "0 directories".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(noun, "y"))
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
