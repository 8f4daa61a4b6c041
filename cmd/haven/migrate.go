package main

import (
	"context"
	"fmt"
)

func init() {
	commands["migrate"] = command{"bring the database schema up to date", runMigrate}
}

func runMigrate(m *Main, ctx context.Context, args []string) error {
	fs := newFlagSet(m, "migrate", "migrate [--data DIR] [--db DSN]",
		"haven migrate --db postgres://haven@db.internal/haven")
	var sf storeFlags
	sf.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	db, err := m.openStore(ctx, &sf, false)
	if err != nil {
		return err
	}
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	cur, _, _ := db.SchemaStatus(ctx)
	fmt.Fprintf(m.Stdout, "applied %d migrations; %s schema at version %d\n", n, db.Engine(), cur)
	return nil
}
