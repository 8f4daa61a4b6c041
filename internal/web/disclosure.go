package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

func init() {
	pageNames = append(pageNames, "disclosureform", "disclosure", "disclosurequeue", "accounting")
}

// mountDisclosures mounts requests for disclosure, the approval queue,
// the packages and the accounting of disclosures. URLs carry ids only.
func (h *Handler) mountDisclosures(s *server.Server) {
	s.HandleFunc("GET /survivors/{id}/disclosures/new", h.authed(h.disclosureNew))
	s.HandleFunc("POST /survivors/{id}/disclosures", h.authed(h.disclosureCreate))
	s.HandleFunc("GET /survivors/{id}/accounting", h.authed(h.accounting))
	s.HandleFunc("GET /disclosures/pending", h.authed(h.disclosureQueue))
	s.HandleFunc("GET /disclosures/{did}", h.authed(h.disclosureShow))
	s.HandleFunc("POST /disclosures/{did}/decision", h.authed(h.disclosureDecide))
	s.HandleFunc("POST /disclosures/{did}/resubmit", h.authed(h.disclosureResubmit))
	s.HandleFunc("GET /disclosures/{did}/package.pdf", h.authed(h.disclosurePackage("pdf")))
	s.HandleFunc("GET /disclosures/{did}/package.json", h.authed(h.disclosurePackage("json")))
}

// disclosureRow is one request as lists show it.
type disclosureRow struct {
	ID, Number, Agency, Basis, Status, Deadline, Case string
}

func (p *Page) disclosureRow(d *haven.Disclosure) disclosureRow {
	return disclosureRow{ID: d.ID, Number: d.Number, Agency: d.Agency, Basis: p.T("disclosure.basis_" + string(d.Basis)),
		Status: p.T("disclosure.status_" + string(d.Status)), Deadline: d.Deadline}
}

// loadDisclosures fills the record's disclosures section.
func (h *Handler) loadDisclosures(r *http.Request, p *survivorPage) error {
	if h.cfg.Disclosures == nil {
		return nil
	}
	list, err := h.cfg.Disclosures.Disclosures(r.Context(), p.S.ID)
	if err != nil {
		return err
	}
	p.DisclosuresOn = true
	for i := range list {
		p.Disclosures = append(p.Disclosures, p.disclosureRow(&list[i]))
	}
	return nil
}

// fieldLabel is the name of a disclosable field in the page's language.
func (p *Page) fieldLabel(key string) string {
	switch key {
	case "survivors.safe_contact":
		return p.T("survivor.plan_legend")
	case "survivors.language_dialects":
		return p.T("survivor.dialect")
	case "encounters.note":
		return p.T("hub.encounters")
	case "screenings.concern":
		return p.T("hub.screenings")
	case "contacts.outcome":
		return p.T("hub.contacts")
	}
	return p.T("survivor." + strings.TrimPrefix(key, "survivors."))
}

// fieldOptions are checkboxes for keys, checked when in checked.
func (p *Page) fieldOptions(keys, checked []string) []Option {
	var out []Option
	for _, k := range keys {
		out = append(out, Option{Value: k, Label: p.fieldLabel(k), Selected: slices.Contains(checked, k)})
	}
	return out
}

// disclosureFormPage logs a request: first its basis (and the consent it
// rests on), then, with the fields that basis allows, the rest.
type disclosureFormPage struct {
	Page
	ID, CaseNumber string
	Form           map[string]string
	Fields         map[string]string
	Bases          []Option
	Consents       []Option
	Contacts       []Option
	// Allowed are the fields the chosen basis allows, those Haven
	// proposes checked; nil before a basis is chosen.
	Allowed []Option
}

func (h *Handler) disclosureNew(w http.ResponseWriter, r *http.Request) error {
	p, err := h.disclosureForm(r, r.URL.Query())
	if err != nil && haven.ErrorFields(err) == nil {
		return err
	}
	return h.render(w, http.StatusOK, "disclosureform", p)
}

// disclosureForm builds the form for the path's survivor with values v;
// with a basis it asks the store for the fields it allows.
func (h *Handler) disclosureForm(r *http.Request, v url.Values) (*disclosureFormPage, error) {
	s, err := h.cfg.Survivors.Survivor(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	p := &disclosureFormPage{Page: h.page(r, "disclosure.form_title"), ID: s.ID, CaseNumber: s.CaseNumber,
		Form: map[string]string{}, Fields: map[string]string{}}
	for _, k := range []string{"basis", "consent_id", "requester", "agency", "contact_id", "documents", "deadline", "legal_hold_until"} {
		p.Form[k] = v.Get(k)
	}
	for _, b := range haven.LegalBases {
		p.Bases = append(p.Bases, Option{Value: string(b), Label: p.T("disclosure.basis_" + string(b)), Selected: p.Form["basis"] == string(b)})
	}
	if h.cfg.Consents != nil {
		cs, err := h.cfg.Consents.Consents(r.Context(), s.ID)
		if err != nil {
			return nil, err
		}
		p.Consents = append(p.Consents, Option{Label: p.T("disclosure.no_consent")})
		for _, c := range cs {
			if c.State(h.now()) == haven.ConsentActiveState {
				p.Consents = append(p.Consents, Option{Value: c.ID, Label: p.consentRecipient(&c) + " — " + p.consentCategories(c.Categories),
					Selected: p.Form["consent_id"] == c.ID})
			}
		}
	}
	if h.cfg.CareTeams != nil {
		// The requester's contact: the care team, and the other care staff
		// for those who may add to the team.
		team, err := h.cfg.CareTeams.CareTeam(r.Context(), s.ID)
		if err != nil {
			return nil, err
		}
		staff := make([]haven.StaffMember, 0, len(team))
		for _, m := range team {
			staff = append(staff, haven.StaffMember{UserID: m.UserID, DisplayName: m.DisplayName, Role: m.Role})
		}
		if mayChangeTeam(team, p.User) {
			others, err := h.cfg.CareTeams.CareTeamCandidates(r.Context(), s.ID)
			if err != nil {
				return nil, err
			}
			staff = append(staff, others...)
		}
		p.Contacts = append(p.Contacts, Option{Label: p.T("disclosure.no_contact")})
		for _, m := range staff {
			p.Contacts = append(p.Contacts, Option{Value: m.UserID, Label: m.DisplayName, Selected: p.Form["contact_id"] == m.UserID})
		}
	}
	if p.Form["basis"] == "" {
		return p, nil
	}
	allowed, proposed, err := h.cfg.Disclosures.ProposeDisclosure(r.Context(), s.ID, haven.LegalBasis(p.Form["basis"]), p.Form["consent_id"])
	if err != nil {
		for k := range haven.ErrorFields(err) {
			p.Fields[k] = p.T("disclosure.error_" + k)
		}
		return p, err
	}
	checked := proposed
	if _, posted := v["fields"]; posted || v.Get("requester") != "" {
		checked = v["fields"]
	}
	p.Allowed = p.fieldOptions(allowed, checked)
	if len(p.Allowed) == 0 {
		p.Fields["fields"] = p.T("disclosure.error_nothing_allowed")
	}
	return p, nil
}

func (h *Handler) disclosureCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.Invalid, "The form could not be read.")
	}
	f := r.PostForm
	nd := haven.NewDisclosure{Requester: f.Get("requester"), Agency: f.Get("agency"), ContactID: f.Get("contact_id"),
		Basis: haven.LegalBasis(f.Get("basis")), ConsentID: f.Get("consent_id"), Documents: f.Get("documents"),
		Deadline: f.Get("deadline"), Fields: f["fields"], LegalHoldUntil: f.Get("legal_hold_until")}
	d, err := h.cfg.Disclosures.RequestDisclosure(r.Context(), r.PathValue("id"), nd)
	if err == nil {
		http.Redirect(w, r, "/disclosures/"+url.PathEscape(d.ID)+"?requested=1", http.StatusSeeOther)
		return nil
	}
	fields := haven.ErrorFields(err)
	if fields == nil {
		return err
	}
	p, perr := h.disclosureForm(r, f)
	if perr != nil && haven.ErrorFields(perr) == nil {
		return perr
	}
	for k := range fields {
		p.Fields[k] = p.T("disclosure.error_" + k)
	}
	return h.render(w, http.StatusBadRequest, "disclosureform", p)
}

// disclosurePage shows one request: its details, the redaction preview,
// and what the viewer may do next.
type disclosurePage struct {
	Page
	D                                *haven.Disclosure
	Row                              disclosureRow
	Preview                          *haven.Package
	Items                            []previewItem
	Fields                           []Option
	Decided                          string
	CanDecide, CanResubmit, Approved bool
	Error                            string
}

// previewItem is one field of the preview: its name in the page's
// language, and the package's own label and values.
type previewItem struct {
	Name string
	haven.PackageItem
}

func (h *Handler) disclosureShow(w http.ResponseWriter, r *http.Request) error {
	p, err := h.disclosurePage(r)
	if err != nil {
		return err
	}
	switch q := r.URL.Query(); {
	case q.Get("requested") == "1":
		p.Notice = p.T("disclosure.requested")
	case q.Get("decided") == "1":
		p.Notice = p.T("disclosure.decided")
	case q.Get("resubmitted") == "1":
		p.Notice = p.T("disclosure.resubmitted")
	}
	return h.render(w, http.StatusOK, "disclosure", p)
}

func (h *Handler) disclosurePage(r *http.Request) (*disclosurePage, error) {
	ctx := r.Context()
	d, err := h.cfg.Disclosures.Disclosure(ctx, r.PathValue("did"))
	if err != nil {
		return nil, err
	}
	preview, err := h.cfg.Disclosures.PreviewDisclosure(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	p := &disclosurePage{Page: h.page(r, "disclosure.title"), D: d, Preview: preview, Approved: d.Status == haven.DisclosureApproved}
	p.Row = p.disclosureRow(d)
	for _, it := range preview.Items {
		p.Items = append(p.Items, previewItem{Name: p.fieldLabel(it.Field), PackageItem: it})
	}
	p.Fields = p.fieldOptions(d.Fields, d.Fields)
	if d.DecidedAt != nil {
		p.Decided = p.When(*d.DecidedAt)
	}
	me := p.User.ID
	p.CanDecide = d.Status == haven.DisclosurePending && require(r, gateApprovals) == nil && me != d.PreparedBy && me != d.ContactID
	p.CanResubmit = d.Status == haven.DisclosureRefused && require(r, gateSurvivors) == nil
	return p, nil
}

func (h *Handler) disclosureDecide(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.Invalid, "The form could not be read.")
	}
	id := r.PathValue("did")
	_, err := h.cfg.Disclosures.DecideDisclosure(r.Context(), id, r.PostForm.Get("decision") == "approve", r.PostForm.Get("reason"))
	return h.afterDisclosureChange(w, r, err, "decided", "disclosure.error_reason")
}

func (h *Handler) disclosureResubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.Invalid, "The form could not be read.")
	}
	_, err := h.cfg.Disclosures.ResubmitDisclosure(r.Context(), r.PathValue("did"), r.PostForm["fields"])
	return h.afterDisclosureChange(w, r, err, "resubmitted", "disclosure.error_narrow")
}

// afterDisclosureChange redirects to the request after a change, or shows
// it again with the field error's message.
func (h *Handler) afterDisclosureChange(w http.ResponseWriter, r *http.Request, err error, done, errKey string) error {
	if err == nil {
		http.Redirect(w, r, "/disclosures/"+url.PathEscape(r.PathValue("did"))+"?"+done+"=1", http.StatusSeeOther)
		return nil
	}
	if haven.ErrorFields(err) == nil {
		return err
	}
	p, perr := h.disclosurePage(r)
	if perr != nil {
		return perr
	}
	p.Error = p.T(errKey)
	return h.render(w, http.StatusBadRequest, "disclosure", p)
}

// disclosurePackage serves an approved request's package; the store
// refuses a pending or refused one.
func (h *Handler) disclosurePackage(format string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		b, err := h.cfg.Disclosures.DisclosurePackage(r.Context(), r.PathValue("did"), format)
		if err != nil {
			return err
		}
		hd := w.Header()
		hd.Set("Content-Type", map[string]string{"pdf": "application/pdf", "json": "application/json"}[format])
		hd.Set("Content-Disposition", `attachment; filename="disclosure-package.`+format+`"`)
		hd.Set("Cache-Control", "no-store")
		_, err = w.Write(b)
		return err
	}
}

// disclosureQueuePage is the supervisors' approval queue.
type disclosureQueuePage struct {
	Page
	Rows []disclosureRow
}

func (h *Handler) disclosureQueue(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateApprovals); err != nil {
		return err
	}
	list, err := h.cfg.Disclosures.PendingDisclosures(r.Context())
	if err != nil {
		return err
	}
	p := disclosureQueuePage{Page: h.page(r, "disclosure.queue_title")}
	for i := range list {
		p.Rows = append(p.Rows, p.disclosureRow(&list[i]))
	}
	return h.render(w, http.StatusOK, "disclosurequeue", &p)
}

// accountingPage is the survivor's accounting of disclosures, printable
// in the survivor's language: the page is in the language chosen (lang=),
// else the survivor's first language when staff pages have it.
type accountingPage struct {
	Page
	ID      string
	Choices []Option
	Rows    []accountingRow
}

type accountingRow struct {
	Date, Recipient, What, Why, Number, KeptUntil string
}

func (h *Handler) accounting(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	entries, err := h.cfg.Disclosures.Accounting(r.Context(), id)
	if err != nil {
		return err
	}
	p := accountingPage{Page: h.page(r, "accounting.title"), ID: id}
	lang := r.URL.Query().Get("lang")
	if !slices.Contains(StaffLanguages, lang) {
		lang = ""
		// A shredded record has no languages left: the staff's language then.
		if s, err := h.cfg.Survivors.Survivor(r.Context(), id); err == nil && len(s.Languages) > 0 {
			if base, _, _ := strings.Cut(strings.ToLower(s.Languages[0].Code), "-"); slices.Contains(StaffLanguages, base) {
				lang = base
			}
		}
	}
	if lang != "" {
		p.Lang, p.Dir = lang, dir(lang)
	}
	for _, l := range StaffLanguages {
		p.Choices = append(p.Choices, Option{Value: l, Label: languageNames[l], Selected: l == p.Lang})
	}
	for _, e := range entries {
		row := accountingRow{Date: e.DisclosedAt.In(p.zoneOrUTC()).Format("2006-01-02"), Recipient: e.Agency,
			What: p.consentCategories(e.Categories), Why: p.T("disclosure.basis_" + string(e.Basis)), Number: e.Number,
			KeptUntil: e.KeptUntil.In(p.zoneOrUTC()).Format("2006-01-02")}
		p.Rows = append(p.Rows, row)
	}
	return h.render(w, http.StatusOK, "accounting", &p)
}
