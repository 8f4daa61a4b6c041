package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/haven-care/haven"
)

// encounterSection is the record's encounters, newest first, and the form
// that adds one: not under emergency access, which is read-only, and with
// a screening's suggested codes to accept only for clinicians.
type encounterSection struct {
	// Shown is false when the encounter service is not configured.
	Shown bool
	Rows  []encounterRow
	// CanAdd: the form is offered (not under emergency access).
	CanAdd bool
	// CanCode: the user is a clinician, who alone accepts codes.
	CanCode bool
	// Screenings are those the encounter may follow; Codable those whose
	// suggested codes a clinician may load into the form.
	Screenings []Option
	Codable    []Option
	// Coding is the chosen screening with its suggested codes, if any.
	Coding *codingView
	Form   encounterForm
	Error  string
	Fields map[string]string
}

type encounterRow struct {
	Date, Author, Written, Screening string
	Note                             []string
	Codes                            []haven.EncounterCode
}

// encounterForm is what the user typed, shown again after a refusal.
type encounterForm struct {
	OccurredOn, Note, ScreeningID string
}

// codingView is a screening's suggested codes, each to accept with its
// 7th character.
type codingView struct {
	ScreeningID, Label string
	Codes              []codeChoice
}

// codeChoice is one suggested code without its 7th character ("T76.61X")
// and its title without the encounter, with the 7th characters to choose.
type codeChoice struct {
	Base, Title string
	Checked     bool
	Seventh     []Option
}

// loadEncounters fills the encounters section of p's record (an audited
// read) and its form. Call it after loadScreenings.
func (h *Handler) loadEncounters(r *http.Request, p *survivorPage) error {
	if h.cfg.Encounters == nil {
		return nil
	}
	list, err := h.cfg.Encounters.Encounters(r.Context(), p.S.ID)
	if err != nil {
		return err
	}
	s := &p.Encounters
	s.Shown, s.CanAdd = true, p.EmergencyUntil == ""
	s.CanCode = s.CanAdd && p.User != nil && p.User.Role == haven.RoleClinician
	labels := map[string]string{}
	for _, sc := range p.Screenings.list {
		label := p.When(sc.CreatedAt) + " — " + p.Screenings.titles[sc.InstrumentID]
		labels[sc.ID] = label
		s.Screenings = append(s.Screenings, Option{Value: sc.ID, Label: label})
		if sc.Screened && sc.Concern != "none" && s.CanCode {
			s.Codable = append(s.Codable, Option{Value: sc.ID, Label: label, Selected: sc.ID == r.URL.Query().Get("screening")})
		}
	}
	for _, e := range list {
		row := encounterRow{Date: e.OccurredOn, Author: e.AuthorName, Written: p.When(e.CreatedAt),
			Screening: labels[e.ScreeningID], Note: lines(e.Note)}
		for _, c := range e.Codes {
			row.Codes = append(row.Codes, haven.EncounterCode{Code: c.Code, Display: p.codeText(c.Code, c.Display)})
		}
		s.Rows = append(s.Rows, row)
	}
	s.Form.OccurredOn = h.today()
	if id := r.URL.Query().Get("screening"); id != "" && s.CanCode {
		return h.loadCoding(r, p, id, nil)
	}
	return nil
}

// loadCoding reads the chosen screening (an audited read) and offers its
// suggested codes, with those in accepted ("T76.61XD") checked. A
// screening of another record is ignored.
func (h *Handler) loadCoding(r *http.Request, p *survivorPage, screeningID string, accepted []string) error {
	if h.cfg.Screenings == nil {
		return nil
	}
	sc, err := h.cfg.Screenings.Screening(r.Context(), screeningID)
	if isKind(err, haven.NotFound) || err == nil && sc.SurvivorID != p.S.ID {
		return nil
	} else if err != nil {
		return err
	}
	c := &codingView{ScreeningID: sc.ID, Label: p.When(sc.CreatedAt) + " — " + p.Screenings.titles[sc.InstrumentID]}
	for _, code := range sc.Result.Codes {
		c.Codes = append(c.Codes, p.codeChoice(code, accepted))
	}
	p.Encounters.Coding, p.Encounters.Form.ScreeningID = c, sc.ID
	return nil
}

// codeChoice offers a suggested code: a T code (8 characters) without its
// 7th character, the initial encounter chosen unless accepted says
// otherwise; another code as it is.
func (p *Page) codeChoice(code haven.ScreeningCode, accepted []string) codeChoice {
	if len(code.Code) != 8 || !strings.HasPrefix(code.Code, "T7") {
		return codeChoice{Base: code.Code, Title: p.codeText(code.Code, code.Display), Checked: slices.Contains(accepted, code.Code)}
	}
	// The title without its encounter, which the 7th character chooses.
	c := codeChoice{Base: code.Code[:7], Title: p.T("icd." + code.Code[:6])}
	if c.Title == "icd."+code.Code[:6] {
		c.Title = code.Display
		if i := strings.LastIndex(c.Title, ", "); i > 0 {
			c.Title = c.Title[:i]
		}
	}
	chosen := "A"
	for _, a := range accepted {
		if len(a) == 8 && a[:7] == c.Base {
			c.Checked, chosen = true, a[7:]
		}
	}
	for _, s := range haven.SeventhCharacters {
		c.Seventh = append(c.Seventh, Option{Value: s, Label: p.T("encounter.seventh." + s), Selected: s == chosen})
	}
	return c
}

// encounterAdd adds an encounter from the form. A refused one shows the
// record again with the problems and what the user typed.
func (h *Handler) encounterAdd(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	ne := haven.NewEncounter{SurvivorID: id, OccurredOn: r.PostFormValue("occurred_on"), Note: r.PostFormValue("note"),
		ScreeningID: r.PostFormValue("screening_id")}
	for _, base := range r.PostForm["code"] {
		ne.Codes = append(ne.Codes, base+r.PostFormValue("seventh-"+base))
	}
	_, err := h.cfg.Encounters.AddEncounter(r.Context(), ne)
	if err == nil {
		http.Redirect(w, r, "/survivors/"+url.PathEscape(id)+"?encounter=added#encounters", http.StatusSeeOther)
		return nil
	}
	status := http.StatusBadRequest
	if isKind(err, haven.Forbidden) {
		status = http.StatusForbidden
	} else if !isKind(err, haven.Invalid) {
		return err
	}
	p, perr := h.survivorPage(r)
	if perr != nil {
		return perr
	}
	s := &p.Encounters
	if !s.CanAdd {
		return err
	}
	s.Form = encounterForm{OccurredOn: ne.OccurredOn, Note: ne.Note, ScreeningID: ne.ScreeningID}
	if ne.ScreeningID != "" && s.CanCode {
		if err := h.loadCoding(r, p, ne.ScreeningID, ne.Codes); err != nil {
			return err
		}
	}
	s.Error, s.Fields = haven.ErrorMessage(err), map[string]string{}
	for field := range haven.ErrorFields(err) {
		s.Fields[field] = p.T("encounter.err." + field)
	}
	if len(s.Fields) > 0 {
		s.Error = p.T("form.correct_fields")
	} else if status == http.StatusForbidden {
		s.Error = p.T("encounter.err.codes_clinician")
	}
	for i := range s.Screenings {
		s.Screenings[i].Selected = s.Screenings[i].Value == ne.ScreeningID
	}
	return h.render(w, status, "survivor", p)
}
