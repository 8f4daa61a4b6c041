package vault

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/haven-care/haven"
)

func TestCreateKeyFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "master.key")
	key, err := CreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{path: 0o600, dir: 0o700} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != want {
			t.Errorf("mode of %s=%v (%v), want %v", p, fi.Mode().Perm(), err, want)
		}
	}
	got, err := LoadKeyFile(path)
	if err != nil || !bytes.Equal(got, key) {
		t.Fatalf("LoadKeyFile=%x, %v, want the created key", got, err)
	}
	if _, err := CreateKeyFile(path); haven.ErrorKind(err) != haven.Invalid {
		t.Errorf("CreateKeyFile over an existing key: err=%v, want Invalid", err)
	}
	if again, _ := LoadKeyFile(path); !bytes.Equal(again, key) {
		t.Error("CreateKeyFile changed an existing key file")
	}
}

func TestLoadKeyFileRefuses(t *testing.T) {
	dir := t.TempDir()
	valid := base64.StdEncoding.EncodeToString(NewDataKey())
	short := base64.StdEncoding.EncodeToString(make([]byte, 31))
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
		want    string
	}{
		{"world readable", valid, 0o604, "open to group or others"},
		{"group readable", valid, 0o640, "open to group or others"},
		{"group writable", valid, 0o620, "open to group or others"},
		{"31 bytes", short, 0o600, "is 32 bytes, this one is 31"},
		{"64 bytes", valid + valid, 0o600, "must be base64"},
		{"not base64", "not a key at all!", 0o600, "must be base64"},
		{"empty", "", 0o600, "is 32 bytes, this one is 0"},
		{"too large", strings.Repeat("A", 2000), 0o600, "too large"},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".key")
		if err := os.WriteFile(path, []byte(tt.content+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, tt.mode); err != nil {
			t.Fatal(err)
		}
		_, err := LoadKeyFile(path)
		checkKeyError(t, tt.name, err, path, tt.want, tt.content)
	}
	checkKeyError(t, "directory", loadErr(dir), dir, "not a regular file", "")
	missing := filepath.Join(dir, "missing.key")
	checkKeyError(t, "missing", loadErr(missing), missing, "no such file", "")
}

func loadErr(path string) error {
	_, err := LoadKeyFile(path)
	return err
}

// checkKeyError checks that err is Invalid, names path, says want and does
// not quote the file's content.
func checkKeyError(t *testing.T, name string, err error, path, want, content string) {
	t.Helper()
	if haven.ErrorKind(err) != haven.Invalid {
		t.Errorf("%s: err=%v, want Invalid", name, err)
		return
	}
	msg := haven.ErrorMessage(err)
	if !strings.Contains(msg, path) || !strings.Contains(msg, want) {
		t.Errorf("%s: message %q, want it to name %s and say %q", name, msg, path, want)
	}
	if len(content) > 8 && strings.Contains(err.Error(), content[:8]) {
		t.Errorf("%s: error %q quotes the key file", name, err)
	}
}

func TestParseKey(t *testing.T) {
	key := NewDataKey()
	enc := base64.StdEncoding.EncodeToString(key)
	for _, s := range []string{enc, "  " + enc + "\r\n", enc + "\n"} {
		if got, err := ParseKey(s); err != nil || !bytes.Equal(got, key) {
			t.Errorf("ParseKey(%q)=%x, %v", s, got, err)
		}
	}
	for _, s := range []string{"", enc[:40], enc + enc, "%%%%", base64.StdEncoding.EncodeToString(make([]byte, 16))} {
		_, err := ParseKey(s)
		if haven.ErrorKind(err) != haven.Invalid || (len(s) > 8 && strings.Contains(err.Error(), s[:8])) {
			t.Errorf("ParseKey(%q): err=%v, want Invalid not quoting the input", s, err)
		}
	}
}
