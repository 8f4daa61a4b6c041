package api

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
	"github.com/haven-care/haven/internal/training"
)

// mountAuditTrail mounts the readable audit trail: search and status for
// administrators and supervisors, a record's access report for its care
// team's lead and supervisors. Scope api:read; the store decides and
// audits.
func (h *Handler) mountAuditTrail(s *server.Server) {
	s.Handle("GET /api/v1/audit/entries", s.RequireToken(haven.ScopeAPIRead, h.auditEntries))
	s.Handle("GET /api/v1/audit/status", s.RequireToken(haven.ScopeAPIRead, h.auditStatus))
	s.Handle("GET /api/v1/survivors/{id}/access-report", s.RequireToken(haven.ScopeAPIRead, h.accessReport))
}

// mountTraining mounts training: modules (without their answers), quiz
// attempts, the token user's own licence and compliance, and the
// supervisors' compliance view.
func (h *Handler) mountTraining(s *server.Server) {
	s.Handle("GET /api/v1/training/modules", s.RequireToken(haven.ScopeAPIRead, h.trainingModules))
	s.Handle("POST /api/v1/training/modules/{id}/attempts", s.RequireToken(haven.ScopeAPIWrite, h.trainingAttempt))
	s.Handle("GET /api/v1/training/me", s.RequireToken(haven.ScopeAPIRead, h.trainingMe))
	s.Handle("PUT /api/v1/training/licence", s.RequireToken(haven.ScopeAPIWrite, h.trainingLicence))
	s.Handle("GET /api/v1/training/compliance", s.RequireToken(haven.ScopeAPIRead, h.trainingCompliance))
}

// AuditEntry is an audit entry as the API returns it: ids, the actor's
// display name and a survivor's case number, nothing else about anyone.
type AuditEntry struct {
	Index      int64     `json:"index"`
	Time       time.Time `json:"time"`
	ActorID    string    `json:"actor_id"`
	ActorName  string    `json:"actor_name"`
	Action     string    `json:"action"`
	ObjectType string    `json:"object_type"`
	ObjectID   string    `json:"object_id"`
	CaseNumber string    `json:"case_number"`
	Outcome    string    `json:"outcome"`
	Reason     string    `json:"reason"`
}

// AuditEntryList is a page of entries; Next, when not 0, is the before=
// of the next (older) page.
type AuditEntryList struct {
	Entries []AuditEntry `json:"entries"`
	Next    int64        `json:"next"`
}

func auditEntries(rows []haven.AuditRow) []AuditEntry {
	out := make([]AuditEntry, 0, len(rows))
	for _, r := range rows {
		out = append(out, AuditEntry{Index: r.Index, Time: r.Time, ActorID: r.ActorID, ActorName: r.ActorName, Action: r.Action,
			ObjectType: r.ObjectType, ObjectID: r.ObjectID, CaseNumber: r.CaseNumber, Outcome: r.Outcome, Reason: r.Reason})
	}
	return out
}

// auditQuery reads a search from the query string: from and to are RFC
// 3339 times, to exclusive.
func auditQuery(v url.Values) (haven.AuditQuery, error) {
	q := haven.AuditQuery{ActorID: v.Get("actor"), Action: v.Get("action"), CaseNumber: v.Get("case"), Outcome: v.Get("outcome"),
		ObjectType: v.Get("object_type"), ObjectID: v.Get("object_id")}
	for name, dst := range map[string]*time.Time{"from": &q.From, "to": &q.To} {
		if s := v.Get(name); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return q, haven.FieldError(name, "Give an RFC 3339 time, such as 2026-05-01T00:00:00Z.")
			}
			*dst = t
		}
	}
	for name, dst := range map[string]*int64{"before": &q.Before} {
		if s := v.Get(name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return q, haven.FieldError(name, "Give a whole number.")
			}
			*dst = n
		}
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return q, haven.FieldError("limit", "Give a whole number.")
		}
		q.Limit = n
	}
	return q, nil
}

func (h *Handler) auditEntries(w http.ResponseWriter, r *http.Request) error {
	q, err := auditQuery(r.URL.Query())
	if err != nil {
		return err
	}
	page, err := h.AuditTrail.SearchAudit(r.Context(), q)
	if err != nil {
		return err
	}
	server.WriteJSON(w, http.StatusOK, AuditEntryList{Entries: auditEntries(page.Rows), Next: page.Next})
	return nil
}

// AuditStatus is the body of GET /api/v1/audit/status.
type AuditStatus struct {
	Size           int64      `json:"size"`
	Hashed         int64      `json:"hashed"`
	CheckpointSize int64      `json:"checkpoint_size"`
	CheckpointAt   *time.Time `json:"checkpoint_at"`
	Checked        bool       `json:"checked"`
	Verified       bool       `json:"verified"`
	Message        string     `json:"message"`
}

func (h *Handler) auditStatus(w http.ResponseWriter, r *http.Request) error {
	st, err := h.AuditTrail.AuditStatus(r.Context(), h.AuditVerifier)
	if err != nil {
		return err
	}
	out := AuditStatus{Size: st.Size, Hashed: st.Hashed, CheckpointSize: st.CheckpointSize, Checked: st.Checked,
		Verified: st.Verified, Message: st.Message}
	if st.CheckpointSize >= 0 {
		out.CheckpointAt = &st.CheckpointAt
	}
	server.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) accessReport(w http.ResponseWriter, r *http.Request) error {
	rows, err := h.AuditTrail.AccessReport(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	server.WriteJSON(w, http.StatusOK, AuditEntryList{Entries: auditEntries(rows)})
	return nil
}

// TrainingQuestion is a quiz question without its answer.
type TrainingQuestion struct {
	ID      string   `json:"id"`
	Text    string   `json:"text"`
	Options []string `json:"options"`
}

// TrainingModule is a module as the API returns it: the quiz's answers
// stay on the server.
type TrainingModule struct {
	ID                   string                  `json:"id"`
	Title                string                  `json:"title"`
	Summary              string                  `json:"summary"`
	CEHours              float64                 `json:"ce_hours"`
	PassPercent          int                     `json:"pass_percent"`
	RequiredForScreening bool                    `json:"required_for_screening"`
	Objectives           []string                `json:"objectives"`
	Sections             []haven.TrainingSection `json:"sections"`
	Questions            []TrainingQuestion      `json:"questions"`
}

// TrainingModuleList is the body of GET /api/v1/training/modules.
type TrainingModuleList struct {
	Modules []TrainingModule `json:"modules"`
}

func (h *Handler) trainingModules(w http.ResponseWriter, r *http.Request) error {
	// The store decides nothing about the shipped modules; the policy read
	// asks the access decision for the token's user (every role may).
	if _, err := h.Training.TrainingPolicy(r.Context()); err != nil {
		return err
	}
	out := TrainingModuleList{Modules: []TrainingModule{}}
	for _, m := range training.Modules() {
		tm := TrainingModule{ID: m.ID, Title: m.Title, Summary: m.Summary, CEHours: m.CEHours, PassPercent: m.PassPercent,
			RequiredForScreening: m.RequiredForScreening, Objectives: m.Objectives, Sections: m.Sections}
		for _, q := range m.Questions {
			tm.Questions = append(tm.Questions, TrainingQuestion{ID: q.ID, Text: q.Text, Options: q.Options})
		}
		out.Modules = append(out.Modules, tm)
	}
	server.WriteJSON(w, http.StatusOK, out)
	return nil
}

// TrainingAttemptInput is the body of a quiz attempt: question id →
// the index of the chosen option.
type TrainingAttemptInput struct {
	Answers map[string]int `json:"answers"`
}

// TrainingCompletion is a quiz attempt as the API returns it.
type TrainingCompletion struct {
	ID          string    `json:"id"`
	ModuleID    string    `json:"module_id"`
	Correct     int       `json:"correct"`
	Total       int       `json:"total"`
	Passed      bool      `json:"passed"`
	CEHours     float64   `json:"ce_hours"`
	CompletedAt time.Time `json:"completed_at"`
}

func completionJSON(c haven.TrainingCompletion) TrainingCompletion {
	return TrainingCompletion{ID: c.ID, ModuleID: c.ModuleID, Correct: c.Correct, Total: c.Total, Passed: c.Passed,
		CEHours: c.CEHours, CompletedAt: c.CompletedAt}
}

func (h *Handler) trainingAttempt(w http.ResponseWriter, r *http.Request) error {
	var in TrainingAttemptInput
	if err := decodeBody(w, r, &in, "attempt"); err != nil {
		return err
	}
	c, err := h.Training.SubmitQuiz(r.Context(), r.PathValue("id"), in.Answers)
	if err != nil {
		return err
	}
	server.WriteJSON(w, http.StatusCreated, completionJSON(*c))
	return nil
}

// Licence is a licence as the API reads and writes it.
type Licence struct {
	Jurisdiction string `json:"jurisdiction"`
	LicenceType  string `json:"licence_type"`
	RenewalOn    string `json:"renewal_on"`
}

// Compliance is a user's standing against their jurisdiction's rule.
type Compliance struct {
	UserID        string   `json:"user_id"`
	UserName      string   `json:"user_name"`
	Licence       *Licence `json:"licence"`
	Status        string   `json:"status"`
	Reason        string   `json:"reason"`
	RuleID        string   `json:"rule_id"`
	Citation      string   `json:"citation"`
	HoursDone     float64  `json:"hours_done"`
	HoursRequired float64  `json:"hours_required"`
	DueBy         string   `json:"due_by"`
}

func complianceJSON(c haven.Compliance) Compliance {
	out := Compliance{UserID: c.UserID, UserName: c.UserName, Status: c.Status, Reason: c.Reason, RuleID: c.RuleID,
		HoursDone: c.HoursDone, HoursRequired: c.HoursRequired, DueBy: c.DueBy}
	if c.Licence != nil {
		out.Licence = &Licence{Jurisdiction: c.Licence.Jurisdiction, LicenceType: c.Licence.LicenceType, RenewalOn: c.Licence.RenewalOn}
	}
	if rule, ok := training.Rules().Rule(c.RuleID); ok {
		out.Citation = rule.Citation
	}
	return out
}

// TrainingMe is the body of GET /api/v1/training/me: the token user's
// compliance, quiz attempts and the modules the screening policy still
// asks of them.
type TrainingMe struct {
	Compliance          Compliance           `json:"compliance"`
	Completions         []TrainingCompletion `json:"completions"`
	MissingForScreening []string             `json:"missing_for_screening"`
}

func (h *Handler) trainingMe(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Training.MyCompliance(r.Context())
	if err != nil {
		return err
	}
	done, err := h.Training.TrainingCompletions(r.Context())
	if err != nil {
		return err
	}
	missing, err := h.Training.ScreeningTrainingMissing(r.Context())
	if err != nil {
		return err
	}
	out := TrainingMe{Compliance: complianceJSON(c), Completions: []TrainingCompletion{}, MissingForScreening: []string{}}
	out.MissingForScreening = append(out.MissingForScreening, missing...)
	for _, d := range done {
		out.Completions = append(out.Completions, completionJSON(d))
	}
	server.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) trainingLicence(w http.ResponseWriter, r *http.Request) error {
	var in Licence
	if err := decodeBody(w, r, &in, "licence"); err != nil {
		return err
	}
	err := h.Training.SetLicence(r.Context(), haven.Licence{Jurisdiction: in.Jurisdiction, LicenceType: in.LicenceType, RenewalOn: in.RenewalOn})
	if err != nil {
		return err
	}
	c, err := h.Training.MyCompliance(r.Context())
	if err != nil {
		return err
	}
	server.WriteJSON(w, http.StatusOK, complianceJSON(c))
	return nil
}

// ComplianceList is the body of GET /api/v1/training/compliance.
type ComplianceList struct {
	Staff []Compliance `json:"staff"`
}

func (h *Handler) trainingCompliance(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Training.StaffCompliance(r.Context())
	if err != nil {
		return err
	}
	out := ComplianceList{Staff: []Compliance{}}
	for _, c := range list {
		out.Staff = append(out.Staff, complianceJSON(c))
	}
	server.WriteJSON(w, http.StatusOK, out)
	return nil
}
