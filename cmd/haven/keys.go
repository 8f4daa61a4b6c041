package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/vault"
)

func init() {
	commands["keys"] = command{"manage encryption keys (keys rotate)", runKeys}
}

func runKeys(m *Main, ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "rotate" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(m.Stdout, "Usage: haven keys rotate [--data DIR] [--new-master-key-file PATH]\n\nExample:\n  haven keys rotate")
			return nil
		}
		return usageError{"keys: expected \"haven keys rotate\" (see haven keys rotate -h)"}
	}
	return runKeysRotate(m, ctx, args[1:])
}

// runKeysRotate makes a new master key, re-wraps every data key, the
// blind-index key and every TOTP seed under it, and only then puts the new
// key in place. No survivor data is re-encrypted.
func runKeysRotate(m *Main, ctx context.Context, args []string) error {
	fs := newFlagSet(m, "keys rotate", "keys rotate [--data DIR] [--db DSN] [--new-master-key-file PATH]\n\n"+
		"With the default key file, the new key replaces DATA/master.key and the old one is kept as\n"+
		"DATA/master.key.retired-ID (move it offline: backups made before the rotation need it).\n"+
		"With HAVEN_MASTER_KEY or --master-key-file, --new-master-key-file names where the new key is written;\n"+
		"then point every instance at it.\n\n"+
		"Running instances need no restart: the key store marks the old key retired, and an instance\n"+
		"reads its key file again (every 10 seconds, on SIGHUP, and before it would wrap under a retired\n"+
		"key or open a key wrapped under one it does not hold). With HAVEN_MASTER_KEY, restart them.",
		"haven keys rotate --data /var/lib/haven")
	var sf storeFlags
	var newPath string
	sf.register(fs)
	fs.StringVar(&newPath, "new-master-key-file", "", "where to write the new master key (required with HAVEN_MASTER_KEY or --master-key-file)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	defaultFile := os.Getenv("HAVEN_MASTER_KEY") == "" && sf.masterKeyFile == ""
	if !defaultFile && newPath == "" {
		return haven.Errorf(haven.Invalid, "--new-master-key-file is required when the key comes from HAVEN_MASTER_KEY or --master-key-file")
	}
	db, err := m.openStore(ctx, &sf, false)
	if err != nil {
		return err
	}
	current := db.Keys
	staged := newPath
	if defaultFile {
		staged = filepath.Join(sf.data, "master.key.new")
	}
	newKey, err := vault.CreateKeyFile(staged)
	if err != nil {
		return err
	}
	oldKey, err := sf.rawKey()
	if err != nil {
		return err
	}
	ring, err := vault.NewKeyring(newKey, oldKey)
	if err != nil {
		return err
	}
	db.Keys, db.Secrets = ring, ring
	n, err := db.RotateKeys(ctx)
	if err != nil {
		os.Remove(staged)
		db.Keys, db.Secrets = current, current
		return fmt.Errorf("rotation failed, nothing changed: %w", err)
	}
	if defaultFile {
		live := filepath.Join(sf.data, "master.key")
		retired := live + ".retired-" + current.ActiveKeyID()
		if err := os.Rename(live, retired); err != nil {
			return err
		}
		if err := os.Rename(staged, live); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "rotated %d keys to master key %s; the old key is %s: move it offline\n", n, ring.ActiveKeyID(), retired)
		return nil
	}
	fmt.Fprintf(m.Stdout, "rotated %d keys to master key %s, written to %s: point every instance at it\n", n, ring.ActiveKeyID(), newPath)
	return nil
}

// rawKey returns the current master key's bytes.
func (sf *storeFlags) rawKey() ([]byte, error) {
	if env := os.Getenv("HAVEN_MASTER_KEY"); env != "" {
		key, err := vault.ParseKey(env)
		if err != nil {
			return nil, haven.Errorf(haven.Invalid, "HAVEN_MASTER_KEY: %v", err)
		}
		return key, nil
	}
	return vault.LoadKeyFile(sf.masterKeyPath())
}

// masterKeyPath is the master key file: --master-key-file, or DATA/master.key.
func (sf *storeFlags) masterKeyPath() string {
	if sf.masterKeyFile != "" {
		return sf.masterKeyFile
	}
	return filepath.Join(sf.data, "master.key")
}
