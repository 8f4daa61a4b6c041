package api

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/haven-care/haven"
)

// bodyTypes are the request bodies the API decodes, each made fresh.
var bodyTypes = []func() any{
	func() any { return new(SurvivorInput) }, func() any { return new(ScreeningInput) }, func() any { return new(CareTeamUser) },
	func() any { return new(ContactInput) }, func() any { return new(EncounterInput) }, func() any { return new(TaskInput) },
	func() any { return new(TaskPatch) }, func() any { return new(UserInput) }, func() any { return new(RoleInput) },
	func() any { return new(TwoStepPolicyInput) }, func() any { return new(TrainingAttemptInput) }, func() any { return new(Licence) },
	func() any { return new(haven.NewNeed) }, func() any { return new(haven.NeedUpdate) }, func() any { return new(haven.NewConsent) },
	func() any { return new(haven.NewReferral) }, func() any { return new(haven.StatusChange) },
}

// decode runs decodeStrict on body into v.
func decode(body []byte, v any) error {
	r := httptest.NewRequest("POST", "/api/v1/x", bytes.NewReader(body))
	return decodeStrict(httptest.NewRecorder(), r, v, "one JSON object")
}

// FuzzDecodeBody decodes any body into each of the API's input types: a
// refusal is Invalid and leaves nothing half-read that the handler could
// use by mistake (it never sees v); an accepted body re-encodes to JSON
// that decodes again to the same value (decoding is a fixed point after
// one round). Seeds live in testdata/fuzz/FuzzDecodeBody.
func FuzzDecodeBody(f *testing.F) {
	f.Add([]byte(`{"given_name":"Synthetic","family_name":"Person","languages":[{"code":"es","interpreter":true}]}`), uint8(0))
	f.Add([]byte(`{"instrument_id":"haven-rapid-four","response":{"resourceType":"QuestionnaireResponse"}}`), uint8(1))
	f.Add([]byte(`{"user_id":"00000000-0000-4000-8000-000000000001"}`), uint8(2))
	f.Add([]byte(`{"channel":"phone","outcome":"reached","voicemail":false,"note":"x"}`), uint8(3))
	f.Add([]byte(`{"title":"Call back","due_on":"2026-11-30"}`), uint8(5))
	f.Add([]byte(`{"status":"accepted","reason":""}`), uint8(16))
	f.Add([]byte(`{"a":1} {"b":2}`), uint8(0))
	f.Add([]byte(`{"given_name":1}`), uint8(0))
	f.Fuzz(func(t *testing.T, body []byte, which uint8) {
		mk := bodyTypes[int(which)%len(bodyTypes)]
		v := mk()
		if err := decode(body, v); err != nil {
			if haven.ErrorKind(err) != haven.Invalid {
				t.Fatalf("refused with kind %v: %v", haven.ErrorKind(err), err)
			}
			return
		}
		once, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("accepted value does not encode: %v", err)
		}
		again := mk()
		if err := decode(once, again); err != nil {
			// Output names may differ from input names only where the
			// type's JSON encoding is asymmetric; none of the inputs are.
			t.Fatalf("re-encoded %s is refused: %v", once, err)
		}
		twice, _ := json.Marshal(again)
		if !bytes.Equal(once, twice) {
			t.Errorf("round trip changed the value:\n%s\n%s", once, twice)
		}
	})
}
