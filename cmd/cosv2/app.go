package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/gen/coserr"
	"github.com/cosv2/cosv2/uploader"
)

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// failedError ends a command that reported its failures already (one per
// file of a tree): exit status 1 and a summary.
type failedError struct{ summary string }

func (e *failedError) Error() string { return e.summary }

// interruptedError ends a command of many files that a signal stopped: what
// was done, and what finishes it when the same command would not.
type interruptedError struct {
	summary, resume string
	err             error
}

func (e *interruptedError) Error() string { return e.summary + ": " + e.err.Error() }

func (e *interruptedError) Unwrap() error { return e.err }

// contextError is an error a command says more about in words of its own
// ("docs/x has no unfinished upload"). describe puts those words before
// the line it prints of an API error, which would otherwise name only the
// request that failed.
type contextError struct {
	context string
	err     error
}

func (e *contextError) Error() string { return e.context + ": " + e.err.Error() }

func (e *contextError) Unwrap() error { return e.err }

// hints say what to do about an API error, by code.
var hints = map[int]string{
	cosv2.ErrFileExist.Code:        "add --overwrite to replace it",
	cosv2.ErrSignatureInvalid.Code: "check the secret key: --secret-key, COSV2_SECRET_KEY or the profile's (cosv2 config set NAME --secret-key ...)",
}

// run runs the command line and returns the exit status: 0 on success, 1
// on an API or transport error, 2 on a usage error, 130 when interrupted.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	if len(args) == 2 && args[1] == "-h" {
		// -h is ls's and du's human-readable; alone it can only mean help.
		args = []string{args[0], "--help"}
	}
	err := app.Run(ctx, args)
	if err == nil {
		return 0
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		v, human := map[string]any{"message": "interrupted"}, "interrupted: run the same command again to resume"
		var stopped *interruptedError
		if errors.As(err, &stopped) {
			advice := "run the same command again to resume"
			if stopped.resume != "" {
				advice = stopped.resume
			}
			v["done"], v["hint"] = stopped.summary, advice
			human = "interrupted: " + stopped.summary + "; " + advice
		}
		return report(app, stderr, 130, v, human)
	}
	code, v, human := describe(err)
	return report(app, stderr, code, v, human)
}

// report prints an error that ends the command, as JSON with --json, and
// returns the exit status.
func report(app *cli.Command, stderr io.Writer, code int, v map[string]any, human string) int {
	if app.Bool("json") {
		v["exit"] = code
		b, _ := json.Marshal(map[string]any{"error": v})
		fmt.Fprintln(stderr, string(b))
	} else {
		fmt.Fprintln(stderr, "cosv2: "+printable(human))
	}
	return code
}

// describe is what to say of err: the exit status it means, its fields for
// --json, and its line for people.
func describe(err error) (int, map[string]any, string) {
	var api *coserr.APIError
	var usage *usageError
	var failed *failedError
	switch {
	case errors.As(err, &failed):
		return 1, map[string]any{"message": failed.summary}, failed.summary
	case errors.As(err, &usage), errors.Is(err, cosv2.ErrBadPath), isFlagError(err):
		return 2, map[string]any{"message": clean(err)}, clean(err)
	case errors.As(err, new(*incompleteError)):
		return 1, map[string]any{"message": clean(err), "code": cosv2.ErrFileNotExist.Code}, clean(err)
	case errors.Is(err, uploader.ErrMismatch):
		// The whole chain: the code alone would hide what to do.
		return 1, map[string]any{"message": clean(err), "hint": uploader.MismatchAdvice}, clean(err)
	case errors.As(err, &api):
		human := fmt.Sprintf("%s %s: %d %s: %s", api.Op, api.Path, api.Code, goName(api), api.Meaning())
		message := api.Meaning()
		var said *contextError
		switch {
		case api.Op == "":
			// A sentinel wrapped by a message of its own: that message says more.
			human = clean(err)
		case errors.As(err, &said):
			human = said.context + ": " + human
			message = said.context + ": " + message
		}
		if api.Message != "" {
			human += fmt.Sprintf(" (server: %s)", api.Message)
		}
		v := map[string]any{"op": api.Op, "path": api.Path, "code": api.Code, "name": goName(api), "message": message, "server": api.Message}
		if h := hints[api.Code]; h != "" {
			human += "; " + h
			v["hint"] = h
		}
		return 1, v, human
	default:
		return 1, map[string]any{"message": clean(err)}, clean(err)
	}
}

// clean is err's text without the packages' own "cos: " and "uploader: "
// prefixes, which after "cosv2: " only repeat it.
func clean(err error) string {
	s := err.Error()
	for _, p := range []string{"cos: ", "uploader: "} {
		s = strings.TrimPrefix(s, p)
		s = strings.ReplaceAll(s, ": "+p, ": ")
	}
	return s
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
	app := &cli.Command{
		Name:                  "cosv2",
		Version:               version(),
		Usage:                 "Tencent Cloud COS JSON API (v2): files, directories, trees, sync, signatures, and a local server",
		Writer:                stdout,
		ErrWriter:             stderr,
		EnableShellCompletion: true,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "profile", Usage: "settings saved by cosv2 config set NAME (default: the profile named default, if any)", Sources: cli.EnvVars("COSV2_PROFILE")},
			&cli.StringFlag{Name: "endpoint", Usage: "API base URL; without a scheme, http:// for an IP address or localhost, https:// for a name (default https://<region>.file.myqcloud.com)", Sources: cli.EnvVars("COSV2_ENDPOINT")},
			&cli.StringFlag{Name: "region", Usage: "region of the bucket (default sh)", Sources: cli.EnvVars("COSV2_REGION")},
			&cli.StringFlag{Name: "appid", Usage: "project AppID", Sources: cli.EnvVars("COSV2_APPID")},
			&cli.StringFlag{Name: "bucket", Usage: "bucket name", Sources: cli.EnvVars("COSV2_BUCKET")},
			&cli.StringFlag{Name: "secret-id", Usage: "API SecretID", Sources: cli.EnvVars("COSV2_SECRET_ID")},
			&cli.StringFlag{Name: "secret-key", Usage: "API SecretKey", Sources: cli.EnvVars("COSV2_SECRET_KEY")},
			&cli.BoolFlag{Name: "json", Usage: "print machine-readable JSON (errors too, on stderr)"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q", "no-progress"}, Usage: "no progress bar, no notes"},
			&cli.BoolFlag{Name: "debug", Usage: "log each request (method, op, path, status, code, duration) on stderr; never secrets"},
			&cli.IntFlag{Name: "retries", Value: 4, Usage: "attempts per request, the first included"},
		},
		OnUsageError: func(_ context.Context, _ *cli.Command, err error, _ bool) error { return &usageError{err.Error()} },
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Args().Len() == 0 {
				return cli.ShowRootCommandHelp(cmd)
			}
			name := cmd.Args().First()
			if s := cli.SuggestCommand(cmd.Commands, name); s != "" && s != name {
				return usagef("unknown command %q: did you mean %q? (cosv2 --help lists them)", name, s)
			}
			return usagef("unknown command %q (cosv2 --help lists them)", name)
		},
		Commands: []*cli.Command{
			mkdirCmd(), lsCmd(), duCmd(), statCmd(), rmdirCmd(),
			putCmd(), getCmd(), catCmd(), updateCmd(), mvCmd(), cpCmd(), rmCmd(),
			syncCmd(), shareCmd(), signCmd(), configCmd(), serveCmd(),
		},
	}
	return app
}

// settings are the connection settings, from flags, the environment and
// the profile, in that order.
type settings struct {
	Endpoint  string `json:"endpoint,omitempty"`
	Region    string `json:"region,omitempty"`
	AppID     string `json:"appid,omitempty"`
	Bucket    string `json:"bucket,omitempty"`
	SecretID  string `json:"secret_id,omitempty"`
	SecretKey string `json:"secret_key,omitempty"`
}

func (s *settings) field(flag string) *string {
	switch flag {
	case "endpoint":
		return &s.Endpoint
	case "region":
		return &s.Region
	case "appid":
		return &s.AppID
	case "bucket":
		return &s.Bucket
	case "secret-id":
		return &s.SecretID
	case "secret-key":
		return &s.SecretKey
	}
	return nil
}

var settingFlags = []string{"endpoint", "region", "appid", "bucket", "secret-id", "secret-key"}

func envName(flag string) string {
	return "COSV2_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// resolve reads the settings: a flag or its variable wins over the profile.
func resolve(cmd *cli.Command) (settings, error) {
	var s settings
	name := cmd.String("profile")
	profiles, err := loadProfiles()
	if err != nil {
		return s, err
	}
	if p, ok := profiles.Profiles[name]; ok {
		s = p
	} else if name != "" {
		return s, usagef("no profile %q in %s (cosv2 config set %s --endpoint ... to make it)", name, configPath(), name)
	} else if p, ok := profiles.Profiles["default"]; ok {
		s = p
	}
	for _, f := range settingFlags {
		if cmd.IsSet(f) {
			*s.field(f) = cmd.String(f)
		}
	}
	if s.Region == "" {
		s.Region = "sh"
	}
	return s, nil
}

// client builds the API client from the settings; every missing one is
// named at once.
func client(cmd *cli.Command) (*cosv2.Client, error) {
	s, err := resolve(cmd)
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, f := range []string{"appid", "bucket", "secret-id", "secret-key"} {
		if *s.field(f) == "" {
			missing = append(missing, fmt.Sprintf("--%s (%s)", f, envName(f)))
		}
	}
	if len(missing) > 0 {
		return nil, usagef("missing %s: give them as flags, in the environment, or in a profile (cosv2 config set NAME --appid ... --bucket ... --secret-id ... --secret-key ...)",
			strings.Join(missing, ", "))
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ResponseHeaderTimeout = 2 * time.Minute
	tr.MaxIdleConnsPerHost = 64
	var rt http.RoundTripper = tr
	opts := []cosv2.Option{cosv2.WithRegion(s.Region),
		cosv2.WithRetry(cosv2.RetryPolicy{MaxAttempts: max(cmd.Int("retries"), 1), BaseDelay: 200 * time.Millisecond, MaxDelay: 5 * time.Second})}
	if cmd.Bool("debug") {
		log := slog.New(slog.NewTextHandler(cmd.Root().ErrWriter, &slog.HandlerOptions{Level: slog.LevelDebug}))
		rt = &logTransport{base: tr, log: log}
		opts = append(opts, cosv2.WithLogger(log))
	}
	opts = append(opts, cosv2.WithHTTPClient(&http.Client{Transport: rt}))
	if e := s.Endpoint; e != "" {
		opts = append(opts, cosv2.WithEndpoint(withScheme(e)))
	} else {
		// A note: with --json, stderr holds only JSON.
		note(cmd, "cosv2: no endpoint set (--endpoint, COSV2_ENDPOINT or a profile): using https://%s.file.myqcloud.com, region %s's", s.Region, s.Region)
	}
	return cosv2.New(s.AppID, s.Bucket, cosv2.Credentials{SecretID: s.SecretID, SecretKey: s.SecretKey}, opts...)
}

// withScheme completes host:port: http for loopback and IP addresses (a
// local server), https for names.
func withScheme(e string) string {
	if strings.Contains(e, "://") {
		return e
	}
	host, _, err := net.SplitHostPort(e)
	if err != nil {
		host = e
	}
	if host == "localhost" || net.ParseIP(host) != nil {
		return "http://" + e
	}
	return "https://" + e
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

// atLeast returns at least n positional arguments or a usage error.
func atLeast(cmd *cli.Command, n int, names string) ([]string, error) {
	if cmd.Args().Len() < n {
		return nil, usagef("%s takes %s", cmd.Name, names)
	}
	return cmd.Args().Slice(), nil
}

// note prints a line for people on stderr, unless --quiet or --json.
func note(cmd *cli.Command, format string, args ...any) {
	if cmd.Bool("quiet") || cmd.Bool("json") {
		return
	}
	fmt.Fprintln(cmd.Root().ErrWriter, printable(fmt.Sprintf(format, args...)))
}

// isTerminal reports whether w is a terminal.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && termIsTerminal(f)
}
