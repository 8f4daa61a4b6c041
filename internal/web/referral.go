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
	pageNames = append(pageNames, "referralform", "referral", "inbox", "referralslip")
}

// mountReferrals mounts the referral pages: the sender's form under a
// survivor's record, and the referral's own page, which the care team and
// the receiving organization both open (each sees what it may).
func (h *Handler) mountReferrals(s *server.Server) {
	s.HandleFunc("GET /survivors/{id}/referrals/new", h.authed(h.referralNew))
	s.HandleFunc("POST /survivors/{id}/referrals", h.authed(h.referralCreate))
	s.HandleFunc("GET /referrals", h.authed(h.inbox))
	s.HandleFunc("GET /referrals/{rid}", h.authed(h.referralShow))
	s.HandleFunc("POST /referrals/{rid}/status", h.authed(h.referralMove))
	s.HandleFunc("GET /referrals/{rid}/slip", h.authed(h.referralSlip))
}

// referralRow is one referral as a list shows it: coded fields only.
type referralRow struct {
	ID, Service, Organization, Need, Status, Updated string
	ByHand, Open                                     bool
}

func (p *Page) referralRow(r *haven.Referral) referralRow {
	row := referralRow{ID: r.ID, Service: r.ServiceName, Organization: r.Organization, Status: p.T("referral.status_" + string(r.Status)),
		Updated: p.When(r.UpdatedAt), ByHand: r.ByHand, Open: r.Status.Open()}
	if r.NeedDomain != "" {
		row.Need = p.domainName(r.NeedDomain)
	}
	if r.Reason != "" {
		row.Status += " (" + p.T("referral.reason_"+string(r.Reason)) + ")"
	}
	return row
}

// loadReferrals fills the record's referral section.
func (h *Handler) loadReferrals(r *http.Request, p *survivorPage) error {
	if h.cfg.Referrals == nil {
		return nil
	}
	list, err := h.cfg.Referrals.Referrals(r.Context(), p.S.ID)
	if err != nil {
		return err
	}
	p.ReferralsOn = true
	for i := range list {
		p.Referrals = append(p.Referrals, p.referralRow(&list[i]))
	}
	return nil
}

// referralFormPage chooses what a referral carries: the need it serves,
// the consent that covers it, the kinds of information, a message; and
// shows the packet exactly as the organization will receive it.
type referralFormPage struct {
	Page
	ID, CaseNumber         string
	ServiceID, ServiceName string
	OrgName                string
	Needs, Consents        []Option
	Categories             []Option
	Note                   string
	Fields                 map[string]string
	Problem                string
	Preview                *packetView
	NoConsent              bool
}

func (h *Handler) referralNew(w http.ResponseWriter, r *http.Request) error {
	p, err := h.referralForm(r, url.Values{"service": {r.URL.Query().Get("service")}, "need": {r.URL.Query().Get("need")}})
	if err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "referralform", p)
}

// referralForm builds the form for the path's survivor with values v.
func (h *Handler) referralForm(r *http.Request, v url.Values) (*referralFormPage, error) {
	ctx := r.Context()
	s, err := h.cfg.Survivors.Survivor(ctx, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	p := &referralFormPage{Page: h.page(r, "referral.form_title"), ID: s.ID, CaseNumber: s.CaseNumber, ServiceID: v.Get("service"),
		Note: v.Get("note"), Fields: map[string]string{}}
	d, err := h.cfg.DirectoryRecords.DirectoryRecords(ctx, []string{p.ServiceID})
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(d.Services, func(sv haven.Service) bool { return sv.ID == p.ServiceID })
	if i < 0 {
		return nil, haven.Errorf(haven.NotFound, "Service not found.")
	}
	svc := d.Services[i]
	p.ServiceName = svc.Name
	var offers []string
	for _, a := range d.Attributes {
		if a.LinkID == svc.ID {
			offers = append(offers, a.TaxonomyTermID)
		}
	}
	offers = haven.NeedCodes(offers)
	for _, o := range d.Organizations {
		if o.ID == svc.OrganizationID {
			p.OrgName = o.Name
		}
	}
	if h.cfg.CarePlans != nil {
		plan, err := h.cfg.CarePlans.CarePlan(ctx, s.ID)
		if err != nil {
			return nil, err
		}
		p.Needs = append(p.Needs, Option{Value: "", Label: p.T("referral.no_need")})
		for _, n := range plan.Needs {
			if n.Status.Open() {
				p.Needs = append(p.Needs, Option{Value: n.ID, Label: p.domainName(n.Domain), Selected: n.ID == v.Get("need")})
			}
		}
	}
	consents, err := h.cfg.Consents.Consents(ctx, s.ID)
	if err != nil {
		return nil, err
	}
	now := h.now()
	for _, c := range consents {
		if !c.Names(svc.OrganizationID, offers) || c.State(now) != haven.ConsentActiveState {
			continue
		}
		label := p.consentRecipient(&c) + " — " + p.T("consent.purpose_"+string(c.Purpose)) + " — " + p.consentCategories(c.Categories) +
			" — " + p.T("consent.until") + " " + p.When(c.ExpiresAt)
		p.Consents = append(p.Consents, Option{Value: c.ID, Label: label, Selected: c.ID == v.Get("consent_id") || len(p.Consents) == 0})
	}
	p.NoConsent = len(p.Consents) == 0
	for _, c := range haven.DataCategories[1:] {
		p.Categories = append(p.Categories, Option{Value: string(c), Label: p.T("consent.category_" + string(c)),
			Selected: slices.Contains(v["categories"], string(c))})
	}
	return p, nil
}

// newReferralFrom reads a referral from the form.
func newReferralFrom(f url.Values) haven.NewReferral {
	nr := haven.NewReferral{ServiceID: f.Get("service"), NeedID: f.Get("need"), ConsentID: f.Get("consent_id"), Note: f.Get("note")}
	for _, c := range f["categories"] {
		nr.Categories = append(nr.Categories, haven.DataCategory(c))
	}
	return nr
}

// referralCreate previews the packet (action=preview) or sends the
// referral. The server checks the consent whatever the form says.
func (h *Handler) referralCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.Invalid, "The form could not be read.")
	}
	f := r.PostForm
	id := r.PathValue("id")
	nr := newReferralFrom(f)
	if f.Get("action") == "preview" {
		pkt, err := h.cfg.Referrals.PreviewPacket(r.Context(), id, nr)
		if err != nil && haven.ErrorFields(err) == nil {
			return err
		}
		p, perr := h.referralForm(r, f)
		if perr != nil {
			return perr
		}
		if err != nil {
			p.refused(err)
			return h.render(w, http.StatusBadRequest, "referralform", p)
		}
		p.Preview = p.packetView(pkt)
		return h.render(w, http.StatusOK, "referralform", p)
	}
	ref, err := h.cfg.Referrals.CreateReferral(r.Context(), id, nr)
	if err == nil {
		http.Redirect(w, r, "/referrals/"+url.PathEscape(ref.ID)+"?sent=1", http.StatusSeeOther)
		return nil
	}
	if haven.ErrorFields(err) == nil {
		return err
	}
	p, perr := h.referralForm(r, f)
	if perr != nil {
		return perr
	}
	p.refused(err)
	return h.render(w, http.StatusBadRequest, "referralform", p)
}

// refused shows a refusal by field, in the page's language.
func (p *referralFormPage) refused(err error) {
	p.Problem = p.T("referral.refused")
	for k := range haven.ErrorFields(err) {
		p.Fields[k] = p.T("referral.error_" + k)
	}
}

// packetView is a packet as a page shows it, label by label.
type packetView struct {
	Rows []detailRow
}

func (p *Page) packetView(pkt *haven.Packet) *packetView {
	v := &packetView{}
	add := func(key string, vals ...string) {
		var keep []string
		for _, s := range vals {
			if s != "" {
				keep = append(keep, s)
			}
		}
		v.Rows = append(v.Rows, detailRow{Key: key, Values: keep})
	}
	minor := p.T("survivor.no")
	if pkt.Minor {
		minor = p.T("survivor.yes")
	}
	add("survivor.case_number", pkt.CaseNumber)
	add("survivor.age_band", p.ageBand(pkt.AgeBand))
	add("survivor.minor", minor)
	if pkt.NeedDomain != "" {
		add("referral.need", p.domainName(pkt.NeedDomain))
	}
	var langs []string
	for _, l := range pkt.Languages {
		langs = append(langs, p.languageLabel(l))
	}
	add("survivor.languages", langs...)
	if id := pkt.Identity; id != nil {
		add("survivor.name", id.Name)
		add("survivor.aliases", id.Aliases...)
		add("survivor.date_of_birth", id.DateOfBirth)
	}
	if c := pkt.Contact; c != nil {
		add("survivor.phones", c.Phones...)
		add("survivor.emails", c.Emails...)
		plan := p.planView(c.SafeContact)
		var safe []string
		for _, ch := range plan.Channels {
			if ch.Safe {
				safe = append(safe, ch.Label)
			}
		}
		if c.SafeContact.DoNotContact {
			safe = []string{p.T("plan.dnc")}
		}
		add("plan.channels", safe...)
		add("plan.safe_times", c.SafeContact.SafeTimes)
		voicemail := p.T("plan.voicemail_unsafe")
		if c.SafeContact.VoicemailSafe {
			voicemail = p.T("plan.voicemail_safe") + " " + c.SafeContact.VoicemailMessage
		}
		add("plan.voicemail", voicemail)
		add("plan.code_word", c.SafeContact.CodeWord)
	}
	if c := pkt.Care; c != nil {
		add("survivor.cultural_considerations", c.CulturalConsiderations)
		add("survivor.faith_considerations", c.FaithConsiderations)
	}
	if s := pkt.Sensitive; s != nil {
		add("survivor.immigration_status", s.ImmigrationStatus)
	}
	if s := pkt.Screening; s != nil {
		add("referral.screening", p.T("screening.concern."+s.Concern)+" — "+p.When(s.Screened))
	}
	if pkt.Note != "" {
		add("referral.note", pkt.Note)
	}
	return v
}

// referralPage is one referral: for the care team with its history and
// the statuses it may record; for the receiving organization with the
// packet and the statuses it may move to.
type referralPage struct {
	Page
	R          *haven.Referral
	Row        referralRow
	Recipient  bool
	Packet     *packetView
	History    []historyRow
	Moves      []Option
	Reasons    []Option
	Problem    string
	CaseNumber string
}

type historyRow struct{ When, Status, By, Note string }

func (h *Handler) referralShow(w http.ResponseWriter, r *http.Request) error {
	p, err := h.referralPage(r)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("sent") == "1" {
		p.Notice = p.T("referral.sent")
	}
	if r.URL.Query().Get("moved") == "1" {
		p.Notice = p.T("referral.moved")
	}
	return h.render(w, http.StatusOK, "referral", p)
}

func (h *Handler) referralPage(r *http.Request) (*referralPage, error) {
	ctx := r.Context()
	ref, err := h.cfg.Referrals.Referral(ctx, r.PathValue("rid"))
	if err != nil {
		return nil, err
	}
	user, _ := signedIn(ctx)
	p := &referralPage{Page: h.page(r, "referral.title"), R: ref, Recipient: user.user.Role == haven.RolePartner}
	p.Row = p.referralRow(ref)
	if p.Recipient || ref.ByHand {
		pkt, err := h.cfg.Referrals.Packet(ctx, ref.ID)
		if err != nil {
			return nil, err
		}
		p.Packet, p.CaseNumber = p.packetView(pkt), pkt.CaseNumber
	}
	names := h.staffNames(r)
	for _, ev := range ref.History {
		row := historyRow{When: p.When(ev.ChangedAt), Status: p.T("referral.status_" + string(ev.Status)), Note: ev.Note}
		if ev.Reason != "" {
			row.Status += " (" + p.T("referral.reason_"+string(ev.Reason)) + ")"
		}
		if !p.Recipient {
			row.By = names(ev.ChangedBy)
		}
		p.History = append(p.History, row)
	}
	for _, st := range haven.ReferralStatuses {
		if ref.Status.CheckMove(st) != nil {
			continue
		}
		mine := p.Recipient && st != haven.ReferralCancelled || !p.Recipient && (st == haven.ReferralCancelled || ref.ByHand)
		if mine {
			p.Moves = append(p.Moves, Option{Value: string(st), Label: p.T("referral.status_" + string(st))})
		}
	}
	for _, rs := range haven.ReferralReasons {
		p.Reasons = append(p.Reasons, Option{Value: string(rs), Label: p.T("referral.reason_" + string(rs))})
	}
	return p, nil
}

// referralMove records a change of status; an illegal move or a missing
// reason shows the page again with the reason.
func (h *Handler) referralMove(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.Invalid, "The form could not be read.")
	}
	f := r.PostForm
	sc := haven.StatusChange{Status: haven.ReferralStatus(f.Get("status")), Reason: haven.ReferralReason(f.Get("reason")),
		Note: f.Get("note"), NeedNotMet: f.Get("need_not_met") == "1"}
	rid := r.PathValue("rid")
	_, err := h.cfg.Referrals.MoveReferral(r.Context(), rid, sc)
	if err == nil {
		http.Redirect(w, r, "/referrals/"+url.PathEscape(rid)+"?moved=1", http.StatusSeeOther)
		return nil
	}
	k := haven.ErrorKind(err)
	if k != haven.Invalid && k != haven.Conflict && k != haven.Forbidden {
		return err
	}
	p, perr := h.referralPage(r)
	if perr != nil {
		return perr
	}
	switch {
	case k == haven.Invalid && haven.ErrorFields(err)["reason"] != "":
		p.Problem = p.T("referral.error_reason")
	case k == haven.Conflict:
		p.Problem = p.T("referral.error_move")
	default:
		p.Problem = p.T("referral.error_status")
	}
	status := http.StatusBadRequest
	if k == haven.Conflict {
		status = http.StatusConflict
	} else if k == haven.Forbidden {
		status = http.StatusForbidden
	}
	return h.render(w, status, "referral", p)
}

// inboxPage is a receiving organization's referrals.
type inboxPage struct {
	Page
	Rows []inboxRow
}

type inboxRow struct {
	referralRow
	Received string
}

func (h *Handler) inbox(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateInbox); err != nil {
		return err
	}
	list, err := h.cfg.Referrals.Inbox(r.Context())
	if err != nil {
		return err
	}
	p := inboxPage{Page: h.page(r, "inbox.title")}
	for i := range list {
		p.Rows = append(p.Rows, inboxRow{referralRow: p.referralRow(&list[i]), Received: p.When(list[i].CreatedAt)})
	}
	return h.render(w, http.StatusOK, "inbox", &p)
}

// slipPage is the discreet referral slip for the survivor, in their
// language: when (to fill in), a place and a phone, and nothing that
// names the service, its organization or why — a trafficker who finds it
// learns nothing. A confidential site's address is never printed.
type slipPage struct {
	Page
	survivorTextSet
	RID          string
	Place, Phone string
}

func (h *Handler) referralSlip(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	ref, err := h.cfg.Referrals.Referral(ctx, r.PathValue("rid"))
	if err != nil {
		return err
	}
	user, _ := signedIn(ctx)
	if user.user.Role == haven.RolePartner {
		return errForbidden
	}
	p := slipPage{Page: h.page(r, "referral.slip_title"), RID: ref.ID}
	asked, fallback := r.URL.Query().Get("lang"), "en"
	if !slices.Contains(SurvivorLanguages, asked) {
		// The survivor's first language, read only when none was asked for.
		if s, err := h.cfg.Survivors.Survivor(ctx, ref.SurvivorID); err == nil && len(s.Languages) > 0 {
			fallback = primaryLanguage(s.Languages[0].Code)
		}
	}
	if p.survivorTextSet, err = h.survivorTextSet(ctx, asked, fallback); err != nil {
		return err
	}
	d, err := h.cfg.DirectoryRecords.DirectoryRecords(ctx, []string{ref.ServiceID})
	if err != nil {
		return err
	}
	for _, sal := range d.ServiceAtLocations {
		for _, l := range d.Locations {
			if l.ID != sal.LocationID || l.Confidential || p.Place != "" {
				continue
			}
			for _, a := range d.Addresses {
				if a.LocationID == l.ID {
					p.Place = addressText(a)
				}
			}
		}
	}
	for _, ph := range phonesOf(d.Phones, func(ph haven.Phone) bool {
		return ph.ServiceID == ref.ServiceID || ph.OrganizationID == ref.OrganizationID
	}) {
		if p.Phone == "" {
			p.Phone = strings.TrimSpace(ph.Number)
		}
	}
	return h.render(w, http.StatusOK, "referralslip", &p)
}
