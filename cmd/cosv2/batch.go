package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/urfave/cli/v3"
)

// batch runs the files of a command that takes many, at most --jobs at
// once (so memory stays within jobs × one file's buffers whatever the
// count); a file that fails is reported and the rest go on. done ends it:
// exit 1 with a summary when any failed.
type batch struct {
	cmd      *cli.Command
	verb     string
	slots    chan struct{}
	wg       sync.WaitGroup
	ok, fail atomic.Int64
	same     atomic.Int64
	bytes    atomic.Int64
	mu       sync.Mutex
	// resume says what finishes the batch after an interrupt, when the
	// same command again would not: a tree copied into a
	// directory the command made goes under its own name the next time.
	resume string
}

func newBatch(cmd *cli.Command, verb string) *batch {
	return &batch{cmd: cmd, verb: verb, slots: make(chan struct{}, max(cmd.Int("jobs"), 1))}
}

// goFile runs f for one file (what names it in messages), waiting for a
// slot first: the producer slows down to the workers' pace.
func (b *batch) goFile(ctx context.Context, what string, f func() (int64, error)) {
	select {
	case b.slots <- struct{}{}:
	case <-ctx.Done():
		return
	}
	b.wg.Add(1)
	go func() {
		defer func() { <-b.slots; b.wg.Done() }()
		n, err := f()
		b.result(what, n, err)
	}()
}

// unchanged is what a file's function returns for a file it left alone
// (sync found it the same on both sides).
const unchanged = -1

// result counts one file done now (or failed, or unchanged).
func (b *batch) result(what string, n int64, err error) {
	if err != nil {
		b.fail.Add(1)
		msg := printable(fmt.Sprintf("cosv2: %s %s: %s", b.verb, what, clean(err)))
		if b.cmd.Bool("json") {
			// With --json stderr holds only JSON: one object a failed file.
			_, v, _ := describe(err)
			v["file"], v["command"] = what, b.verb
			raw, _ := json.Marshal(map[string]any{"error": v})
			msg = string(raw)
		}
		b.mu.Lock()
		fmt.Fprintln(b.cmd.Root().ErrWriter, msg)
		b.mu.Unlock()
		return
	}
	if n == unchanged {
		b.same.Add(1)
		return
	}
	b.ok.Add(1)
	b.bytes.Add(n)
}

// failed counts a failure outside a worker (a listing, a mkdir).
func (b *batch) failed(what string, err error) { b.result(what, 0, err) }

// done waits for the files in flight and returns the command's error.
func (b *batch) done(ctx context.Context) error {
	b.wg.Wait()
	summary := fmt.Sprintf("%s: %s (%s)", b.verb, count(int(b.ok.Load()), "file"), humanSize(b.bytes.Load()))
	if s := b.same.Load(); s > 0 {
		summary += fmt.Sprintf(", %d unchanged", s)
	}
	if err := ctx.Err(); err != nil {
		return &interruptedError{summary: summary + " done", resume: b.resume, err: err}
	}
	if f := b.fail.Load(); f > 0 {
		return &failedError{summary: fmt.Sprintf("%s, %d failed", summary, f)}
	}
	note(b.cmd, "%s", summary)
	return nil
}

// resumeWith sets the command that finishes the batch after an interrupt,
// because the same command would now copy into nested, a new directory:
// cosv2, args, and the filters the batch runs with.
func (b *batch) resumeWith(nested string, args ...string) {
	for _, f := range []string{"include", "exclude"} {
		for _, p := range b.cmd.StringSlice(f) {
			args = append(args, "--"+f, p)
		}
	}
	for i, a := range args {
		args[i] = shellQuote(a)
	}
	b.resume = "run `cosv2 " + strings.Join(args, " ") + "` to finish: the same command would now copy into " + nested
}

// shellQuote is s as one word of a POSIX shell.
func shellQuote(s string) string {
	plain := func(r rune) bool {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@%+,", r)
	}
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool { return !plain(r) }) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
