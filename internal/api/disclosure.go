package api

import (
	"net/http"
	"net/url"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

// mountDisclosures mounts requests for disclosure, their approval, their
// packages and the accounting of disclosures: reads need api:read,
// requesting, deciding and resubmitting api:write. The store decides
// access (a second person approves) and audits each call; a pending or
// refused request's package is a 409.
func (h *Handler) mountDisclosures(s *server.Server) {
	s.Handle("GET /api/v1/survivors/{id}/disclosures", s.RequireToken(haven.ScopeAPIRead, h.listDisclosures))
	s.Handle("POST /api/v1/survivors/{id}/disclosures", s.RequireToken(haven.ScopeAPIWrite, h.requestDisclosure))
	s.Handle("GET /api/v1/survivors/{id}/disclosure-proposal", s.RequireToken(haven.ScopeAPIRead, h.proposeDisclosure))
	s.Handle("GET /api/v1/survivors/{id}/accounting", s.RequireToken(haven.ScopeAPIRead, h.accounting))
	s.Handle("GET /api/v1/disclosures/pending", s.RequireToken(haven.ScopeAPIRead, h.pendingDisclosures))
	s.Handle("GET /api/v1/disclosures/{did}", s.RequireToken(haven.ScopeAPIRead, h.getDisclosure))
	s.Handle("GET /api/v1/disclosures/{did}/preview", s.RequireToken(haven.ScopeAPIRead, h.previewDisclosure))
	s.Handle("POST /api/v1/disclosures/{did}/decision", s.RequireToken(haven.ScopeAPIWrite, h.decideDisclosure))
	s.Handle("POST /api/v1/disclosures/{did}/resubmit", s.RequireToken(haven.ScopeAPIWrite, h.resubmitDisclosure))
	s.Handle("GET /api/v1/disclosures/{did}/package.pdf", s.RequireToken(haven.ScopeAPIRead, h.disclosurePackage("pdf")))
	s.Handle("GET /api/v1/disclosures/{did}/package.json", s.RequireToken(haven.ScopeAPIRead, h.disclosurePackage("json")))
}

// DisclosureList is the body of the lists of requests.
type DisclosureList struct {
	Disclosures []haven.Disclosure `json:"disclosures"`
}

// DisclosureProposal is the body of GET .../disclosure-proposal.
type DisclosureProposal struct {
	Allowed  []string `json:"allowed"`
	Proposed []string `json:"proposed"`
}

// Accounting is the body of GET /api/v1/survivors/{id}/accounting.
type Accounting struct {
	Entries []haven.AccountingEntry `json:"entries"`
}

// Decision is the body of POST /api/v1/disclosures/{did}/decision.
type Decision struct {
	Approve bool   `json:"approve"`
	Reason  string `json:"reason"`
}

// Resubmission is the body of POST /api/v1/disclosures/{did}/resubmit.
type Resubmission struct {
	Fields []string `json:"fields"`
}

func disclosureJSON(d haven.Disclosure) haven.Disclosure {
	if d.Fields == nil {
		d.Fields = []string{}
	}
	return d
}

func writeDisclosures(w http.ResponseWriter, list []haven.Disclosure) {
	out := DisclosureList{Disclosures: []haven.Disclosure{}}
	for _, d := range list {
		out.Disclosures = append(out.Disclosures, disclosureJSON(d))
	}
	server.WriteJSON(w, http.StatusOK, out)
}

func (h *Handler) listDisclosures(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Disclosures.Disclosures(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeDisclosures(w, list)
	return nil
}

func (h *Handler) pendingDisclosures(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Disclosures.PendingDisclosures(r.Context())
	if err != nil {
		return err
	}
	writeDisclosures(w, list)
	return nil
}

func (h *Handler) requestDisclosure(w http.ResponseWriter, r *http.Request) error {
	var in haven.NewDisclosure
	if err := decodeBody(w, r, &in, "request for disclosure"); err != nil {
		return err
	}
	d, err := h.Disclosures.RequestDisclosure(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/disclosures/"+url.PathEscape(d.ID))
	server.WriteJSON(w, http.StatusCreated, disclosureJSON(*d))
	return nil
}

func (h *Handler) proposeDisclosure(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	allowed, proposed, err := h.Disclosures.ProposeDisclosure(r.Context(), r.PathValue("id"), haven.LegalBasis(q.Get("basis")), q.Get("consent_id"))
	if err != nil {
		return err
	}
	out := DisclosureProposal{Allowed: append([]string{}, allowed...), Proposed: append([]string{}, proposed...)}
	server.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) getDisclosure(w http.ResponseWriter, r *http.Request) error {
	d, err := h.Disclosures.Disclosure(r.Context(), r.PathValue("did"))
	if err != nil {
		return err
	}
	server.WriteJSON(w, http.StatusOK, disclosureJSON(*d))
	return nil
}

func (h *Handler) previewDisclosure(w http.ResponseWriter, r *http.Request) error {
	p, err := h.Disclosures.PreviewDisclosure(r.Context(), r.PathValue("did"))
	if err != nil {
		return err
	}
	server.WriteJSON(w, http.StatusOK, packageJSON(p))
	return nil
}

func packageJSON(p *haven.Package) *haven.Package {
	if p.Items == nil {
		p.Items = []haven.PackageItem{}
	}
	for i := range p.Items {
		if p.Items[i].Values == nil {
			p.Items[i].Values = []string{}
		}
	}
	return p
}

func (h *Handler) decideDisclosure(w http.ResponseWriter, r *http.Request) error {
	var in Decision
	if err := decodeBody(w, r, &in, "decision"); err != nil {
		return err
	}
	d, err := h.Disclosures.DecideDisclosure(r.Context(), r.PathValue("did"), in.Approve, in.Reason)
	if err != nil {
		return err
	}
	server.WriteJSON(w, http.StatusOK, disclosureJSON(*d))
	return nil
}

func (h *Handler) resubmitDisclosure(w http.ResponseWriter, r *http.Request) error {
	var in Resubmission
	if err := decodeBody(w, r, &in, "resubmission"); err != nil {
		return err
	}
	d, err := h.Disclosures.ResubmitDisclosure(r.Context(), r.PathValue("did"), in.Fields)
	if err != nil {
		return err
	}
	server.WriteJSON(w, http.StatusOK, disclosureJSON(*d))
	return nil
}

// disclosurePackage serves an approved request's package as built at
// approval, as an attachment.
func (h *Handler) disclosurePackage(format string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		b, err := h.Disclosures.DisclosurePackage(r.Context(), r.PathValue("did"), format)
		if err != nil {
			return err
		}
		ct := map[string]string{"pdf": "application/pdf", "json": "application/json"}[format]
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Disposition", `attachment; filename="disclosure-package.`+format+`"`)
		_, err = w.Write(b)
		return err
	}
}

func (h *Handler) accounting(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Disclosures.Accounting(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := Accounting{Entries: []haven.AccountingEntry{}}
	for _, e := range list {
		if e.Categories == nil {
			e.Categories = []haven.DataCategory{}
		}
		out.Entries = append(out.Entries, e)
	}
	server.WriteJSON(w, http.StatusOK, out)
	return nil
}
