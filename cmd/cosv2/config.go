package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/urfave/cli/v3"
)

// profiles is the config file: named settings, like mc's aliases or aws's
// profiles. It holds secret keys, so it is written 0600 in a 0700 directory.
type profiles struct {
	Profiles map[string]settings `json:"profiles"`
}

// configPath is the config file in the user's config directory
// ($XDG_CONFIG_HOME/cosv2/config.json on Linux).
func configPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = "."
	}
	return filepath.Join(dir, "cosv2", "config.json")
}

func loadProfiles() (profiles, error) {
	p := profiles{Profiles: map[string]settings{}}
	raw, err := os.ReadFile(configPath())
	if errors.Is(err, fs.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return p, fmt.Errorf("%s: %w", configPath(), err)
	}
	if p.Profiles == nil {
		p.Profiles = map[string]settings{}
	}
	return p, nil
}

func (p profiles) save() error {
	path := configPath()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	raw, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(raw, '\n'), 0o600); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func configCmd() *cli.Command {
	return &cli.Command{Name: "config", Usage: "save and show named settings (profiles)",
		Commands: []*cli.Command{
			{Name: "set", Usage: "save the settings given as flags (or in the environment) as profile NAME", ArgsUsage: "NAME",
				Description: "cosv2 config set local --endpoint 127.0.0.1:8089 --appid 1250000000 --bucket photos --secret-id ID --secret-key KEY\n" +
					"then: cosv2 --profile local ls /   (or COSV2_PROFILE=local); flags and COSV2_* variables still override it",
				Action: func(_ context.Context, cmd *cli.Command) error {
					a, err := args(cmd, 1, "NAME")
					if err != nil {
						return err
					}
					p, err := loadProfiles()
					if err != nil {
						return err
					}
					s := p.Profiles[a[0]]
					for _, f := range settingFlags {
						if cmd.IsSet(f) {
							*s.field(f) = cmd.String(f)
						}
					}
					p.Profiles[a[0]] = s
					if err := p.save(); err != nil {
						return err
					}
					return emit(cmd, map[string]string{"profile": a[0], "file": configPath()}, "saved profile "+a[0]+" in "+configPath())
				}},
			{Name: "show", Usage: "print the profiles (secret keys hidden)", ArgsUsage: "[NAME]",
				Action: func(_ context.Context, cmd *cli.Command) error {
					p, err := loadProfiles()
					if err != nil {
						return err
					}
					names := make([]string, 0, len(p.Profiles))
					for n := range p.Profiles {
						if cmd.Args().Len() == 0 || n == cmd.Args().First() {
							names = append(names, n)
						}
					}
					if cmd.Args().Len() > 0 && len(names) == 0 {
						return usagef("no profile %q in %s", cmd.Args().First(), configPath())
					}
					sort.Strings(names)
					out := map[string]settings{}
					var human strings.Builder
					for _, n := range names {
						s := p.Profiles[n]
						if s.SecretKey != "" {
							s.SecretKey = "****"
						}
						out[n] = s
						fmt.Fprintf(&human, "%s: endpoint=%s region=%s appid=%s bucket=%s secret-id=%s secret-key=%s\n",
							n, s.Endpoint, s.Region, s.AppID, s.Bucket, s.SecretID, s.SecretKey)
					}
					return emit(cmd, out, strings.TrimSuffix(human.String(), "\n"))
				}},
		}}
}
