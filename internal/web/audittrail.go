package web

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

func init() {
	pageNames = append(pageNames, "audit", "accessreport")
}

// mountAuditTrail mounts the audit trail's search, its CSV export and
// records' access reports.
func (h *Handler) mountAuditTrail(s *server.Server) {
	s.HandleFunc("GET /audit", h.authed(h.auditSearch))
	s.HandleFunc("POST /audit/export", h.authed(h.auditExport))
	if h.cfg.Survivors != nil {
		s.HandleFunc("GET /survivors/{id}/access-report", h.authed(h.accessReport))
	}
}

// auditForm is the search form's values, as typed.
type auditForm struct {
	Actor, Action, Case, Outcome, From, To string
}

type auditPage struct {
	Page
	Form      auditForm
	Outcomes  []Option
	Rows      []auditRowView
	Fields    map[string]string
	NextURL   string
	Status    haven.AuditStatus
	StatusAt  string
	CanExport bool
	Searched  bool
}

type auditRowView struct {
	Index                                                    int64
	When, Actor, ActorID, Action, Object, Outcome, Reason    string
	CaseNumber, SurvivorID, ActorURL, CaseURL, ObjectTypeKey string
}

// auditQuery reads the search form from v into a query: dates are days in
// the clinic's time zone, To inclusive.
func (h *Handler) auditQuery(v url.Values, p *Page) (auditForm, haven.AuditQuery, map[string]string) {
	f := auditForm{Actor: v.Get("actor"), Action: v.Get("action"), Case: v.Get("case"), Outcome: v.Get("outcome"),
		From: v.Get("from"), To: v.Get("to")}
	q := haven.AuditQuery{ActorID: f.Actor, Action: f.Action, CaseNumber: f.Case, Outcome: f.Outcome}
	errs := map[string]string{}
	day := func(name, s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation(time.DateOnly, s, p.zoneOrUTC())
		if err != nil {
			errs[name] = p.T("audit.date_error")
		}
		return t
	}
	q.From = day("from", f.From)
	if to := day("to", f.To); !to.IsZero() {
		q.To = to.AddDate(0, 0, 1)
	}
	if b := v.Get("before"); b != "" {
		q.Before, _ = strconv.ParseInt(b, 10, 64)
		if q.Before <= 0 {
			errs["before"] = p.T("audit.date_error")
		}
	}
	return f, q, errs
}

func (h *Handler) auditSearch(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateAudit); err != nil {
		return err
	}
	p := auditPage{Page: h.page(r, "audit.title"), Fields: map[string]string{}}
	p.CanExport = gateAuditExport.allows(p.User.Role)
	st, err := h.cfg.AuditTrail.AuditStatus(r.Context(), h.cfg.AuditVerifier)
	if err != nil {
		return err
	}
	p.Status = st
	if st.CheckpointSize >= 0 {
		p.StatusAt = p.When(st.CheckpointAt)
	}
	v := r.URL.Query()
	var q haven.AuditQuery
	p.Form, q, p.Fields = h.auditQuery(v, &p.Page)
	p.Outcomes = []Option{{Value: "", Label: p.T("audit.any")}}
	for _, o := range []string{haven.OutcomeSuccess, haven.OutcomeDenied, haven.OutcomeFailure} {
		p.Outcomes = append(p.Outcomes, Option{Value: o, Label: p.T("audit.outcome_" + o), Selected: o == p.Form.Outcome})
	}
	status := http.StatusOK
	if len(p.Fields) == 0 {
		page, err := h.cfg.AuditTrail.SearchAudit(r.Context(), q)
		if fe := haven.ErrorFields(err); len(fe) > 0 {
			for k := range fe {
				p.Fields[k] = p.T("audit.invalid_" + k)
			}
		} else if isKind(err, haven.Invalid) {
			p.Notice = haven.ErrorMessage(err)
			status = http.StatusBadRequest
		} else if err != nil {
			return err
		} else {
			p.Searched = true
			p.Rows = p.auditRows(page.Rows)
			if page.Next > 0 {
				next := url.Values{}
				for k, vs := range v {
					if k != "before" {
						next[k] = vs
					}
				}
				next.Set("before", strconv.FormatInt(page.Next, 10))
				p.NextURL = "/audit?" + next.Encode()
			}
		}
	}
	if len(p.Fields) > 0 {
		status = http.StatusBadRequest
	}
	return h.render(w, status, "audit", &p)
}

// auditRows shows entries: actors by display name, survivors by case
// number, never anything else about them.
func (p *Page) auditRows(rows []haven.AuditRow) []auditRowView {
	out := make([]auditRowView, 0, len(rows))
	for _, e := range rows {
		v := auditRowView{Index: e.Index, When: p.When(e.Time), Actor: e.ActorName, ActorID: e.ActorID, Action: e.Action,
			Outcome: p.T("audit.outcome_" + e.Outcome), Reason: e.Reason, CaseNumber: e.CaseNumber,
			ActorURL: "/audit?actor=" + url.QueryEscape(e.ActorID)}
		if v.Actor == "" {
			v.Actor = e.ActorID
		}
		if e.CaseNumber != "" {
			v.Object = e.CaseNumber
			v.CaseURL = "/audit?case=" + url.QueryEscape(e.CaseNumber)
		} else if e.ObjectType == "survivor" && e.ObjectID != "" {
			v.Object = p.T("audit.record_deleted")
		} else {
			v.Object = e.ObjectType
			if e.ObjectID != "" {
				v.Object += " " + e.ObjectID
			}
		}
		out = append(out, v)
	}
	return out
}

// auditExport writes the entries the form selects as CSV: ids, display
// names and case numbers, as the page shows them. The store audits it.
func (h *Handler) auditExport(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateAuditExport); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.Invalid, "The form could not be read.")
	}
	pg := h.page(r, "audit.title")
	_, q, errs := h.auditQuery(r.PostForm, &pg)
	if len(errs) > 0 {
		return haven.Errorf(haven.Invalid, "A date is not in the form YYYY-MM-DD.")
	}
	q.Before = 0
	rows, err := h.cfg.AuditTrail.ExportAudit(r.Context(), q)
	if err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/csv; charset=utf-8")
	hd.Set("Content-Disposition", `attachment; filename="haven-audit.csv"`)
	hd.Set("X-Content-Type-Options", "nosniff")
	cw := csv.NewWriter(w)
	cw.Write([]string{"index", "time_utc", "actor_id", "actor", "action", "object_type", "object_id", "case_number", "outcome", "reason"})
	for _, e := range rows {
		cw.Write([]string{strconv.FormatInt(e.Index, 10), e.Time.UTC().Format(time.RFC3339), csvSafe(e.ActorID), csvSafe(e.ActorName),
			e.Action, e.ObjectType, csvSafe(e.ObjectID), csvSafe(e.CaseNumber), e.Outcome, csvSafe(e.Reason)})
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}

type accessReportPage struct {
	Page
	SurvivorID, CaseNumber string
	Rows                   []auditRowView
}

// accessReport shows who opened a record, when and why, to its care
// team's lead and supervisors (the store decides; others get NotFound).
func (h *Handler) accessReport(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	rows, err := h.cfg.AuditTrail.AccessReport(r.Context(), id)
	if err != nil {
		return err
	}
	p := accessReportPage{Page: h.page(r, "access.title"), SurvivorID: id}
	p.Rows = p.auditRows(rows)
	for _, e := range rows {
		if e.CaseNumber != "" {
			p.CaseNumber = e.CaseNumber
			break
		}
	}
	return h.render(w, http.StatusOK, "accessreport", &p)
}

// loadAccessLink offers the record's access report to those who may read
// it: the care team's lead and supervisors, the same who may change the
// team (never under emergency access).
func (h *Handler) loadAccessLink(p *survivorPage) {
	p.AccessReport = h.cfg.AuditTrail != nil && p.Team != nil && p.Team.CanChange && p.EmergencyUntil == ""
}
