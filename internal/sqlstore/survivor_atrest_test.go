package sqlstore

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/haven-care/haven"
)

// TestAtRestFormsAreStable pins the bytes that are sealed for structured
// values: records written by any earlier release must keep decoding, so a
// change here needs a new version, not an edit.
func TestAtRestFormsAreStable(t *testing.T) {
	plan := haven.SafeContactPlan{DoNotContact: false, Channels: []haven.ContactChannel{haven.ChannelSMS, haven.ChannelInPerson},
		SafeTimes: "weekdays", VoicemailSafe: true, VoicemailMessage: "clinic", CodeWord: "sunflower"}
	const sealed = `{"do_not_contact":false,"channels":["sms","in_person"],"safe_times":"weekdays","voicemail_safe":true,"voicemail_message":"clinic","code_word":"sunflower"}`
	ns := haven.NewSurvivor{SafeContact: plan,
		Languages: []haven.LanguagePreference{{Code: "es", Dialect: "Rioplatense", Interpreter: true}, {Code: "en"}}}
	got, err := atRest["safe_contact"].encode(&ns)
	if err != nil || string(got) != sealed {
		t.Errorf("safe_contact at rest = %s, %v\nwant %s", got, err, sealed)
	}
	var back haven.NewSurvivor
	if err := atRest["safe_contact"].decode([]byte(sealed), &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(plan, back.SafeContact); diff != "" {
		t.Errorf("decoded plan (-want +got):\n%s", diff)
	}
	// The coded column holds no dialect; the dialects are sealed apart.
	const langs = `[{"code":"es","interpreter":true},{"code":"en"}]`
	if got := languagesAtRest(ns.Languages); got != langs {
		t.Errorf("languages at rest = %s, want %s", got, langs)
	}
	const dialects = `["Rioplatense",""]`
	if got, err := atRest["language_dialects"].encode(&ns); err != nil || string(got) != dialects {
		t.Errorf("language_dialects at rest = %s, %v, want %s", got, err, dialects)
	}
	var read haven.NewSurvivor
	if read.Languages, err = languagesFromRest(langs); err != nil {
		t.Fatal(err)
	}
	if err := atRest["language_dialects"].decode([]byte(dialects), &read); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ns.Languages, read.Languages); diff != "" {
		t.Errorf("decoded languages (-want +got):\n%s", diff)
	}
	// Rows written before dialects were sealed carry them in the clear
	// column, and still decode.
	legacy, err := languagesFromRest(`[{"code":"es","dialect":"Rioplatense","interpreter":true},{"code":"en"}]`)
	if err != nil || cmp.Diff(ns.Languages, legacy) != "" {
		t.Errorf("legacy languages column = %+v, %v", legacy, err)
	}
	if _, err := languagesFromRest("{"); err == nil {
		t.Error("a broken languages column decoded without error")
	}
}

// TestSealedFieldsFollowTheRegistry: every encrypted survivors column of
// the registry has exactly one sealed field, in registry order.
func TestSealedFieldsFollowTheRegistry(t *testing.T) {
	var want, got []string
	for _, f := range haven.Fields {
		if f.Table == "survivors" && f.Class.Encrypted() {
			want = append(want, f.Column)
		}
	}
	for _, f := range survivorSecrets {
		got = append(got, f.column)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sealed fields (-registry +store):\n%s", diff)
	}
}
