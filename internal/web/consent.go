package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

func init() {
	pageNames = append(pageNames, "consentform", "consentcopy")
}

// mountConsents mounts the consent ledger's pages under a survivor's
// record. URLs carry ids only.
func (h *Handler) mountConsents(s *server.Server) {
	s.HandleFunc("GET /survivors/{id}/consents/new", h.authed(h.consentNew))
	s.HandleFunc("POST /survivors/{id}/consents", h.authed(h.consentCreate))
	s.HandleFunc("POST /survivors/{id}/consents/{cid}/revoke", h.authed(h.consentRevoke))
	s.HandleFunc("GET /survivors/{id}/consents/{cid}/copy", h.authed(h.consentCopy))
}

// consentView is one consent as the record's consent section lists it.
type consentView struct {
	ID, Recipient, Purpose, Categories, Method, Language, Given, Until, State string
	Active                                                                    bool
}

// loadConsents fills the record's consent section.
func (h *Handler) loadConsents(r *http.Request, p *survivorPage) error {
	if h.cfg.Consents == nil {
		return nil
	}
	list, err := h.cfg.Consents.Consents(r.Context(), p.S.ID)
	if err != nil {
		return err
	}
	p.ConsentsOn = true
	now := h.now()
	for i := range list {
		c := &list[i]
		v := consentView{ID: c.ID, Recipient: p.consentRecipient(c), Purpose: p.T("consent.purpose_" + string(c.Purpose)),
			Categories: p.consentCategories(c.Categories), Method: p.T("consent.method_" + string(c.Method)),
			Language: languageEntry(c.Language, p.Lang), Given: p.When(c.GivenAt), Until: p.When(c.ExpiresAt)}
		switch c.State(now) {
		case haven.ConsentActiveState:
			v.Active, v.State = true, p.T("consent.state_active")
		case haven.ConsentExpired:
			v.State = p.T("consent.state_expired")
		case haven.ConsentRevoked:
			v.State = p.T("consent.state_revoked") + " " + p.When(*c.RevokedAt)
		}
		p.Consents = append(p.Consents, v)
	}
	return nil
}

func (p *Page) consentRecipient(c *haven.Consent) string {
	if c.RecipientKind == haven.RecipientCategory {
		return p.T("consent.any_provider") + " " + p.domainName(c.Recipient)
	}
	if c.RecipientName == "" {
		return p.T("consent.org_gone")
	}
	return c.RecipientName
}

func (p *Page) consentCategories(cats []haven.DataCategory) string {
	names := make([]string, len(cats))
	for i, c := range cats {
		names[i] = p.T("consent.category_" + string(c))
	}
	return strings.Join(names, ", ")
}

// consentFormPage records a consent. The recipient is an organization of
// the directory, reached from a service's details (?org=), or a kind of
// service.
type consentFormPage struct {
	Page
	ID, CaseNumber string
	OrgID, OrgName string
	// OrgService is the service the organization was chosen through; the
	// form sends it back so that a form with an error names it again.
	OrgService string
	Form       map[string]string
	Checked    map[string]bool
	Fields     map[string]string
	Needs      []Option
	Purposes   []Option
	Categories []Option
	Explained  []Option
	// Witnesses are the care team's other members, who may witness the
	// consent (never the one who explains it).
	Witnesses []Option
	// TextLang is the survivors' text language nearest the survivor's
	// first language, for the printed explanation.
	TextLang string
}

func (h *Handler) consentNew(w http.ResponseWriter, r *http.Request) error {
	p, err := h.consentForm(r, url.Values{"service": {r.URL.Query().Get("service")}, "days": {strconv.Itoa(haven.DefaultConsentDays)}})
	if err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "consentform", p)
}

// consentForm builds the form for the path's survivor with values v.
func (h *Handler) consentForm(r *http.Request, v url.Values) (*consentFormPage, error) {
	s, err := h.cfg.Survivors.Survivor(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	p := &consentFormPage{Page: h.page(r, "consent.form_title"), ID: s.ID, CaseNumber: s.CaseNumber, Form: map[string]string{},
		Checked: map[string]bool{}, Fields: map[string]string{}}
	for _, k := range []string{"recipient_kind", "need", "purpose", "method", "language", "days", "note", "witness_id"} {
		p.Form[k] = v.Get(k)
	}
	for _, c := range v["categories"] {
		p.Checked[c] = true
	}
	if err := h.consentRecipientOrg(r, p, v); err != nil {
		return nil, err
	}
	if p.Form["recipient_kind"] == "" {
		p.Form["recipient_kind"] = string(haven.RecipientCategory)
		if p.OrgID != "" {
			p.Form["recipient_kind"] = string(haven.RecipientOrganization)
		}
	}
	if p.Form["language"] == "" && len(s.Languages) > 0 {
		p.Form["language"] = s.Languages[0].Code
	}
	for _, n := range haven.Needs {
		p.Needs = append(p.Needs, Option{Value: n.Code, Label: p.domainName(n.Code), Selected: p.Form["need"] == n.Code})
	}
	for _, pu := range haven.ConsentPurposes {
		p.Purposes = append(p.Purposes, Option{Value: string(pu), Label: p.T("consent.purpose_" + string(pu)),
			Selected: p.Form["purpose"] == string(pu)})
	}
	for _, c := range haven.DataCategories[1:] { // basic is always shared
		p.Categories = append(p.Categories, Option{Value: string(c), Label: p.T("consent.category_" + string(c)),
			Selected: p.Checked[string(c)]})
	}
	p.Explained = p.explainedLanguages(s, p.Form["language"])
	if h.cfg.CareTeams != nil {
		team, err := h.cfg.CareTeams.CareTeam(r.Context(), s.ID)
		if err != nil {
			return nil, err
		}
		me, _ := signedIn(r.Context())
		p.Witnesses = append(p.Witnesses, Option{Value: "", Label: p.T("consent.no_witness")})
		for _, m := range team {
			if m.UserID != me.user.ID {
				p.Witnesses = append(p.Witnesses, Option{Value: m.UserID, Label: m.DisplayName + " — " + p.T("role."+string(m.Role)),
					Selected: m.UserID == p.Form["witness_id"]})
			}
		}
	}
	p.TextLang = "en"
	if len(s.Languages) > 0 {
		p.TextLang = primaryLanguage(s.Languages[0].Code)
	}
	return p, nil
}

// consentRecipientOrg names the organization the form records consent
// for: the one of the service the worker came from (?service=), or the one
// the form sent back (org).
func (h *Handler) consentRecipientOrg(r *http.Request, p *consentFormPage, v url.Values) error {
	service, org := v.Get("service"), v.Get("org")
	if service == "" && org == "" || h.cfg.DirectoryRecords == nil {
		return nil
	}
	ids := []string{service}
	if service == "" {
		ids = []string{v.Get("org_service")}
	}
	d, err := h.cfg.DirectoryRecords.DirectoryRecords(r.Context(), ids)
	if err != nil {
		return err
	}
	for _, s := range d.Services {
		for _, o := range d.Organizations {
			if o.ID == s.OrganizationID && (org == "" || org == o.ID) {
				p.OrgID, p.OrgName, p.OrgService = o.ID, o.Name, s.ID
			}
		}
	}
	return nil
}

// explainedLanguages offers the survivor's own languages first, then the
// languages of the survivors' texts.
func (p *Page) explainedLanguages(s *haven.Survivor, chosen string) []Option {
	var out []Option
	seen := map[string]bool{}
	add := func(code string) {
		if !seen[code] {
			seen[code] = true
			out = append(out, Option{Value: code, Label: languageEntry(code, p.Lang), Selected: code == chosen})
		}
	}
	for _, l := range s.Languages {
		add(l.Code)
	}
	for _, l := range SurvivorLanguages {
		add(l)
	}
	return out
}

func (h *Handler) consentCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.Invalid, "The form could not be read.")
	}
	f := r.PostForm
	nc := haven.NewConsent{RecipientKind: haven.ConsentRecipientKind(f.Get("recipient_kind")), Purpose: haven.ConsentPurpose(f.Get("purpose")),
		Method: haven.ConsentMethod(f.Get("method")), Language: f.Get("language"), Note: f.Get("note"), WitnessID: f.Get("witness_id")}
	nc.Recipient = f.Get("need")
	if nc.RecipientKind == haven.RecipientOrganization {
		nc.Recipient = f.Get("org")
	}
	for _, c := range f["categories"] {
		nc.Categories = append(nc.Categories, haven.DataCategory(c))
	}
	if days := strings.TrimSpace(f.Get("days")); days != "" {
		n, err := strconv.Atoi(days)
		if err != nil {
			n = -1 // reported as out of range
		}
		nc.Days = n
	}
	id := r.PathValue("id")
	_, err := h.cfg.Consents.RecordConsent(r.Context(), id, nc)
	if err == nil {
		http.Redirect(w, r, "/survivors/"+url.PathEscape(id)+"?consented=1#consents", http.StatusSeeOther)
		return nil
	}
	fields := haven.ErrorFields(err)
	if fields == nil {
		return err
	}
	p, perr := h.consentForm(r, f)
	if perr != nil {
		return perr
	}
	for k := range fields {
		p.Fields[k] = p.T("consent.error_" + k)
	}
	return h.render(w, http.StatusBadRequest, "consentform", p)
}

func (h *Handler) consentRevoke(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	_, err := h.cfg.Consents.RevokeConsent(r.Context(), id, r.PathValue("cid"))
	switch {
	case err == nil:
		http.Redirect(w, r, "/survivors/"+url.PathEscape(id)+"?revoked=1#consents", http.StatusSeeOther)
		return nil
	case isKind(err, haven.Conflict):
		http.Redirect(w, r, "/survivors/"+url.PathEscape(id)+"#consents", http.StatusSeeOther)
		return nil
	}
	return err
}

// consentCopyPage is the survivor's own copy of a consent, in a language
// they read, to print if they want it and can keep it safely.
type consentCopyPage struct {
	Page
	ID, ConsentID string
	survivorTextSet
	Recipient, Purpose, Given, End string
	Categories                     []string
}

func (h *Handler) consentCopy(w http.ResponseWriter, r *http.Request) error {
	id, cid := r.PathValue("id"), r.PathValue("cid")
	c, err := h.cfg.Consents.Consent(r.Context(), cid)
	if err != nil {
		return err
	}
	if c.SurvivorID != id {
		return haven.Errorf(haven.NotFound, "Consent not found.")
	}
	p := consentCopyPage{Page: h.page(r, "consent.copy_title"), ID: id, ConsentID: cid}
	if p.survivorTextSet, err = h.survivorTextSet(r.Context(), r.URL.Query().Get("lang"), primaryLanguage(c.Language)); err != nil {
		return err
	}
	text := func(k string) string { return p.Texts[k].Text }
	p.Recipient = c.RecipientName
	if c.RecipientKind == haven.RecipientCategory {
		p.Recipient = text("copy.any_provider") + " " + text("need."+c.Recipient)
	}
	p.Purpose = text("copy.purpose_" + string(c.Purpose))
	for _, cat := range c.Categories {
		p.Categories = append(p.Categories, text("copy.category_"+string(cat)))
	}
	// Dates as numbers, which read the same in every language.
	p.Given, p.End = c.GivenAt.In(p.zoneOrUTC()).Format("2006-01-02"), c.ExpiresAt.In(p.zoneOrUTC()).Format("2006-01-02")
	return h.render(w, http.StatusOK, "consentcopy", &p)
}

// primaryLanguage is the survivors' text language for a BCP 47 tag ("es-MX"
// is es), or English when Haven has no texts in it.
func primaryLanguage(tag string) string {
	base, _, _ := strings.Cut(strings.ToLower(tag), "-")
	if slices.Contains(SurvivorLanguages, base) {
		return base
	}
	return "en"
}
