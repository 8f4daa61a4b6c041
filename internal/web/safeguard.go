package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

func init() {
	pageNames = append(pageNames, "testimony")
}

// mountSafeguards mounts a minor's mandated reports and guardian checks,
// an adult's family choice, and the testimony timeline.
func (h *Handler) mountSafeguards(s *server.Server) {
	s.HandleFunc("POST /survivors/{id}/mandated-reports", h.authed(h.reportOpen))
	s.HandleFunc("POST /survivors/{id}/mandated-reports/{rid}/made", h.authed(h.reportMade))
	s.HandleFunc("POST /survivors/{id}/mandated-reports/{rid}/guardian-check", h.authed(h.guardianCheck))
	s.HandleFunc("POST /survivors/{id}/family-choices", h.authed(h.familyChoice))
	s.HandleFunc("GET /survivors/{id}/testimony", h.authed(h.testimony))
}

// safeguardView is the record's safeguards: a minor's mandated reports,
// an adult's family choices.
// safeguardNotices are the notices of the record page after a change.
var safeguardNotices = map[string]bool{"report_opened": true, "report_made": true, "guardian_checked": true, "family_saved": true}

type safeguardView struct {
	Reports []reportView
	// Choice is the family choice in force; History the earlier ones.
	Choice  *familyChoiceView
	History []familyChoiceView
	// ReportFields are what a mandated report may hold.
	ReportFields []Option
	Categories   []Option
	// Errors are the messages of a refused form, by field.
	Errors map[string]string
}

type reportView struct {
	ID, Agency, Jurisdiction, AgencyKind, Due, Number, To, ReportedOn, ReportNumber, Fields string
	Made, Checked, NotImplicated                                                            bool
	CheckNote, CheckedAt                                                                    string
}

type familyChoiceView struct {
	Notify          bool
	Who, What, When string
}

// loadSafeguards fills the record's safeguards.
func (h *Handler) loadSafeguards(r *http.Request, p *survivorPage) error {
	if h.cfg.Safeguards == nil {
		return nil
	}
	v := &safeguardView{Errors: map[string]string{}}
	if p.S.Minor {
		reports, err := h.cfg.Safeguards.MandatedReports(r.Context(), p.S.ID)
		if err != nil {
			return err
		}
		for _, m := range reports {
			rv := reportView{ID: m.ID, Agency: m.Agency, Jurisdiction: m.Jurisdiction, AgencyKind: p.T("safeguard.agency_" + string(m.AgencyKind)),
				Due: m.DueOn, Number: m.Number}
			if m.Made != nil {
				rv.Made, rv.To, rv.ReportedOn, rv.ReportNumber = true, m.Made.To, m.Made.ReportedOn, m.Made.ReportNumber
				var names []string
				for _, k := range m.Made.Fields {
					names = append(names, p.fieldLabel(k))
				}
				rv.Fields = strings.Join(names, ", ")
			}
			if c := m.GuardianCheck; c != nil {
				rv.Checked, rv.NotImplicated, rv.CheckNote, rv.CheckedAt = true, c.NotImplicated, c.Note, p.When(c.CheckedAt)
			}
			v.Reports = append(v.Reports, rv)
		}
		v.ReportFields = p.fieldOptions(haven.AllowedFields(haven.BasisMandatedReport, nil), nil)
	} else {
		choices, err := h.cfg.Safeguards.FamilyChoices(r.Context(), p.S.ID)
		if err != nil {
			return err
		}
		for i, c := range choices {
			fv := familyChoiceView{Notify: c.Notify, Who: c.Who, What: p.consentCategories(c.What), When: p.When(c.RecordedAt)}
			if i == 0 {
				v.Choice = &fv
			} else {
				v.History = append(v.History, fv)
			}
		}
		for _, c := range haven.DataCategories[1:] {
			v.Categories = append(v.Categories, Option{Value: string(c), Label: p.T("consent.category_" + string(c))})
		}
	}
	p.Safeguards = v
	return nil
}

// afterSafeguard redirects to the record's sharing section after a
// change, or shows the record again with the form's errors.
func (h *Handler) afterSafeguard(w http.ResponseWriter, r *http.Request, err error, done string) error {
	id := r.PathValue("id")
	if err == nil {
		http.Redirect(w, r, "/survivors/"+url.PathEscape(id)+"?safeguard="+done+"#sharing", http.StatusSeeOther)
		return nil
	}
	fields := haven.ErrorFields(err)
	if fields == nil {
		return err
	}
	p, perr := h.survivorPage(r)
	if perr != nil {
		return perr
	}
	if p.Safeguards != nil {
		for k := range fields {
			p.Safeguards.Errors[k] = p.T("safeguard.error_" + k)
		}
	}
	return h.render(w, http.StatusBadRequest, "survivor", p)
}

func (h *Handler) reportOpen(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.Invalid, "The form could not be read.")
	}
	f := r.PostForm
	_, err := h.cfg.Safeguards.OpenMandatedReport(r.Context(), r.PathValue("id"), haven.NewMandatedReport{Jurisdiction: f.Get("jurisdiction"),
		AgencyKind: haven.ReportAgencyKind(f.Get("agency_kind")), Agency: f.Get("agency"), DueOn: f.Get("due_on")})
	return h.afterSafeguard(w, r, err, "report_opened")
}

func (h *Handler) reportMade(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.Invalid, "The form could not be read.")
	}
	f := r.PostForm
	m, err := h.cfg.Safeguards.CompleteMandatedReport(r.Context(), r.PathValue("rid"), haven.ReportMade{Fields: f["fields"], To: f.Get("to"),
		ReportedOn: f.Get("reported_on"), ReportNumber: f.Get("report_number")})
	if err == nil && m.SurvivorID != r.PathValue("id") {
		return haven.Errorf(haven.NotFound, "Mandated report not found.")
	}
	return h.afterSafeguard(w, r, err, "report_made")
}

func (h *Handler) guardianCheck(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.Invalid, "The form could not be read.")
	}
	f := r.PostForm
	if v := f.Get("guardian"); v != "not_implicated" && v != "implicated" {
		return h.afterSafeguard(w, r, haven.FieldError("guardian", "Say whether the guardian is implicated."), "")
	}
	m, err := h.cfg.Safeguards.RecordGuardianCheck(r.Context(), r.PathValue("rid"), f.Get("guardian") == "not_implicated", f.Get("note"))
	if err == nil && m.SurvivorID != r.PathValue("id") {
		return haven.Errorf(haven.NotFound, "Mandated report not found.")
	}
	return h.afterSafeguard(w, r, err, "guardian_checked")
}

func (h *Handler) familyChoice(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.Invalid, "The form could not be read.")
	}
	f := r.PostForm
	c := haven.FamilyChoice{Notify: f.Get("notify") == "yes", Who: f.Get("who")}
	for _, w := range f["what"] {
		c.What = append(c.What, haven.DataCategory(w))
	}
	if v := f.Get("notify"); v != "yes" && v != "no" {
		return h.afterSafeguard(w, r, haven.FieldError("notify", "Say whether the family may be told."), "")
	}
	_, err := h.cfg.Safeguards.SetFamilyChoice(r.Context(), r.PathValue("id"), c)
	return h.afterSafeguard(w, r, err, "family_saved")
}

// testimonyPage is the signed-in clinician's own dated entries for one
// survivor, printable, to prepare testimony.
type testimonyPage struct {
	Page
	ID, CaseNumber string
	Entries        []timelineRow
}

type timelineRow struct{ Date, Kind, Text string }

func (h *Handler) testimony(w http.ResponseWriter, r *http.Request) error {
	s, err := h.cfg.Survivors.Survivor(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	entries, err := h.cfg.Safeguards.TestimonyTimeline(r.Context(), s.ID)
	if err != nil {
		return err
	}
	p := testimonyPage{Page: h.page(r, "testimony.title"), ID: s.ID, CaseNumber: s.CaseNumber}
	for _, e := range entries {
		p.Entries = append(p.Entries, timelineRow{Date: e.Date, Kind: p.T("testimony.kind_" + e.Kind), Text: e.Text})
	}
	return h.render(w, http.StatusOK, "testimony", &p)
}
