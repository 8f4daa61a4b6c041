package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestScreeningAccuracy(t *testing.T) {
	code, out, stderr := run(t, context.Background(), "", "screening", "accuracy", "--tp", "76", "--fn", "14", "--fp", "306", "--tn", "414")
	if code != 0 || !strings.Contains(out, "84.44") || !strings.Contains(out, "75.28") || !strings.Contains(out, "91.23") {
		t.Errorf("text: code=%d out=%q err=%q", code, out, stderr)
	}
	code, out, _ = run(t, context.Background(), "", "screening", "accuracy", "--tp", "76", "--fn", "14", "--fp", "306", "--tn", "414", "--json")
	var r struct {
		Sensitivity struct{ Estimate, Lower, Upper float64 }
	}
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil || r.Sensitivity.Estimate < 0.8443 || r.Sensitivity.Estimate > 0.8445 {
		t.Errorf("json: code=%d out=%q", code, out)
	}
	code, _, stderr = run(t, context.Background(), "", "screening", "accuracy", "--tp", "1")
	if code != 2 || strings.Count(stderr, "\n") != 1 {
		t.Errorf("missing counts: code=%d stderr=%q", code, stderr)
	}
}
