package vault

import (
	"encoding/base64"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/haven-care/haven"
)

// maxKeyFile bounds how much of a key file is read: a base64 key and a
// newline are 45 bytes, so anything much larger is not a key file.
const maxKeyFile = 1024

// LoadKeyFile reads a master key file: KeySize random bytes, base64-encoded
// (standard alphabet, padded) on one line. It refuses, with an Invalid
// error naming the file and never its content, a file that group or others
// may access, one that is not a regular file, and one that does not hold
// exactly one key.
func LoadKeyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, haven.Errorf(haven.Invalid, "cannot read master key file %s: %v", path, pathCause(err))
	}
	defer f.Close()
	if err := checkKeyFile(f, path); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	defer clear(b)
	if err != nil {
		return nil, haven.Errorf(haven.Invalid, "cannot read master key file %s: %v", path, pathCause(err))
	}
	if len(b) > maxKeyFile {
		return nil, haven.Errorf(haven.Invalid, "master key file %s is too large to be a key file", path)
	}
	key, err := ParseKey(string(b))
	if err != nil {
		return nil, haven.Errorf(haven.Invalid, "master key file %s: %s", path, haven.ErrorMessage(err))
	}
	return key, nil
}

// checkKeyFile refuses a key file that is not a regular file or that group
// or others may read, write or execute.
func checkKeyFile(f *os.File, path string) error {
	fi, err := f.Stat()
	if err != nil {
		return haven.Errorf(haven.Invalid, "cannot read master key file %s: %v", path, pathCause(err))
	}
	if !fi.Mode().IsRegular() {
		return haven.Errorf(haven.Invalid, "master key file %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return haven.Errorf(haven.Invalid, "master key file %s is open to group or others (mode %v); run chmod 600 %s", path, perm, path)
	}
	return nil
}

// ParseKey decodes a base64 master key, as found in a key file or in the
// HAVEN_MASTER_KEY environment variable; surrounding white space is
// ignored. Only the canonical encoding is accepted (the unused low bits of
// the last character zero, as every encoder writes them), so that one key
// has one text. Its Invalid errors never quote the input.
func ParseKey(s string) ([]byte, error) {
	key, err := base64.StdEncoding.Strict().DecodeString(strings.TrimSpace(s))
	if err != nil {
		clear(key)
		return nil, haven.Errorf(haven.Invalid, "a master key must be base64 (for example the output of: openssl rand -base64 32)")
	}
	if len(key) != KeySize {
		clear(key)
		return nil, haven.Errorf(haven.Invalid, "a master key is %d bytes, this one is %d", KeySize, len(key))
	}
	return key, nil
}

// CreateKeyFile writes a new random master key to path, base64 on one
// line, with mode 0600, creating its directory with mode 0700 if absent,
// and returns the key. It never overwrites: if path exists it fails with
// an Invalid error. The file and its directory are synced, since losing a
// master key loses every survivor record sealed under it.
func CreateKeyFile(path string) ([]byte, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, haven.Errorf(haven.Invalid, "cannot create key directory %s: %v", dir, pathCause(err))
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, haven.Errorf(haven.Invalid, "cannot create master key file %s: %v", path, pathCause(err))
	}
	key := NewDataKey()
	if err := writeKey(f, key); err != nil {
		os.Remove(path)
		clear(key)
		return nil, haven.Errorf(haven.Invalid, "cannot write master key file %s: %v", path, pathCause(err))
	}
	syncDir(dir)
	return key, nil
}

// writeKey writes key in base64 to f, syncs and closes it.
func writeKey(f *os.File, key []byte) error {
	line := []byte(base64.StdEncoding.EncodeToString(key) + "\n")
	defer clear(line)
	_, err := f.Write(line)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir makes a new directory entry durable; failure only weakens
// durability, so it is ignored.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// pathCause strips the path from an *os.PathError, which the messages
// above already name.
func pathCause(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
