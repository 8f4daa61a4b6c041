package training

import (
	"encoding/json"
	"testing"
)

// FuzzParseModules: a modules or rules file is refused or, once accepted,
// encodes to JSON that is accepted again as the same content.
func FuzzParseModules(f *testing.F) {
	f.Add(modulesJSON)
	f.Add(jurisdictionsJSON)
	f.Add([]byte(`[{"id":"m","questions":[]}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if ms, err := ParseModules(data); err == nil {
			b, err := json.Marshal(ms)
			if err != nil {
				t.Fatal(err)
			}
			again, err := ParseModules(b)
			if err != nil || len(again) != len(ms) {
				t.Errorf("accepted modules re-encoded: %d modules, %v", len(again), err)
			}
		}
		if j, err := ParseJurisdictions(data); err == nil {
			b, err := json.Marshal(j)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ParseJurisdictions(b); err != nil {
				t.Errorf("accepted rules re-encoded are refused: %v", err)
			}
		}
	})
}
