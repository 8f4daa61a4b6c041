package main

import (
	"context"
	"strings"
	"testing"
)

// TestBenchLoadRunsEveryAction drives a short load against a demo instance:
// every action is taken, none fails, and the summary line is printed.
func TestBenchLoadRunsEveryAction(t *testing.T) {
	dir := dataDir(t)
	url, stop := startServe(t, "--data", dir, "--demo")
	defer stop()
	code, out, errOut := run(t, context.Background(), "", "bench", "load", "--url", url, "--data", dir,
		"--users", "20", "--duration", "2s", "--think", "20ms")
	if code != 0 {
		t.Fatalf("bench load: code=%d err=%q", code, errOut)
	}
	for _, action := range []string{"open", "search", "screen", "refer", "inbox", "accept"} {
		if !strings.Contains(out, "action="+action+" ") {
			t.Errorf("no line for %s in:\n%s", action, out)
		}
	}
	if !strings.Contains(out, "load instances=1 users=20 ") || !strings.Contains(out, " errors=0\n") || strings.Contains(out, "first error") {
		t.Errorf("bench load output:\n%s", out)
	}
	if code, _, errOut := run(t, context.Background(), "", "bench", "load", "--data", dir); code != 2 || !strings.Contains(errOut, "--url is required") {
		t.Errorf("bench load without --url: code=%d err=%q", code, errOut)
	}
}
