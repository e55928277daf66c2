package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"

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
		_, err := fmt.Fprintln(w, printable(human))
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
	fmt.Fprintln(w, printable(human))
}

// printable is human text for a terminal: control characters other than
// newline and tab are written as Go escapes (\x1b, \u009b). The text holds
// what a server sent (names, attributes, its error messages), and a
// terminal runs the escape sequences it is given.
func printable(s string) string {
	if !strings.ContainsFunc(s, unsafeRune) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unsafeRune(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func unsafeRune(r rune) bool { return r != '\n' && r != '\t' && unicode.IsControl(r) }

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
