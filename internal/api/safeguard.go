package api

import (
	"net/http"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

// mountSafeguards mounts minors' mandated reports and guardian safety
// checks, adults' family choices and clinicians' testimony timelines.
// The store decides access and audits each call.
func (h *Handler) mountSafeguards(s *server.Server) {
	s.Handle("GET /api/v1/survivors/{id}/mandated-reports", s.RequireToken(haven.ScopeAPIRead, h.listMandatedReports))
	s.Handle("POST /api/v1/survivors/{id}/mandated-reports", s.RequireToken(haven.ScopeAPIWrite, h.openMandatedReport))
	s.Handle("POST /api/v1/mandated-reports/{rid}/made", s.RequireToken(haven.ScopeAPIWrite, h.completeMandatedReport))
	s.Handle("POST /api/v1/mandated-reports/{rid}/guardian-check", s.RequireToken(haven.ScopeAPIWrite, h.guardianCheck))
	s.Handle("GET /api/v1/survivors/{id}/family-choices", s.RequireToken(haven.ScopeAPIRead, h.listFamilyChoices))
	s.Handle("POST /api/v1/survivors/{id}/family-choices", s.RequireToken(haven.ScopeAPIWrite, h.setFamilyChoice))
	s.Handle("GET /api/v1/survivors/{id}/testimony-timeline", s.RequireToken(haven.ScopeAPIRead, h.testimonyTimeline))
}

// MandatedReportList is the body of GET .../mandated-reports.
type MandatedReportList struct {
	Reports []haven.MandatedReport `json:"reports"`
}

// GuardianCheckInput is the body of POST .../guardian-check.
type GuardianCheckInput struct {
	NotImplicated bool   `json:"not_implicated"`
	Note          string `json:"note"`
}

// FamilyChoiceList is the body of GET .../family-choices: the choice in
// force first, then its history.
type FamilyChoiceList struct {
	Choices []haven.FamilyChoice `json:"choices"`
}

// Timeline is the body of GET .../testimony-timeline.
type Timeline struct {
	Entries []haven.TimelineEntry `json:"entries"`
}

func reportJSON(m haven.MandatedReport) haven.MandatedReport {
	if m.Made != nil && m.Made.Fields == nil {
		m.Made.Fields = []string{}
	}
	return m
}

func (h *Handler) listMandatedReports(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Safeguards.MandatedReports(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := MandatedReportList{Reports: []haven.MandatedReport{}}
	for _, m := range list {
		out.Reports = append(out.Reports, reportJSON(m))
	}
	server.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) openMandatedReport(w http.ResponseWriter, r *http.Request) error {
	var in haven.NewMandatedReport
	if err := decodeBody(w, r, &in, "mandated report"); err != nil {
		return err
	}
	m, err := h.Safeguards.OpenMandatedReport(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	server.WriteJSON(w, http.StatusCreated, reportJSON(*m))
	return nil
}

func (h *Handler) completeMandatedReport(w http.ResponseWriter, r *http.Request) error {
	var in haven.ReportMade
	if err := decodeBody(w, r, &in, "report made"); err != nil {
		return err
	}
	m, err := h.Safeguards.CompleteMandatedReport(r.Context(), r.PathValue("rid"), in)
	if err != nil {
		return err
	}
	server.WriteJSON(w, http.StatusOK, reportJSON(*m))
	return nil
}

func (h *Handler) guardianCheck(w http.ResponseWriter, r *http.Request) error {
	var in GuardianCheckInput
	if err := decodeBody(w, r, &in, "guardian check"); err != nil {
		return err
	}
	m, err := h.Safeguards.RecordGuardianCheck(r.Context(), r.PathValue("rid"), in.NotImplicated, in.Note)
	if err != nil {
		return err
	}
	server.WriteJSON(w, http.StatusOK, reportJSON(*m))
	return nil
}

func (h *Handler) listFamilyChoices(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Safeguards.FamilyChoices(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := FamilyChoiceList{Choices: []haven.FamilyChoice{}}
	for _, c := range list {
		if c.What == nil {
			c.What = []haven.DataCategory{}
		}
		out.Choices = append(out.Choices, c)
	}
	server.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) setFamilyChoice(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Notify bool                 `json:"notify"`
		Who    string               `json:"who"`
		What   []haven.DataCategory `json:"what"`
	}
	if err := decodeBody(w, r, &in, "family choice"); err != nil {
		return err
	}
	c, err := h.Safeguards.SetFamilyChoice(r.Context(), r.PathValue("id"), haven.FamilyChoice{Notify: in.Notify, Who: in.Who, What: in.What})
	if err != nil {
		return err
	}
	if c.What == nil {
		c.What = []haven.DataCategory{}
	}
	server.WriteJSON(w, http.StatusCreated, c)
	return nil
}

func (h *Handler) testimonyTimeline(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Safeguards.TestimonyTimeline(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	server.WriteJSON(w, http.StatusOK, Timeline{Entries: append([]haven.TimelineEntry{}, list...)})
	return nil
}
