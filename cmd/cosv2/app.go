package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/gen/coserr"
)

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// run runs the command line and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	err := app.Run(ctx, args)
	if err == nil {
		return 0
	}
	var api *coserr.APIError
	var usage *usageError
	switch {
	case errors.As(err, &usage), errors.Is(err, cosv2.ErrBadPath), isFlagError(err):
		fmt.Fprintln(stderr, "cosv2:", err)
		return 2
	case errors.As(err, &api):
		fmt.Fprintf(stderr, "cosv2: %s %s: %d %s: %s", api.Op, api.Path, api.Code, goName(api), api.Meaning())
		if api.Message != "" {
			fmt.Fprintf(stderr, " (server: %s)", api.Message)
		}
		fmt.Fprintln(stderr)
		return 1
	default:
		fmt.Fprintln(stderr, "cosv2:", err)
		return 1
	}
}

// goName is the name of the code's sentinel (ErrFileExist), or the
// document's name for a code without one.
func goName(api *coserr.APIError) string {
	for _, e := range coserr.Table() {
		if e.Code == api.Code && e.Name == api.Name && e.Go != "" {
			return e.Go
		}
	}
	return api.Name
}

func isFlagError(err error) bool {
	s := err.Error()
	return strings.Contains(s, "flag provided but not defined") || strings.Contains(s, "invalid value") ||
		strings.Contains(s, "No help topic") || strings.Contains(s, "Required flag")
}

func newApp(stdout, stderr io.Writer) *cli.Command {
	return &cli.Command{
		Name:      "cosv2",
		Version:   version(),
		Usage:     "Tencent Cloud COS JSON API (v2): files, directories, signatures, and a local server",
		Writer:    stdout,
		ErrWriter: stderr,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "endpoint", Usage: "API base URL (default https://<region>.file.myqcloud.com)", Sources: cli.EnvVars("COSV2_ENDPOINT")},
			&cli.StringFlag{Name: "region", Value: "sh", Usage: "region of the bucket", Sources: cli.EnvVars("COSV2_REGION")},
			&cli.StringFlag{Name: "appid", Usage: "project AppID", Sources: cli.EnvVars("COSV2_APPID")},
			&cli.StringFlag{Name: "bucket", Usage: "bucket name", Sources: cli.EnvVars("COSV2_BUCKET")},
			&cli.StringFlag{Name: "secret-id", Usage: "API SecretID", Sources: cli.EnvVars("COSV2_SECRET_ID")},
			&cli.StringFlag{Name: "secret-key", Usage: "API SecretKey", Sources: cli.EnvVars("COSV2_SECRET_KEY")},
			&cli.BoolFlag{Name: "json", Usage: "print machine-readable JSON"},
			&cli.IntFlag{Name: "retries", Value: 4, Usage: "attempts per request, the first included"},
		},
		OnUsageError: func(_ context.Context, _ *cli.Command, err error, _ bool) error { return &usageError{err.Error()} },
		Commands: []*cli.Command{
			mkdirCmd(), lsCmd(), statCmd(), rmdirCmd(),
			putCmd(), getCmd(), updateCmd(), mvCmd(), cpCmd(), rmCmd(),
			signCmd(), serveCmd(),
		},
	}
}

// client builds the API client from the global flags.
func client(cmd *cli.Command) (*cosv2.Client, error) {
	for _, f := range []string{"appid", "bucket", "secret-id", "secret-key"} {
		if cmd.String(f) == "" {
			return nil, usagef("--%s (or COSV2_%s) is required", f, strings.ToUpper(strings.ReplaceAll(f, "-", "_")))
		}
	}
	opts := []cosv2.Option{cosv2.WithRegion(cmd.String("region")),
		cosv2.WithRetry(cosv2.RetryPolicy{MaxAttempts: max(cmd.Int("retries"), 1), BaseDelay: 200 * time.Millisecond, MaxDelay: 5 * time.Second})}
	if e := cmd.String("endpoint"); e != "" {
		opts = append(opts, cosv2.WithEndpoint(e))
	}
	return cosv2.New(cmd.String("appid"), cmd.String("bucket"), cosv2.Credentials{SecretID: cmd.String("secret-id"), SecretKey: cmd.String("secret-key")}, opts...)
}

// withClient is the Action of a command that takes exactly n positional
// arguments (described by names) and calls the API.
func withClient(n int, names string, f func(ctx context.Context, cmd *cli.Command, c *cosv2.Client, a []string) error) cli.ActionFunc {
	return func(ctx context.Context, cmd *cli.Command) error {
		a, err := args(cmd, n, names)
		if err != nil {
			return err
		}
		c, err := client(cmd)
		if err != nil {
			return err
		}
		return f(ctx, cmd, c, a)
	}
}

// args returns exactly n positional arguments or a usage error.
func args(cmd *cli.Command, n int, names string) ([]string, error) {
	if cmd.Args().Len() != n {
		return nil, usagef("%s takes %s", cmd.Name, names)
	}
	return cmd.Args().Slice(), nil
}
