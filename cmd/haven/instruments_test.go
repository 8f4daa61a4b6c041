package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInstrumentsImportAndList(t *testing.T) {
	ctx := context.Background()
	dir := dataDir(t)
	good := filepath.Join(t.TempDir(), "q.json")
	os.WriteFile(good, []byte(`{"resourceType": "Questionnaire", "url": "https://example.org/Questionnaire/synthetic",
		"version": "2", "title": "Synthetic import", "status": "active", "item": [{"linkId": "a", "type": "boolean", "text": "A?"}]}`), 0o600)
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"resourceType": "Questionnaire", "url": "https://example.org/Questionnaire/bad", "status": "active",
		"item": [{"linkId": "a", "type": "boolean", "enableWhen": [{"question": "zz", "operator": "exists", "answerBoolean": true}]}]}`), 0o600)

	tests := []struct {
		args     []string
		code     int
		out, err string
	}{
		{[]string{"instruments", "import", "--data", dir, good}, 0, "imported Synthetic import", ""},
		{[]string{"instruments", "import", "--data", dir, good}, 0, "updated Synthetic import", ""},
		{[]string{"instruments", "import", "--data", dir, bad}, 1, "", `item "a"`},
		{[]string{"instruments", "list", "--data", dir}, 0, "shipped   1.0.0    active  Rapid four-item screen (Haven)", ""},
		{[]string{"instruments", "list", "--data", dir}, 0, "imported  2", ""},
		{[]string{"instruments", "frobnicate"}, 2, "", "instruments import FILE"},
	}
	for _, tt := range tests {
		code, out, stderr := run(t, ctx, "", tt.args...)
		if code != tt.code || !strings.Contains(out, tt.out) || !strings.Contains(stderr, tt.err) {
			t.Errorf("haven %s: code=%d out=%q err=%q, want code %d, out with %q, err with %q",
				strings.Join(tt.args, " "), code, out, stderr, tt.code, tt.out, tt.err)
		}
	}
}
