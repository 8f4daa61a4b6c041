package auditlog

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// Key file names in the data directory.
const (
	// KeyFile holds the signer key (note.GenerateKey's private key text),
	// readable by the owner only.
	KeyFile = "audit.key"
	// PubFile holds the verifier key text, to be copied and kept elsewhere.
	PubFile = "audit.pub"
)

// originPrefix starts every checkpoint origin and key name.
const originPrefix = "haven.audit/"

// LoadOrCreateSigner returns the checkpoint signer kept in dir/audit.key and
// its verifier. On first use it generates an Ed25519 key named
// "haven.audit/<random instance id>" and writes it 0600. It writes the
// verifier key text, derived from the signer key, to dir/audit.pub when that
// file is missing, and refuses an audit.pub of another key. Instances
// starting at once on one directory all get the same key.
func LoadOrCreateSigner(dir string) (note.Signer, note.Verifier, error) {
	path := filepath.Join(dir, KeyFile)
	skey, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		skey, err = createKey(dir)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("audit signer key: %w", err)
	}
	signer, verifier, vkey, err := parseSignerKey(string(skey))
	if err != nil {
		return nil, nil, fmt.Errorf("audit signer key %s: %w", path, err)
	}
	return signer, verifier, ensurePublicKey(dir, vkey)
}

// parseSignerKey returns the signer of signer key text skey, its verifier
// and the verifier key text.
func parseSignerKey(skey string) (note.Signer, note.Verifier, string, error) {
	signer, err := note.NewSigner(strings.TrimSpace(skey))
	if err != nil {
		return nil, nil, "", err
	}
	vkey, err := verifierKey(skey)
	if err != nil {
		return nil, nil, "", err
	}
	verifier, err := note.NewVerifier(vkey)
	if err == nil && verifier.KeyHash() != signer.KeyHash() {
		err = errors.New("its key hash does not match its key")
	}
	return signer, verifier, vkey, err
}

// createKey generates a key and writes it to dir/audit.key, or returns the
// key another process wrote there first. The file appears complete or not
// at all: it is written under a temporary name, then hard-linked into place,
// which fails if the name exists.
func createKey(dir string) ([]byte, error) {
	id := make([]byte, 8)
	rand.Read(id)
	skey, _, err := note.GenerateKey(rand.Reader, originPrefix+hex.EncodeToString(id))
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, KeyFile+".tmp*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	if err := writeClose(f, skey+"\n"); err != nil {
		return nil, err
	}
	err = os.Link(f.Name(), filepath.Join(dir, KeyFile))
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, err
	}
	return os.ReadFile(filepath.Join(dir, KeyFile))
}

// writeClose writes text to f, which CreateTemp made 0600, and closes it.
func writeClose(f *os.File, text string) error {
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// verifierKey derives the verifier key text from signer key text
// ("PRIVATE+KEY+name+hash+base64(0x01 || Ed25519 seed)").
func verifierKey(skey string) (string, error) {
	parts := strings.SplitN(strings.TrimSpace(skey), "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return "", errors.New("malformed signer key")
	}
	b, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(b) != 1+ed25519.SeedSize || b[0] != algEd25519 {
		return "", errors.New("malformed Ed25519 signer key")
	}
	return note.NewEd25519VerifierKey(parts[2], ed25519.NewKeyFromSeed(b[1:]).Public().(ed25519.PublicKey))
}

// algEd25519 is the signed-note algorithm byte of Ed25519 keys.
const algEd25519 = 1

// ensurePublicKey writes vkey to dir/audit.pub if that file is missing (by
// rename, so readers never see it partial) and fails if it holds another.
func ensurePublicKey(dir, vkey string) error {
	path := filepath.Join(dir, PubFile)
	b, err := os.ReadFile(path)
	if err == nil && strings.TrimSpace(string(b)) != vkey {
		return fmt.Errorf("audit key %s does not match %s", PubFile, KeyFile)
	} else if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	f, err := os.CreateTemp(dir, PubFile+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := writeClose(f, vkey+"\n"); err != nil {
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// LoadVerifierKey reads a verifier key text file such as audit.pub.
func LoadVerifierKey(path string) (note.Verifier, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("audit verifier key: %w", err)
	}
	v, err := note.NewVerifier(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("audit verifier key %s: %w", path, err)
	}
	return v, nil
}
