package screening

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"

	"github.com/haven-care/haven"
)

// instrumentFS holds the instruments Haven ships, one Questionnaire JSON
// file per instrument, written in Haven's own words.
//
//go:embed instruments/*.json
var instrumentFS embed.FS

// SourceURL is the URL of Haven's extension citing the published tool
// whose domains an instrument covers, with that tool's published accuracy.
const SourceURL = "https://haven.example/fhir/StructureDefinition/source"

// Source is a published tool an instrument draws on.
type Source struct {
	Citation string   `json:"citation"`
	Relation string   `json:"relation"`           // how Haven's instrument relates to it
	Accuracy []string `json:"accuracy,omitempty"` // the published accuracy, as reported
}

// Instruments returns the instruments Haven ships, parsed afresh (callers
// may change them), ordered by id.
func Instruments() ([]*Questionnaire, error) {
	names, err := fs.Glob(instrumentFS, "instruments/*.json")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	out := make([]*Questionnaire, 0, len(names))
	for _, name := range names {
		data, err := instrumentFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		q, err := ParseQuestionnaire(data)
		if err != nil {
			return nil, fmt.Errorf("shipped instrument %s: %w", name, err)
		}
		out = append(out, q)
	}
	return out, nil
}

// Instrument returns the shipped instrument with the given id, or NotFound.
func Instrument(id string) (*Questionnaire, error) {
	all, err := Instruments()
	if err != nil {
		return nil, err
	}
	for _, q := range all {
		if q.ID == id {
			return q, nil
		}
	}
	return nil, haven.Errorf(haven.NotFound, "No instrument %q.", id)
}

// Sources returns the published tools the questionnaire cites in Haven's
// source extension.
func (q *Questionnaire) Sources() []Source {
	var out []Source
	for _, ext := range q.Extension {
		if ext.URL != SourceURL {
			continue
		}
		var s Source
		for _, e := range ext.Extension {
			text, _ := e.Value.Text()
			switch e.URL {
			case "citation":
				s.Citation = text
			case "relation":
				s.Relation = text
			case "accuracy":
				s.Accuracy = append(s.Accuracy, text)
			}
		}
		out = append(out, s)
	}
	return out
}
