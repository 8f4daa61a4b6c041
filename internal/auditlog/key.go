package auditlog

import (
	"crypto/rand"
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
// "haven.audit/<random instance id>", writes it 0600, and writes the
// verifier key text to dir/audit.pub.
func LoadOrCreateSigner(dir string) (note.Signer, note.Verifier, error) {
	path := filepath.Join(dir, KeyFile)
	skey, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		skey, err = createKey(dir)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("audit signer key: %w", err)
	}
	signer, err := note.NewSigner(strings.TrimSpace(string(skey)))
	if err != nil {
		return nil, nil, fmt.Errorf("audit signer key %s: %w", path, err)
	}
	vkey, err := LoadVerifierKey(filepath.Join(dir, PubFile))
	if err != nil {
		return nil, nil, err
	}
	if vkey.Name() != signer.Name() || vkey.KeyHash() != signer.KeyHash() {
		return nil, nil, fmt.Errorf("audit key %s does not match %s", PubFile, KeyFile)
	}
	return signer, vkey, nil
}

// createKey generates a key pair, writes both files and returns the signer
// key text. The private key is created exclusively so that two processes
// starting at once cannot overwrite each other's key.
func createKey(dir string) ([]byte, error) {
	id := make([]byte, 8)
	rand.Read(id)
	skey, vkey, err := note.GenerateKey(rand.Reader, originPrefix+hex.EncodeToString(id))
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, KeyFile), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return os.ReadFile(filepath.Join(dir, KeyFile))
	} else if err != nil {
		return nil, err
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, PubFile), []byte(vkey+"\n"), 0o644); err != nil {
		return nil, err
	}
	return []byte(skey), nil
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
