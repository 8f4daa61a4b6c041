package vault

import (
	"os"
	"os/exec"
	"testing"
)

// TestFIPS140Only runs this package's tests again with GODEBUG=fips140=only,
// where the standard library refuses any algorithm or mode outside its
// FIPS 140-3 module (cipher.NewGCM with caller-chosen nonces among them),
// so that the vault keeps working on servers run in that mode.
func TestFIPS140Only(t *testing.T) {
	if os.Getenv("HAVEN_VAULT_FIPS_CHILD") != "" {
		t.Skip("already in the fips140=only run")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^Test", "-test.count=1")
	cmd.Env = append(os.Environ(), "GODEBUG=fips140=only", "HAVEN_VAULT_FIPS_CHILD=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tests under GODEBUG=fips140=only: %v\n%s", err, out)
	}
}
