package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
)

// TestUserCommands walks every `haven user` command over one data
// directory.
func TestUserCommands(t *testing.T) {
	dir := dataDir(t)
	ctx := context.Background()
	user := func(stdin string, args ...string) (int, string, string) {
		t.Helper()
		return run(t, ctx, stdin, append(append([]string{"user"}, args...), "--data", dir)...)
	}
	if code, out, stderr := user("a long pass phrase\n", "add", "--username", "ada", "--role", "admin"); code != 0 {
		t.Fatalf("add ada: %d %q %q", code, out, stderr)
	}
	code, out, stderr := user("", "add", "--username", "nurse.fl", "--role", "clinician", "--start", "link", "--url", "https://haven.example.org/")
	if code != 0 || !regexp.MustCompile(`https://haven\.example\.org/set-password/[A-Za-z0-9_-]{43}\n`).MatchString(out) {
		t.Fatalf("add by link: %d %q %q", code, out, stderr)
	}
	code, out, _ = user("", "add", "--username", "adv.tmp", "--role", "advocate", "--start", "temporary")
	if code != 0 || !regexp.MustCompile(`temporary password .*: [a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}\n`).MatchString(out) {
		t.Fatalf("add temporary: %d %q", code, out)
	}
	if code, _, stderr := user("", "add", "--username", "x", "--role", "clinician", "--start", "link"); code == 0 || !strings.Contains(stderr, "--username") {
		t.Errorf("bad username: %d %q", code, stderr)
	}
	if code, _, stderr := user("", "add", "--username", "good.name", "--role", "clinician", "--start", "email"); code == 0 || !strings.Contains(stderr, "--start") {
		t.Errorf("bad start: %d %q", code, stderr)
	}
	code, out, _ = user("", "list")
	for _, want := range []string{"USERNAME", "ada", "admin", "nurse.fl", "link-pending", "adv.tmp", "temporary-password"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("list lacks %q: %d\n%s", want, code, out)
		}
	}
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"role", "--username", "nurse.fl", "--role", "supervisor"}, "nurse.fl is now supervisor"},
		{[]string{"disable", "--username", "nurse.fl"}, "nurse.fl disabled"},
		{[]string{"enable", "--username", "nurse.fl"}, "nurse.fl enabled"},
		{[]string{"reset", "--username", "nurse.fl", "--two-step"}, "two-step sign-in reset"},
		{[]string{"reset", "--username", "NURSE.FL", "--link", "--url", "https://h.example"}, "https://h.example/set-password/"},
		{[]string{"reset", "--username", "NURSE.FL", "--temporary"}, "temporary password"},
	}
	for _, st := range steps {
		if code, out, stderr := user("", st.args...); code != 0 || !strings.Contains(out, st.want) {
			t.Errorf("%v: %d %q %q, want %q", st.args, code, out, stderr, st.want)
		}
	}
	code, out, _ = user("", "list")
	if !regexp.MustCompile(`nurse\.fl\s+supervisor\s+temporary-password`).MatchString(out) {
		t.Errorf("list after the changes:\n%s", out)
	}
	for _, bad := range [][]string{
		{"reset", "--username", "nurse.fl"},
		{"reset", "--username", "nurse.fl", "--two-step", "--link"},
		{"role", "--role", "admin"},
		{"disable", "--username", "nobody"},
		{"role", "--username", "nurse.fl", "--role", "king"},
		{"frobnicate"},
	} {
		if code, _, stderr := user("", bad...); code == 0 || stderr == "" {
			t.Errorf("%v: code=%d stderr=%q, want an error", bad, code, stderr)
		}
	}
	if code, out, _ := run(t, ctx, "", "user", "-h"); code != 0 || !strings.Contains(out, "list") || !strings.Contains(out, "reset") {
		t.Errorf("user -h: %d\n%s", code, out)
	}
}
