package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/mod/sumdb/note"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/auditlog"
	"github.com/haven-care/haven/internal/sqlstore"
)

func init() {
	commands["audit"] = command{"verify the audit log or sign a checkpoint (audit verify, audit checkpoint)", runAudit}
}

func runAudit(m *Main, ctx context.Context, args []string) error {
	sub := ""
	if len(args) > 0 {
		sub = args[0]
	}
	switch sub {
	case "verify":
		return runAuditVerify(m, ctx, args[1:])
	case "checkpoint":
		return runAuditCheckpoint(m, ctx, args[1:])
	case "-h", "--help":
		fmt.Fprintln(m.Stdout, "Usage: haven audit verify [--checkpoint FILE | --witness PATH|URL] [--key FILE]\n       haven audit checkpoint\n\nExample:\n  haven audit checkpoint > /mnt/offsite/haven-checkpoint.txt")
		return nil
	}
	return usageError{"audit: expected \"haven audit verify\" or \"haven audit checkpoint\""}
}

func runAuditVerify(m *Main, ctx context.Context, args []string) error {
	fs := newFlagSet(m, "audit verify", "audit verify [--data DIR] [--db DSN] [--checkpoint FILE | --witness PATH|URL] [--key FILE]\n\n"+
		"Recomputes every entry's hash and the tree root, and checks the log against a signed checkpoint:\n"+
		"the one in FILE (keep copies outside the server), the largest the witness holds (every checkpoint\n"+
		"there must carry the key's signature), or else the latest stored one.",
		"haven audit verify --witness /mnt/offsite/haven-witness.jsonl --key /mnt/offsite/audit.pub")
	var sf storeFlags
	var cpFile, keyFile, witness, configured string
	sf.register(fs)
	fs.StringVar(&cpFile, "checkpoint", "", "signed checkpoint file to check the log against")
	fs.StringVar(&keyFile, "key", "", "checkpoint verifier key file (default DATA/"+auditlog.PubFile+")")
	fs.StringVar(&witness, "witness", "", "audit witness to check the log against: the file or URL serve's --audit-witness names")
	fs.StringVar(&configured, "audit-witness", "", "serve's witness (from the config file), used when --witness and --checkpoint are not given")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if witness == "" && cpFile == "" {
		witness = configured
	}
	if witness != "" && cpFile != "" {
		return usageError{"audit verify: give --checkpoint or --witness, not both"}
	}
	var cp []byte
	if cpFile != "" {
		b, err := os.ReadFile(cpFile)
		if err != nil {
			return haven.Errorf(haven.Invalid, "cannot read checkpoint file %s: %v", cpFile, errors.Unwrap(err))
		}
		cp = b
	}
	v, err := loadAuditVerifier(sf.data, keyFile)
	if err != nil {
		return err
	}
	suffix := ""
	if witness != "" {
		if cp, suffix, err = witnessedCheckpoint(ctx, witness, v); err != nil {
			return err
		}
	}
	db, err := m.openStore(ctx, &sf, false)
	if err != nil {
		return err
	}
	msg, err := verifyAudit(ctx, db, v, cp)
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, msg+suffix)
	return nil
}

// witnessedCheckpoint returns the largest checkpoint the witness target
// holds, every one of its checkpoints checked with v, and a note for the
// report saying where it came from.
func witnessedCheckpoint(ctx context.Context, target string, v note.Verifier) ([]byte, string, error) {
	w, err := auditlog.NewWitness(target)
	if err != nil {
		return nil, "", haven.Errorf(haven.Invalid, "--witness: %v", err)
	}
	if v == nil {
		return nil, "", haven.Errorf(haven.Invalid, "no verifier key to check the witnessed checkpoints with: give --key")
	}
	notes, err := w.Checkpoints(ctx)
	if err != nil {
		return nil, "", haven.Errorf(haven.Unavailable, "%v", err)
	}
	cp, err := auditlog.LatestWitnessed(notes, v)
	if err != nil {
		return nil, "", fmt.Errorf("audit witness %s: %w", w, err)
	}
	if cp == nil {
		return nil, "", haven.Errorf(haven.Invalid, "audit witness %s holds no checkpoint of key %s", w, v.Name())
	}
	return cp, fmt.Sprintf(" (the largest of %d checkpoints held by the witness %s)", len(notes), w), nil
}

// verifyAudit verifies the log and returns the one-line result, or an
// error naming the first bad entry when it does not verify.
func verifyAudit(ctx context.Context, db *sqlstore.DB, v note.Verifier, cp []byte) (string, error) {
	rep, err := sqlstore.NewAuditService(db).VerifyAudit(ctx, v, cp)
	if err != nil {
		return "", err
	}
	if !rep.OK() {
		return "", fmt.Errorf("audit log NOT OK: first bad entry %d: %s", rep.FirstBad, rep.Message)
	}
	return rep.Message, nil
}

// loadAuditVerifier reads the verifier key from keyFile, or from the data
// directory's audit.pub if present; nil when there is none.
func loadAuditVerifier(dataDir, keyFile string) (note.Verifier, error) {
	if keyFile != "" {
		return auditlog.LoadVerifierKey(keyFile)
	}
	path := filepath.Join(dataDir, auditlog.PubFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return auditlog.LoadVerifierKey(path)
}

func runAuditCheckpoint(m *Main, ctx context.Context, args []string) error {
	fs := newFlagSet(m, "audit checkpoint", "audit checkpoint [--data DIR] [--db DSN]\n\n"+
		"Verifies the log, then signs a checkpoint of it with the key in DATA/"+auditlog.KeyFile+
		" (created on first use;\nits verifier key is written to DATA/"+auditlog.PubFile+"), stores it and prints it. Keep copies elsewhere.",
		"haven audit checkpoint > /mnt/offsite/haven-checkpoint.txt")
	var sf storeFlags
	sf.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := sf.ensureDataDir(); err != nil {
		return err
	}
	signer, v, err := auditlog.LoadOrCreateSigner(sf.data)
	if err != nil {
		return err
	}
	db, err := m.openStore(ctx, &sf, false)
	if err != nil {
		return err
	}
	ok, err := verifyAudit(ctx, db, v, nil)
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Stderr, ok)
	msg, err := sqlstore.NewAuditService(db).SignCheckpoint(ctx, signer)
	if err != nil {
		return err
	}
	_, err = m.Stdout.Write(msg)
	return err
}
