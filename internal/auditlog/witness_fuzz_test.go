package auditlog

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
)

// FuzzParseWitnessRecords: a witness's answer is refused or read into
// checkpoints that parse; written back as records, they read the same.
func FuzzParseWitnessRecords(f *testing.F) {
	f.Add([]byte(`{"note":"haven.audit/00112233\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— haven.audit/00112233 AAAA\n","sent_at":"2026-11-29T10:00:00Z"}` + "\n\n"))
	f.Add([]byte(`{"note":"x"}`))
	f.Add([]byte("{\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		notes, err := ParseWitnessRecords(bytes.NewReader(data))
		if err != nil {
			return
		}
		var out bytes.Buffer
		for _, n := range notes {
			if _, err := ParseCheckpoint(n); err != nil {
				t.Fatalf("accepted a record whose note does not parse: %v", err)
			}
			b, _ := json.Marshal(WitnessRecord{Note: string(n)})
			out.Write(append(b, '\n'))
		}
		back, err := ParseWitnessRecords(&out)
		if err != nil || !slices.EqualFunc(notes, back, bytes.Equal) {
			t.Errorf("records written back read %d notes, %v; want %d", len(back), err, len(notes))
		}
	})
}
