package sqlstore_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/sqlstore"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// rapidResponse answers the shipped rapid four-item screen: the safety
// checklist passed, then "yes" to the items named. Synthetic.
func rapidResponse(subject string, yes ...string) []byte {
	var qs []string
	for _, id := range []string{"r-leave", "r-papers", "r-threat", "r-sex"} {
		qs = append(qs, fmt.Sprintf(`{"linkId": %q, "answer": [{"valueBoolean": %t}]}`, id, slices.Contains(yes, id)))
	}
	return []byte(`{"resourceType": "QuestionnaireResponse", "status": "completed",
		"questionnaire": "https://haven.example/fhir/Questionnaire/haven-rapid-four|1.0.0",
		"subject": {"reference": "Patient/` + subject + `"},
		"item": [
		{"linkId": "r-safety", "item": [
			{"linkId": "r-safety-alone", "answer": [{"valueBoolean": true}]},
			{"linkId": "r-safety-language", "answer": [{"valueCoding": {"system": "https://haven.example/fhir/CodeSystem/language-support", "code": "professional"}}]},
			{"linkId": "r-safety-private", "answer": [{"valueBoolean": true}]},
			{"linkId": "r-safety-explained", "answer": [{"valueBoolean": true}]}]},
		{"linkId": "r-questions", "item": [` + strings.Join(qs, ",") + `]}]}`)
}

func TestRegistryMatchesScreeningColumns(t *testing.T) {
	var registry []string
	for _, f := range haven.Fields {
		if f.Table == "screenings" && f.Class.Encrypted() {
			registry = append(registry, f.Column)
		}
	}
	if diff := cmp.Diff(registry, sqlstore.ScreeningEncryptedColumns()); diff != "" {
		t.Errorf("encrypted screening columns differ from the registry (-registry +store):\n%s", diff)
	}
}

func TestScreeningRoundTripAndAccess(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		adv := mustUser(t, db, "advocate", haven.RoleAdvocate)
		other := mustUser(t, db, "other", haven.RoleClinician)
		s, _, err := db.CreateSurvivor(actorCtx(adv), haven.NewSurvivor{Name: "Synthetic Screened", AgeBand: haven.Age15to17})
		if err != nil {
			t.Fatal(err)
		}
		created, err := db.CreateScreening(actorCtx(adv), haven.NewScreening{SurvivorID: s.ID, Response: rapidResponse(s.ID, "r-papers")})
		if err != nil {
			t.Fatal(err)
		}
		if created.InstrumentID != "haven-rapid-four" || created.Concern == "none" || !created.Minor || len(created.Result.Codes) == 0 {
			t.Errorf("created: instrument=%s concern=%s minor=%v codes=%v, want rapid four, a concern, minor, codes",
				created.InstrumentID, created.Concern, created.Minor, created.Result.Codes)
		}
		if created.CaseNumber != s.CaseNumber {
			t.Errorf("CaseNumber=%q, want the record's %q", created.CaseNumber, s.CaseNumber)
		}
		if !hasStep(created.Result, "mandated-report") {
			t.Errorf("next steps %v lack a mandated report for a minor", created.Result.NextSteps)
		}
		got, err := db.Screening(actorCtx(adv), created.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(created, got); diff != "" {
			t.Errorf("read back differs (-created +read):\n%s", diff)
		}
		list, err := db.Screenings(actorCtx(adv), s.ID)
		if err != nil || len(list) != 1 || list[0].ID != created.ID || list[0].Concern != created.Concern {
			t.Errorf("Screenings=%+v, %v; want the one screening", list, err)
		}
		if _, err := db.Screening(actorCtx(other), created.ID); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("other clinician read: kind=%v, want not_found", haven.ErrorKind(err))
		}
		if _, err := db.CreateScreening(actorCtx(other), haven.NewScreening{SurvivorID: s.ID, Response: rapidResponse(s.ID)}); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("other clinician screen: kind=%v, want not_found", haven.ErrorKind(err))
		}
		want := []string{"user.create", "user.create", "survivor.create", "screening.create", "screening.read", "screening.list", "screening.read/denied", "screening.create/denied"}
		if diff := cmp.Diff(want, auditActions(t, db)); diff != "" {
			t.Errorf("audit log (-want +got):\n%s", diff)
		}
	})
}

func hasStep(r haven.ScreeningResult, kind string) bool {
	for _, s := range r.NextSteps {
		if s.Kind == kind {
			return true
		}
	}
	return false
}

func TestScreeningRefusedNamesItem(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		adv := mustUser(t, db, "advocate", haven.RoleAdvocate)
		s, _, err := db.CreateSurvivor(actorCtx(adv), haven.NewSurvivor{Name: "Synthetic Refused"})
		if err != nil {
			t.Fatal(err)
		}
		bad := bytes.Replace(rapidResponse(s.ID), []byte(`{"valueBoolean": false}`), []byte(`{"valueString": "no"}`), 1)
		_, err = db.CreateScreening(actorCtx(adv), haven.NewScreening{SurvivorID: s.ID, Response: bad})
		if haven.ErrorKind(err) != haven.Invalid || haven.ErrorFields(err)["r-leave"] == "" {
			t.Errorf("wrong answer type: kind=%v fields=%v, want invalid naming r-leave", haven.ErrorKind(err), haven.ErrorFields(err))
		}
		unknown := []byte(`{"resourceType": "QuestionnaireResponse", "status": "completed", "questionnaire": "https://example.org/none"}`)
		_, err = db.CreateScreening(actorCtx(adv), haven.NewScreening{SurvivorID: s.ID, Response: unknown})
		if haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("unknown instrument: kind=%v, want not_found", haven.ErrorKind(err))
		}
	})
}

func TestScreeningAnswersSealed(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		adv := mustUser(t, db, "advocate", haven.RoleAdvocate)
		s, _, err := db.CreateSurvivor(actorCtx(adv), haven.NewSurvivor{Name: "Synthetic Sealed"})
		if err != nil {
			t.Fatal(err)
		}
		sc, err := db.CreateScreening(actorCtx(adv), haven.NewScreening{SurvivorID: s.ID, Response: rapidResponse(s.ID, "r-leave")})
		if err != nil {
			t.Fatal(err)
		}
		var response, result []byte
		var concern, flagged string
		err = db.SQL().QueryRow(`SELECT response_enc, result_enc, concern, flagged FROM screenings WHERE id = $1`, sc.ID).Scan(&response, &result, &concern, &flagged)
		if err != nil {
			t.Fatal(err)
		}
		for _, plain := range []string{"r-leave", "valueBoolean", "T76"} {
			if bytes.Contains(response, []byte(plain)) || bytes.Contains(result, []byte(plain)) {
				t.Errorf("%q in a sealed column", plain)
			}
		}
		if concern != sc.Concern || flagged != strings.Join(sc.Flagged, " ") || flagged == "" {
			t.Errorf("coded columns concern=%q flagged=%q, want %q %q", concern, flagged, sc.Concern, sc.Flagged)
		}
	})
}

func TestImportInstrument(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		data, err := os.ReadFile("../screening/testdata/small-questionnaire.json")
		if err != nil {
			t.Fatal(err)
		}
		in, created, err := db.ImportInstrument(importingInstruments(t.Context()), data)
		if err != nil || !created {
			t.Fatalf("import: created=%v err=%v", created, err)
		}
		changed := bytes.Replace(data, []byte(`"status": "draft"`), []byte(`"status": "active"`), 1)
		again, created, err := db.ImportInstrument(importingInstruments(t.Context()), changed)
		if err != nil || created || again.ID != in.ID {
			t.Fatalf("re-import: id=%s created=%v err=%v, want id %s updated", again.ID, created, err, in.ID)
		}
		got, err := db.Instrument(t.Context(), in.ID)
		if err != nil || !bytes.Equal(got.JSON, changed) || got.Status != "active" {
			t.Errorf("Instrument: status=%q err=%v, want the re-imported JSON byte for byte", got.Status, err)
		}
		all, err := db.Instruments(t.Context())
		var ids []string
		for _, i := range all {
			ids = append(ids, i.ID)
		}
		want := []string{"haven-adult-indicators", "haven-rapid-four", "haven-youth-short", in.ID}
		if err != nil || !cmp.Equal(ids, want) {
			t.Errorf("Instruments=%v, %v; want %v", ids, err, want)
		}
	})
}

func TestImportInstrumentRefused(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		tests := []struct {
			name, json string
			kind       haven.Kind
			mention    string
		}{
			{"duplicate linkId", `{"resourceType": "Questionnaire", "url": "https://example.org/q", "status": "draft", "item": [
				{"linkId": "a", "type": "boolean"}, {"linkId": "a", "type": "string"}]}`, haven.Invalid, `"a"`},
			{"enableWhen cycle", `{"resourceType": "Questionnaire", "url": "https://example.org/q", "status": "draft", "item": [
				{"linkId": "a", "type": "boolean", "enableWhen": [{"question": "b", "operator": "exists", "answerBoolean": true}]},
				{"linkId": "b", "type": "boolean", "enableWhen": [{"question": "a", "operator": "exists", "answerBoolean": true}]}]}`, haven.Invalid, "cycle"},
			{"shipped url", `{"resourceType": "Questionnaire", "url": "https://haven.example/fhir/Questionnaire/haven-rapid-four", "status": "draft", "item": [
				{"linkId": "a", "type": "boolean"}]}`, haven.Conflict, "ships"},
		}
		for _, tt := range tests {
			_, _, err := db.ImportInstrument(importingInstruments(t.Context()), []byte(tt.json))
			if haven.ErrorKind(err) != tt.kind || !strings.Contains(haven.ErrorMessage(err), tt.mention) {
				t.Errorf("%s: kind=%v message=%q, want %v mentioning %s", tt.name, haven.ErrorKind(err), haven.ErrorMessage(err), tt.kind, tt.mention)
			}
		}
		if all, _ := db.Instruments(t.Context()); len(all) != 3 {
			t.Errorf("%d instruments after refused imports, want the 3 shipped", len(all))
		}
	})
}

// TestScreeningCanaryNotOnDisk writes a distinctive free-text answer and
// looks for it in the SQLite database file, its WAL and the key store.
func TestScreeningCanaryNotOnDisk(t *testing.T) {
	dir := t.TempDir()
	db := openWithKeys(t, "sqlite:"+filepath.Join(dir, "haven.db"), "sqlite:"+filepath.Join(dir, "keys.db"))
	adv := mustUser(t, db, "advocate", haven.RoleAdvocate)
	s, _, err := db.CreateSurvivor(actorCtx(adv), haven.NewSurvivor{Name: "Synthetic Canary"})
	if err != nil {
		t.Fatal(err)
	}
	const canary = "CANARYSCREENINGNOTE"
	base := rapidResponse(s.ID, "r-leave")
	body := append(base[:len(base)-2:len(base)-2], // drop the closing "]}" of the item list
		`, {"linkId": "r-followup", "item": [{"linkId": "r-followup-notes", "answer": [{"valueString": "`+canary+`"}]}]}]}`...)
	sc, err := db.CreateScreening(actorCtx(adv), haven.NewScreening{SurvivorID: s.ID, Response: body})
	if err != nil {
		t.Fatalf("%v: %v", err, haven.ErrorFields(err))
	}
	if got, err := db.Screening(actorCtx(adv), sc.ID); err != nil || !bytes.Contains(got.Response, []byte(canary)) {
		t.Fatalf("read back: %v; want the note in the decrypted response", err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(canary)) {
			t.Errorf("screening answer in plaintext in %s", filepath.Base(f))
		}
	}
}
