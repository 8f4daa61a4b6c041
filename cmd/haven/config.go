package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/haven-care/haven"
)

// newFlagSet returns a FlagSet for a subcommand whose -h prints usage and
// an example; the FlagSet itself prints nothing, so that a bad flag is
// reported as one line.
func newFlagSet(m *Main, name, usage, example string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		w := m.Stdout
		fmt.Fprintf(w, "Usage: haven %s\n\n", usage)
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
		fmt.Fprintf(w, "\nExample:\n  %s\n", example)
	}
	fs.String("config", "", "JSON config file of flag values (env HAVEN_CONFIG)")
	return fs
}

// parseFlags parses args into fs, then fills each flag not given on the
// command line from its HAVEN_* environment variable, then from the config
// file, leaving the default otherwise: flags > environment > file > defaults.
func parseFlags(fs *flag.FlagSet, args []string) error {
	usage := fs.Usage
	fs.Usage = func() {} // the flag package calls it on any error; print it only for -h
	err := fs.Parse(args)
	fs.Usage = usage
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.Usage()
			return err
		}
		return usageError{fmt.Sprintf("%s: %v (see haven %s -h)", fs.Name(), err, fs.Name())}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q (see haven %s -h)", fs.Name(), fs.Arg(0), fs.Name())}
	}
	return settle(fs)
}

func settle(fs *flag.FlagSet) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if !given["config"] {
		if v := os.Getenv("HAVEN_CONFIG"); v != "" {
			fs.Set("config", v)
		}
	}
	file, err := readConfigFile(fs.Lookup("config").Value.String())
	if err != nil {
		return err
	}
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || f.Name == "config" {
			return
		}
		env := "HAVEN_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok {
			if err := f.Value.Set(v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %v", env, err))
			}
		} else if v, ok := file[f.Name]; ok {
			if err := f.Value.Set(v); err != nil {
				errs = append(errs, fmt.Errorf("config file key %q: %v", f.Name, err))
			}
		}
	})
	if len(errs) > 0 {
		return haven.Errorf(haven.Invalid, "%v", errs[0])
	}
	return nil
}

// readConfigFile reads a JSON object of flag names to values. A key that
// no subcommand knows is an error, so typos do not pass silently.
func readConfigFile(path string) (map[string]string, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, haven.Errorf(haven.Invalid, "cannot read config file %s: %v", path, errors.Unwrap(err))
	}
	return parseConfig(b, path)
}

// parseConfig reads config file text b (from path, named in errors): a
// JSON object of flag names to values.
func parseConfig(b []byte, path string) (map[string]string, error) {
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, haven.Errorf(haven.Invalid, "config file %s is not a JSON object: %v", path, err)
	} else if raw == nil {
		return nil, haven.Errorf(haven.Invalid, "config file %s is not a JSON object: null", path)
	}
	out := map[string]string{}
	var unknown []string
	for k, v := range raw {
		if !slices.Contains(allFlagNames, k) {
			unknown = append(unknown, k)
			continue
		}
		out[k] = fmt.Sprint(v)
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, haven.Errorf(haven.Invalid, "config file %s: unknown key %q", path, unknown[0])
	}
	return out, nil
}

// allFlagNames lists the flags of every subcommand, the keys a config file
// may hold; one file can serve several commands. A test checks that every
// subcommand's flags are listed.
var allFlagNames = []string{"addr", "metrics-addr", "tls-proxy", "data", "db", "keys-db", "demo", "log-format", "log-level", "master-key-file", "audit-checkpoint-every", "audit-witness", "trusted-proxies", "time-zone", "due-soon-days", "stale-contact-days",
	"referral-reminder-after", "public-url", "directory-snapshot", "clinic-locations",
	"username", "role", "display-name", "organization"}

// storeFlags are the flags of every subcommand that touches the store.
type storeFlags struct {
	data          string
	db            string
	keysDB        string
	masterKeyFile string
}

func (sf *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&sf.data, "data", "haven-data", "data directory: the SQLite database and key files (created 0700)")
	fs.StringVar(&sf.db, "db", "", "database: sqlite:PATH or a postgres:// URL (default sqlite:DATA/haven.db)")
	fs.StringVar(&sf.keysDB, "keys-db", "", "key store of survivors' wrapped data keys, kept apart from the data so that\n"+
		"backups of the data hold no key (default sqlite:DATA/keys.db; with PostgreSQL, the --db URL)")
	fs.StringVar(&sf.masterKeyFile, "master-key-file", "", "master key file (default DATA/master.key; or env HAVEN_MASTER_KEY)")
}

// dsn returns the database to open, defaulting to SQLite under the data dir.
func (sf *storeFlags) dsn() string {
	if sf.db != "" {
		return sf.db
	}
	return "sqlite:" + filepath.Join(sf.data, "haven.db")
}

// keysDSN returns the key store to open.
func (sf *storeFlags) keysDSN() string {
	switch {
	case sf.keysDB != "":
		return sf.keysDB
	case strings.HasPrefix(sf.dsn(), "sqlite:"):
		return "sqlite:" + filepath.Join(sf.data, "keys.db")
	}
	return sf.dsn()
}

// ensureDataDir creates the data directory owner-only, and refuses one that
// others can read.
func (sf *storeFlags) ensureDataDir() error {
	if err := os.MkdirAll(sf.data, 0o700); err != nil {
		return haven.Errorf(haven.Invalid, "cannot create data directory %s: %v", sf.data, errors.Unwrap(err))
	}
	fi, err := os.Stat(sf.data)
	if err != nil {
		return haven.Errorf(haven.Invalid, "cannot read data directory %s: %v", sf.data, errors.Unwrap(err))
	}
	if !fi.IsDir() {
		return haven.Errorf(haven.Invalid, "data directory %s is not a directory", sf.data)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return haven.Errorf(haven.Invalid, "data directory %s is readable by others (mode %v): run chmod 700 %s", sf.data, fi.Mode().Perm(), sf.data)
	}
	return nil
}
