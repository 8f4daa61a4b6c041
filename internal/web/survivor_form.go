package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/haven-care/haven"
)

// maxLanguageRows bounds the language rows of the form, as the domain
// bounds the languages of a record.
const maxLanguageRows = 10

type survivorFormPage struct {
	Page
	// ID is empty on the new-survivor form.
	ID, CaseNumber string
	F              survivorForm
	Error          string
	Fields         map[string]string
	AgeBands       []Option
	Genders        []Option
	Channels       []channelView
}

// survivorForm holds the form's values as typed, so that a form with an
// error comes back exactly as it was sent.
type survivorForm struct {
	// Text holds the fields entered as text, by their registry column.
	Text                                  map[string]string
	AgeBand, Gender                       string
	Languages                             []languageRow
	DoNotContact, VoicemailSafe           bool
	Channels                              []string
	SafeTimes, VoicemailMessage, CodeWord string
	// Groups are the coded groups the gap analysis counts by.
	Groups haven.SurvivorGroups
}

// groupView is one of the survivor's coded groups on the form.
type groupView struct {
	Name, Label, Value, Error string
	Options                   []Option
}

// Groups lays out the survivor's coded groups: gender, region of origin
// and form of trafficking as lists, the area as a place name.
func (p *survivorFormPage) Groups() []groupView {
	g := p.F.Groups
	choices := func(name, value string, codes []string) groupView {
		v := groupView{Name: name, Label: p.T("gap.dim." + name), Error: p.Fields[name],
			Options: []Option{{Value: "", Label: p.T("gap.unknown"), Selected: value == ""}}}
		for _, c := range codes {
			v.Options = append(v.Options, Option{Value: c, Label: p.T("gap." + name + "." + c), Selected: value == c})
		}
		return v
	}
	var genders []string
	for _, x := range haven.SurvivorGenders {
		genders = append(genders, string(x))
	}
	return []groupView{choices("gender", string(g.Gender), genders), choices("region_of_origin", g.RegionOfOrigin, haven.Regions),
		choices("trafficking_type", g.TraffickingType, haven.TraffickingTypes),
		{Name: "area", Label: p.T("survivor.area"), Value: g.Area, Error: p.Fields["area"]}}
}

// entryView is one field of the record that staff enter as text, laid out
// from the field registry: its label is "survivor.<column>" and its hint
// "survivor.<column>_hint", or "one per line" for a list.
type entryView struct {
	Name, Label, Hint, Value, Error string
	// Input is the input type of a one-line entry; empty for a textarea.
	Input string
}

// Entries are the entered fields of one group of the form, in registry
// order.
func (p *survivorFormPage) Entries(group string) []entryView {
	var out []entryView
	for _, f := range haven.SurvivorEntries() {
		if f.Group != group {
			continue
		}
		e := entryView{Name: f.Column, Label: p.T("survivor." + f.Column), Value: p.F.Text[f.Column], Error: p.Fields[f.Column]}
		if hint := "survivor." + f.Column + "_hint"; p.T(hint) != hint {
			e.Hint = p.T(hint)
		} else if f.Entry == haven.List {
			e.Hint = p.T("survivor.one_per_line")
		}
		switch f.Entry {
		case haven.ShortText:
			e.Input = "text"
		case haven.Date:
			e.Input = "date"
		}
		out = append(out, e)
	}
	return out
}

type languageRow struct {
	Code, Dialect string
	Interpreter   bool
	// Unknown is set when what was typed names no language: the row is
	// marked beside its input, and the first such row takes the focus.
	Unknown, Focus bool
	// N numbers the row from 1 for its label.
	N int
}

func (h *Handler) survivorNew(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateSurvivors); err != nil {
		return err
	}
	p := h.survivorFormPage(r, "survivor.new_title", formOf(haven.NewSurvivor{}))
	return h.render(w, http.StatusOK, "survivorform", p)
}

// survivorCreate creates the record and goes to it, carrying the
// possible duplicates the user may see (IDs only) in the address of the
// record page.
func (h *Handler) survivorCreate(w http.ResponseWriter, r *http.Request) error {
	f, ns := parseSurvivorForm(r)
	s, dups, err := h.cfg.Survivors.CreateSurvivor(r.Context(), ns)
	if isKind(err, haven.Invalid) {
		return h.formError(w, r, h.survivorFormPage(r, "survivor.new_title", f), err)
	} else if err != nil {
		return err
	}
	// Only duplicates the user may see come back; others went to the
	// supervisors' review queue, and nothing here hints at them.
	q := url.Values{"created": {"1"}}
	for _, d := range dups {
		q.Add("dup", d.ID)
	}
	http.Redirect(w, r, "/survivors/"+url.PathEscape(s.ID)+"?"+q.Encode(), http.StatusSeeOther)
	return nil
}

func (h *Handler) survivorEdit(w http.ResponseWriter, r *http.Request) error {
	s, err := h.cfg.Survivors.Survivor(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	p := h.survivorFormPage(r, "survivor.edit_title", formOf(s.NewSurvivor))
	p.ID, p.CaseNumber = s.ID, s.CaseNumber
	return h.render(w, http.StatusOK, "survivorform", p)
}

func (h *Handler) survivorUpdate(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	f, ns := parseSurvivorForm(r)
	s, err := h.cfg.Survivors.UpdateSurvivor(r.Context(), id, ns)
	if isKind(err, haven.Invalid) {
		p := h.survivorFormPage(r, "survivor.edit_title", f)
		p.ID, p.CaseNumber = id, r.PostFormValue("case_number")
		return h.formError(w, r, p, err)
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/survivors/"+url.PathEscape(s.ID)+"?saved=1", http.StatusSeeOther)
	return nil
}

// formError shows the form again with each problem beside its field, in
// the page's language.
func (h *Handler) formError(w http.ResponseWriter, r *http.Request, p *survivorFormPage, err error) error {
	p.Error = p.T("form.correct_fields")
	for field, msg := range haven.ErrorFields(err) {
		key := "survivor.err." + field
		if t := p.T(key); t != key {
			msg = t
		}
		p.Fields[field] = msg
	}
	// A language that names none is marked at its own row, named in the
	// message, and takes the focus.
	for i, l := range p.F.Languages {
		if l.Unknown && p.Fields["languages"] != "" {
			p.F.Languages[i].Focus = true
			p.Fields["languages"] = fmt.Sprintf("%s (“%s”)", p.Fields["languages"], l.Code)
			break
		}
	}
	return h.render(w, http.StatusBadRequest, "survivorform", p)
}

func (h *Handler) survivorFormPage(r *http.Request, title string, f survivorForm) *survivorFormPage {
	p := &survivorFormPage{Page: h.page(r, title), F: f, Fields: map[string]string{}}
	p.AgeBands = []Option{{Value: "", Label: p.T("survivor.age_unknown"), Selected: f.AgeBand == ""}}
	for _, b := range haven.AgeBands {
		p.AgeBands = append(p.AgeBands, Option{Value: string(b), Label: string(b), Selected: f.AgeBand == string(b)})
	}
	for _, g := range []haven.ProviderGender{haven.ProviderGenderNone, haven.ProviderGenderFemale, haven.ProviderGenderMale, haven.ProviderGenderNonbinary} {
		p.Genders = append(p.Genders, Option{Value: string(g), Label: p.T("gender." + genderKey(g)), Selected: f.Gender == string(g)})
	}
	for _, ch := range haven.ContactChannels {
		p.Channels = append(p.Channels, channelView{Value: string(ch), Label: p.T("channel." + string(ch)), Safe: slices.Contains(f.Channels, string(ch))})
	}
	return p
}

func genderKey(g haven.ProviderGender) string {
	if g == haven.ProviderGenderNone {
		return "none"
	}
	return string(g)
}

// parseSurvivorForm reads the form into its typed values and into the
// domain input. Lists are one entry per line.
func parseSurvivorForm(r *http.Request) (survivorForm, haven.NewSurvivor) {
	v := func(name string) string { return r.PostFormValue(name) }
	f := survivorForm{Text: map[string]string{}, AgeBand: v("age_band"), Gender: v("preferred_provider_gender"),
		DoNotContact: v("do_not_contact") == "1", VoicemailSafe: v("voicemail_safe") == "1",
		Channels: r.PostForm["contact_channels"], SafeTimes: v("safe_times"), VoicemailMessage: v("voicemail_message"), CodeWord: v("code_word"),
		Groups: haven.SurvivorGroups{Gender: haven.Gender(v("gender")), RegionOfOrigin: v("region_of_origin"),
			TraffickingType: v("trafficking_type"), Area: v("area")}}
	for i := range maxLanguageRows {
		row := languageRow{Dialect: strings.TrimSpace(v(fmt.Sprintf("dialect_%d", i))), Interpreter: v(fmt.Sprintf("interpreter_%d", i)) == "1"}
		typed := strings.TrimSpace(v(fmt.Sprintf("language_%d", i)))
		if typed != "" {
			var ok bool
			row.Code, ok = resolveLanguage(typed)
			row.Unknown = !ok
		}
		if row.Code != "" || row.Dialect != "" {
			f.Languages = append(f.Languages, row)
		}
	}
	ns := haven.NewSurvivor{AgeBand: haven.AgeBand(f.AgeBand), PreferredProviderGender: haven.ProviderGender(f.Gender), Groups: f.Groups,
		SafeContact: haven.SafeContactPlan{DoNotContact: f.DoNotContact, SafeTimes: f.SafeTimes, VoicemailSafe: f.VoicemailSafe,
			VoicemailMessage: f.VoicemailMessage, CodeWord: f.CodeWord}}
	for _, e := range haven.SurvivorEntries() {
		f.Text[e.Column] = v(e.Column)
		switch p := e.Value(&ns).(type) {
		case *string:
			*p = f.Text[e.Column]
		case *[]string:
			*p = lines(f.Text[e.Column])
		}
	}
	for _, ch := range f.Channels {
		ns.SafeContact.Channels = append(ns.SafeContact.Channels, haven.ContactChannel(ch))
	}
	for _, l := range f.Languages {
		ns.Languages = append(ns.Languages, haven.LanguagePreference{Code: l.Code, Dialect: l.Dialect, Interpreter: l.Interpreter})
	}
	return f, ns
}

// lines splits a textarea into its non-empty lines.
func lines(s string) []string {
	var out []string
	for l := range strings.Lines(s) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// formOf is the form filled with ns.
func formOf(ns haven.NewSurvivor) survivorForm {
	f := survivorForm{Text: map[string]string{}, AgeBand: string(ns.AgeBand), Gender: string(ns.PreferredProviderGender),
		DoNotContact: ns.SafeContact.DoNotContact, VoicemailSafe: ns.SafeContact.VoicemailSafe, SafeTimes: ns.SafeContact.SafeTimes,
		VoicemailMessage: ns.SafeContact.VoicemailMessage, CodeWord: ns.SafeContact.CodeWord, Groups: ns.Groups}
	for _, e := range haven.SurvivorEntries() {
		switch p := e.Value(&ns).(type) {
		case *string:
			f.Text[e.Column] = *p
		case *[]string:
			f.Text[e.Column] = strings.Join(*p, "\n")
		}
	}
	for _, ch := range ns.SafeContact.Channels {
		f.Channels = append(f.Channels, string(ch))
	}
	for _, l := range ns.Languages {
		f.Languages = append(f.Languages, languageRow{Code: l.Code, Dialect: l.Dialect, Interpreter: l.Interpreter})
	}
	return f
}

// LanguageRows are the language rows the form shows: those filled in,
// then empty ones up to three, and always one empty row to add to.
func (f survivorForm) LanguageRows() []languageRow {
	rows := slices.Clone(f.Languages)
	for len(rows) < maxLanguageRows && (len(rows) < 3 || rows[len(rows)-1].Code != "") {
		rows = append(rows, languageRow{})
	}
	for i := range rows {
		rows[i].N = i + 1
	}
	return rows
}
