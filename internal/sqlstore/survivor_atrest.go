package sqlstore

import (
	"encoding/json"
	"fmt"

	"github.com/haven-care/haven"
)

// The at-rest forms of survivors' structured values. They are the store's
// own types, apart from the domain's and the API's JSON: renaming an API
// field never changes how a stored record decodes. A form that must change
// gets a new version beside the old one ("v": 2 in its JSON), and the
// reader keeps decoding every version ever written.

// sealedField is one encrypted column of survivors: how a record's value
// becomes the plaintext that is sealed, and back.
type sealedField struct {
	column string
	encode func(*haven.NewSurvivor) ([]byte, error)
	decode func([]byte, *haven.NewSurvivor) error
}

// survivorSecrets are the encrypted columns of survivors, in the order of
// the field registry (haven.Fields), which names them once.
var survivorSecrets = sealedFields()

// sealedFields builds survivorSecrets from the registry: text and lists
// are sealed as JSON strings and arrays, which cannot drift; any other
// value needs an at-rest form in atRest, or the program does not start.
func sealedFields() []sealedField {
	var out []sealedField
	for _, f := range haven.Fields {
		if f.Table != "survivors" || !f.Class.Encrypted() {
			continue
		}
		if f.Value == nil {
			panic(fmt.Sprintf("sqlstore: survivors.%s is encrypted but the field registry gives no value", f.Column))
		}
		if codec, ok := atRest[f.Column]; ok {
			out = append(out, codec)
			continue
		}
		switch f.Value(&haven.NewSurvivor{}).(type) {
		case *string, *[]string:
		default:
			panic(fmt.Sprintf("sqlstore: survivors.%s has no at-rest form", f.Column))
		}
		value := f.Value
		out = append(out, sealedField{column: f.Column,
			encode: func(ns *haven.NewSurvivor) ([]byte, error) { return json.Marshal(value(ns)) },
			decode: func(b []byte, ns *haven.NewSurvivor) error { return json.Unmarshal(b, value(ns)) }})
	}
	return out
}

// atRest holds the sealed columns whose values have structure.
var atRest = map[string]sealedField{
	"safe_contact": {column: "safe_contact",
		encode: func(ns *haven.NewSurvivor) ([]byte, error) { return json.Marshal(safeContactAtRest(ns.SafeContact)) },
		decode: func(b []byte, ns *haven.NewSurvivor) error {
			var v safeContactV1
			if err := json.Unmarshal(b, &v); err != nil {
				return err
			}
			ns.SafeContact = v.plan()
			return nil
		}},
	// The free-text dialect of each preferred language, in the order of the
	// coded languages column, which is read first and filled in from it.
	"language_dialects": {column: "language_dialects",
		encode: func(ns *haven.NewSurvivor) ([]byte, error) {
			list := make([]string, len(ns.Languages))
			for i, l := range ns.Languages {
				list[i] = l.Dialect
			}
			return json.Marshal(list)
		},
		decode: func(b []byte, ns *haven.NewSurvivor) error {
			var list []string
			if err := json.Unmarshal(b, &list); err != nil {
				return err
			}
			for i := range min(len(list), len(ns.Languages)) {
				ns.Languages[i].Dialect = list[i]
			}
			return nil
		}},
}

// safeContactV1 is the first at-rest form of a safe-contact plan. Its
// keys must never change.
type safeContactV1 struct {
	DoNotContact     bool     `json:"do_not_contact"`
	Channels         []string `json:"channels"`
	SafeTimes        string   `json:"safe_times,omitempty"`
	VoicemailSafe    bool     `json:"voicemail_safe"`
	VoicemailMessage string   `json:"voicemail_message,omitempty"`
	CodeWord         string   `json:"code_word,omitempty"`
}

func safeContactAtRest(p haven.SafeContactPlan) safeContactV1 {
	v := safeContactV1{DoNotContact: p.DoNotContact, SafeTimes: p.SafeTimes, VoicemailSafe: p.VoicemailSafe,
		VoicemailMessage: p.VoicemailMessage, CodeWord: p.CodeWord, Channels: []string{}}
	for _, ch := range p.Channels {
		v.Channels = append(v.Channels, string(ch))
	}
	return v
}

func (v safeContactV1) plan() haven.SafeContactPlan {
	p := haven.SafeContactPlan{DoNotContact: v.DoNotContact, SafeTimes: v.SafeTimes, VoicemailSafe: v.VoicemailSafe,
		VoicemailMessage: v.VoicemailMessage, CodeWord: v.CodeWord}
	for _, ch := range v.Channels {
		p.Channels = append(p.Channels, haven.ContactChannel(ch))
	}
	return p
}

// languageV1 is the stored form of one language preference, in the coded
// languages column (a JSON array). Its keys must never change. Dialect is
// read only from rows written before migration 0012 sealed dialects apart
// (language_dialects); it is never written.
type languageV1 struct {
	Code        string `json:"code"`
	Dialect     string `json:"dialect,omitempty"`
	Interpreter bool   `json:"interpreter,omitempty"`
}

// languagesAtRest is the coded languages column of ls: codes and
// interpreter need, without the dialects, which are sealed.
func languagesAtRest(ls []haven.LanguagePreference) string {
	v := make([]languageV1, len(ls))
	for i, l := range ls {
		v[i] = languageV1{Code: l.Code, Interpreter: l.Interpreter}
	}
	b, _ := json.Marshal(v) // strings and bools always marshal
	return string(b)
}

// languagesFromRest decodes the coded languages column.
func languagesFromRest(col string) ([]haven.LanguagePreference, error) {
	var v []languageV1
	if err := json.Unmarshal([]byte(col), &v); err != nil {
		return nil, fmt.Errorf("decode survivors.languages: %w", err)
	}
	var out []haven.LanguagePreference
	for _, l := range v {
		out = append(out, haven.LanguagePreference{Code: l.Code, Dialect: l.Dialect, Interpreter: l.Interpreter})
	}
	return out, nil
}
