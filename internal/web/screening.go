package web

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/screening"
	"github.com/haven-care/haven/internal/server"
)

func init() {
	pageNames = append(pageNames, "screeningchoose", "screeningform", "screeningresult", "screeningrefused")
}

// mountScreenings mounts the screening pages: choose an instrument, answer
// it (the safety checklist first; enableWhen applied on the server), read
// the result. URLs carry IDs only.
func (h *Handler) mountScreenings(s *server.Server) {
	s.HandleFunc("GET /survivors/{id}/screenings/new", h.authed(h.screeningNew))
	s.HandleFunc("POST /survivors/{id}/screenings/new", h.authed(h.screeningSubmit))
	s.HandleFunc("GET /screenings/{id}", h.authed(h.screeningShow))
	s.HandleFunc("POST /screenings/{id}/outcome", h.authed(h.screeningOutcome))
}

type screeningChoosePage struct {
	Page
	SurvivorID  string
	Instruments []haven.Instrument
	Previous    []previousScreening
}

type previousScreening struct {
	ID, Instrument, Concern, Date string
}

// screeningNew shows the instrument chooser, or with ?instrument= the
// instrument's form with what is enabled before any answer.
func (h *Handler) screeningNew(w http.ResponseWriter, r *http.Request) error {
	survivorID := r.PathValue("id")
	if refused, err := h.refuseEmergency(w, r, survivorID); refused || err != nil {
		return err
	}
	if refused, err := h.refuseUntrained(w, r, survivorID); refused || err != nil {
		return err
	}
	// Listing checks the care-team relationship (and audits it) before
	// anything about the record is shown.
	list, err := h.cfg.Screenings.Screenings(r.Context(), survivorID)
	if err != nil {
		return err
	}
	if id := r.URL.Query().Get("instrument"); id != "" {
		f, err := h.loadForm(r, survivorID, id)
		if err != nil {
			return err
		}
		return h.renderForm(w, r, f, "")
	}
	all, err := h.cfg.Screenings.Instruments(r.Context())
	if err != nil {
		return err
	}
	p := screeningChoosePage{Page: h.page(r, "screening.choose_title"), SurvivorID: survivorID}
	for _, in := range all {
		if in.Status != "retired" {
			in.Title = p.instrumentTitle(in.ID, in.Title)
			p.Instruments = append(p.Instruments, in)
		}
	}
	titles := p.instrumentTitles(all)
	for _, s := range list {
		p.Previous = append(p.Previous, previousScreening{ID: s.ID, Instrument: titles[s.InstrumentID],
			Concern: p.concern(s.Concern, s.Screened), Date: p.When(s.CreatedAt)})
	}
	return h.render(w, http.StatusOK, "screeningchoose", &p)
}

// instrumentTitles maps each instrument's ID to its title in the page's
// language.
func (p *Page) instrumentTitles(all []haven.Instrument) map[string]string {
	m := map[string]string{}
	for _, in := range all {
		m[in.ID] = p.instrumentTitle(in.ID, in.Title)
	}
	return m
}

// instrumentTitle is the catalog's title of a shipped instrument in the
// page's language; an imported instrument keeps its own title.
func (p *Page) instrumentTitle(id, title string) string {
	if t := p.T("instrument." + id); t != "instrument."+id {
		return t
	}
	return title
}

// screeningSubmit re-renders the form with the items the answers enable,
// or, when the worker finishes and no new item appeared, stores the
// screening and shows its result.
func (h *Handler) screeningSubmit(w http.ResponseWriter, r *http.Request) error {
	survivorID := r.PathValue("id")
	if refused, err := h.refuseEmergency(w, r, survivorID); refused || err != nil {
		return err
	}
	if refused, err := h.refuseUntrained(w, r, survivorID); refused || err != nil {
		return err
	}
	f, err := h.loadForm(r, survivorID, r.URL.Query().Get("instrument"))
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.Invalid, "The form could not be read.")
	}
	f.read(r.PostForm)
	if len(f.fieldErrors) > 0 {
		return h.renderForm(w, r, f, "screening.fix")
	}
	shown := r.PostForm["shown"]
	if r.PostForm.Get("step") != "finish" || !slices.Equal(shown, f.shownQuestions()) {
		if f.stopped() {
			return h.renderForm(w, r, f, "screening.stopped")
		}
		return h.renderForm(w, r, f, "screening.more_shown")
	}
	if blank := f.blankQuestions(); len(blank) > 0 {
		f.fieldErrors = blank
		return h.renderForm(w, r, f, "screening.fix")
	}
	body, err := f.response(survivorID, time.Now())
	if err != nil {
		return err
	}
	sc, err := h.cfg.Screenings.CreateScreening(r.Context(), haven.NewScreening{SurvivorID: survivorID, InstrumentID: f.in.ID, Response: body})
	if isKind(err, haven.Invalid) && len(haven.ErrorFields(err)) > 0 {
		f.fieldErrors = haven.ErrorFields(err)
		return h.renderForm(w, r, f, "screening.fix")
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/screenings/"+url.PathEscape(sc.ID), http.StatusSeeOther)
	return nil
}

type screeningRefusedPage struct {
	Page
	SurvivorID, CaseNumber, Until string
}

// refuseEmergency answers a screening page of a record the user reads
// through emergency access with a page that says why no screening can be
// run: the record is read-only then, and the store would refuse to keep
// the answers. It reports whether it answered. The check reads the record
// as the record page does (an audited read), before any question is shown.
func (h *Handler) refuseEmergency(w http.ResponseWriter, r *http.Request, survivorID string) (bool, error) {
	if h.cfg.Survivors == nil {
		return false, nil
	}
	s, err := h.cfg.Survivors.Survivor(r.Context(), survivorID)
	if err != nil {
		return true, err
	}
	if s.EmergencyUntil.IsZero() {
		return false, nil
	}
	p := screeningRefusedPage{Page: h.page(r, "screening.emergency_title"), SurvivorID: s.ID, CaseNumber: s.CaseNumber}
	p.Until = p.Clock(s.EmergencyUntil)
	return true, h.render(w, http.StatusForbidden, "screeningrefused", &p)
}

// loadForm reads the instrument and starts a form for it.
func (h *Handler) loadForm(r *http.Request, survivorID, instrumentID string) (*screeningForm, error) {
	in, err := h.cfg.Screenings.Instrument(r.Context(), instrumentID)
	if err != nil {
		return nil, err
	}
	q, err := screening.ParseQuestionnaire(in.JSON)
	if err != nil {
		return nil, err
	}
	return newScreeningForm(in, q, survivorID), nil
}

type screeningFormPage struct {
	Page
	SurvivorID string
	Instrument *haven.Instrument
	// Title is the instrument's, in the page's language.
	Title string
	Items []itemView
	Shown []string
	Error string
}

func (h *Handler) renderForm(w http.ResponseWriter, r *http.Request, f *screeningForm, messageKey string) error {
	p := screeningFormPage{Page: h.page(r, "screening.title"), SurvivorID: f.survivorID, Instrument: f.in, Shown: f.shownQuestions()}
	p.Title = p.instrumentTitle(f.in.ID, f.in.Title)
	p.Items = f.views(&p.Page)
	status := http.StatusOK
	switch messageKey {
	case "screening.fix":
		p.Error, status = p.T(messageKey), http.StatusUnprocessableEntity
	case "":
	default:
		p.Notice = p.T(messageKey)
	}
	return h.render(w, status, "screeningform", &p)
}

type screeningResultPage struct {
	Page
	S          *haven.Screening
	Instrument string
	Concern    string
	Summary    string
	Flagged    []string
	Steps      []haven.ScreeningStep
	// Codes are the suggested codes, described in the page's language.
	Codes []haven.ScreeningCode
	// Outcomes are the confirmed outcomes staff may record; Saved says
	// one was just recorded.
	Outcomes []Option
	Saved    bool
	resultAnswers
}

// screeningShow shows a result: prompts, not a diagnosis; the level of
// concern, next steps and suggested ICD-10-CM codes.
func (h *Handler) screeningShow(w http.ResponseWriter, r *http.Request) error {
	sc, err := h.cfg.Screenings.Screening(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	p := screeningResultPage{Page: h.page(r, "screening.result_title"), S: sc, Instrument: sc.InstrumentID}
	if in, err := h.cfg.Screenings.Instrument(r.Context(), sc.InstrumentID); err == nil {
		p.Instrument = p.instrumentTitle(in.ID, in.Title)
		p.resultAnswers = answersOfResult(sc, in)
	}
	for _, c := range sc.Result.Codes {
		p.Codes = append(p.Codes, haven.ScreeningCode{Code: c.Code, Display: p.codeText(c.Code, c.Display)})
	}
	res := sc.Result
	p.Concern = p.concern(res.Concern, res.Screened)
	p.Summary = p.resultText("screening.summary."+summaryState(res), res.Summary)
	for _, d := range res.Flagged {
		p.Flagged = append(p.Flagged, p.resultText("screening.domain."+d, d))
	}
	for _, s := range res.NextSteps {
		p.Steps = append(p.Steps, haven.ScreeningStep{Kind: s.Kind, Text: p.resultText(stepKey(s.Kind, res), s.Text)})
	}
	p.Saved = r.URL.Query().Has("outcome_saved")
	for _, o := range append([]haven.ScreeningOutcome{haven.OutcomeUnknown}, haven.ScreeningOutcomes...) {
		key := "screening.outcome.unknown"
		if o != haven.OutcomeUnknown {
			key = "screening.outcome." + string(o)
		}
		p.Outcomes = append(p.Outcomes, Option{Value: string(o), Label: p.T(key), Selected: sc.Outcome == o})
	}
	return h.render(w, http.StatusOK, "screeningresult", &p)
}

// screeningOutcome records what staff later confirmed about the screened
// person, for the gap report's accuracy figures.
func (h *Handler) screeningOutcome(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := h.cfg.Screenings.RecordScreeningOutcome(r.Context(), id, haven.ScreeningOutcome(r.PostFormValue("outcome"))); err != nil {
		return err
	}
	http.Redirect(w, r, "/screenings/"+url.PathEscape(id)+"?outcome_saved=1#outcome", http.StatusSeeOther)
	return nil
}

// concern is the label of a level of concern.
func (p *Page) concern(c string, screened bool) string {
	if !screened {
		return p.T("screening.not_screened")
	}
	return p.resultText("screening.concern."+c, c)
}

// resultText is the catalog text of key in the page's language, or the
// engine's English text: in English, and for anything the catalog lacks
// (an imported instrument's own domains, a new kind of step).
func (p *Page) resultText(key, engine string) string {
	if p.Lang == "en" {
		return engine
	}
	if s, ok := p.cats.staff[p.Lang][key]; ok {
		return s
	}
	return engine
}

// summaryState names the summary a result carries.
func summaryState(res haven.ScreeningResult) string {
	switch {
	case !res.Screened:
		return "not_screened"
	case res.Concern == "none" || res.Concern == "low":
		return res.Concern
	}
	return "indicators"
}

// stepKey is the catalog key of a next step: offer-support and rescreen
// read differently with no indicators and when not screened.
func stepKey(kind string, res haven.ScreeningResult) string {
	if kind == "offer-support" || kind == "rescreen" {
		switch st := summaryState(res); st {
		case "none", "not_screened":
			return "screening.step." + kind + "." + st
		}
	}
	return "screening.step." + kind
}

// itemData is what the recursive screening-item template gets: the page
// (for translations) and one item.
type itemData struct {
	P *screeningFormPage
	I itemView
}

func init() {
	funcs["itemData"] = func(p *screeningFormPage, i itemView) itemData { return itemData{p, i} }
}

// screeningSection is the record's screenings: every one, newest first,
// with its instrument, date and level of concern, linking to its result.
type screeningSection struct {
	// Shown is false when the screening service is not configured.
	Shown bool
	Rows  []previousScreening
	// list is what the store returned, for the encounters section.
	list   []haven.ScreeningSummary
	titles map[string]string
}

// loadScreenings fills the screenings section of p's record (an audited
// read). A screening the safety checklist stopped says so: its level of
// concern says nothing, and "none" would read as a negative screen.
func (h *Handler) loadScreenings(r *http.Request, p *survivorPage) error {
	if h.cfg.Screenings == nil {
		return nil
	}
	list, err := h.cfg.Screenings.Screenings(r.Context(), p.S.ID)
	if err != nil {
		return err
	}
	all, err := h.cfg.Screenings.Instruments(r.Context())
	if err != nil {
		return err
	}
	s := &p.Screenings
	s.Shown, s.list, s.titles = true, list, p.instrumentTitles(all)
	for _, sc := range list {
		row := previousScreening{ID: sc.ID, Instrument: s.titles[sc.InstrumentID], Date: p.When(sc.CreatedAt),
			Concern: p.concern(sc.Concern, sc.Screened)}
		if !sc.Screened {
			row.Concern = p.T("hub.screening_stopped")
		}
		s.Rows = append(s.Rows, row)
	}
	return nil
}
