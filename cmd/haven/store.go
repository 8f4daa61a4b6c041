package main

import (
	"context"
	"log/slog"
	"strings"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/sqlstore"
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

// openStore opens the store, refusing a schema newer than this binary, and
// migrates it when migrate is true.
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
	if migrate {
		if _, err := db.Migrate(ctx); err != nil {
			return nil, err
		}
	}
	return db, nil
}
