package main

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/sqlstore"
	"github.com/haven-care/haven/internal/vault"
)

// logFlags choose the log format and level.
type logFlags struct {
	format string
	level  string
}

func (lf *logFlags) register(fs interface {
	StringVar(*string, string, string, string)
}) {
	fs.StringVar(&lf.format, "log-format", "text", "log format: text or json")
	fs.StringVar(&lf.level, "log-level", "info", "log level: debug, info, warn or error")
}

// logger returns the configured structured logger on stderr.
func (lf *logFlags) logger(m *Main) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(lf.level)); err != nil {
		return nil, haven.Errorf(haven.Invalid, "--log-level must be debug, info, warn or error, not %q", lf.level)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(lf.format) {
	case "text":
		return slog.New(slog.NewTextHandler(m.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(m.Stderr, opts)), nil
	}
	return nil, haven.Errorf(haven.Invalid, "--log-format must be text or json, not %q", lf.format)
}

// openStore opens the store with its keys, refusing a schema newer than
// this binary, and migrates it when migrate is true. A master key is
// created only for a new, empty database: a missing key for existing data
// is an error, never silently replaced.
func (m *Main) openStore(ctx context.Context, sf *storeFlags, migrate bool) (*sqlstore.DB, error) {
	if err := sf.ensureDataDir(); err != nil {
		return nil, err
	}
	db, err := sqlstore.Open(ctx, sf.dsn())
	if err != nil {
		return nil, err
	}
	m.onClose(db.Close)
	if err := db.CheckSchema(ctx); err != nil {
		return nil, err
	}
	current, _, err := db.SchemaStatus(ctx)
	if err != nil {
		return nil, err
	}
	keys, err := sf.keyring(current == 0)
	if err != nil {
		return nil, err
	}
	db.Secrets, db.Keys = keys, keys
	// After haven keys rotate elsewhere, the store loads the key file
	// again rather than wrap under the retired key (see sqlstore/keyreload.go).
	db.KeyLoader = func() (*vault.Keyring, error) { return sf.keyring(false) }
	if err := db.OpenKeyStore(ctx, sf.keysDSN()); err != nil {
		return nil, err
	}
	if migrate {
		if _, err := db.Migrate(ctx); err != nil {
			return nil, err
		}
	}
	return db, nil
}

// keyring loads the master key: from HAVEN_MASTER_KEY (base64) if set, else
// from --master-key-file (default DATA/master.key). When create is true and
// neither exists, a new key file is made in the data directory; commands
// that only read never create one.
func (sf *storeFlags) keyring(create bool) (*vault.Keyring, error) {
	key, err := sf.rawKey()
	path := filepath.Join(sf.data, "master.key")
	if err != nil && create && sf.masterKeyFile == "" && os.Getenv("HAVEN_MASTER_KEY") == "" {
		if _, statErr := os.Stat(path); errors.Is(statErr, fs.ErrNotExist) {
			key, err = vault.CreateKeyFile(path)
		}
	}
	if err != nil {
		return nil, err
	}
	return vault.NewKeyring(key)
}
