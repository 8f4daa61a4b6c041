package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

// survivorPageSize rows are shown per page of the survivors list.
const survivorPageSize = 25

// mountSurvivors mounts the survivor record pages. Every URL carries IDs
// only, never a name or any other personal data.
func (h *Handler) mountSurvivors(s *server.Server) {
	s.HandleFunc("GET /survivors", h.authed(h.survivorList))
	s.HandleFunc("GET /survivors/new", h.authed(h.survivorNew))
	s.HandleFunc("POST /survivors", h.authed(h.survivorCreate))
	s.HandleFunc("GET /survivors/{id}", h.authed(h.survivorShow))
	s.HandleFunc("GET /survivors/{id}/edit", h.authed(h.survivorEdit))
	s.HandleFunc("POST /survivors/{id}", h.authed(h.survivorUpdate))
	s.HandleFunc("POST /survivors/{id}/contact", h.authed(h.survivorContact))
	if h.cfg.Encounters != nil {
		s.HandleFunc("POST /survivors/{id}/encounters", h.authed(h.encounterAdd))
	}
}

type survivorsPage struct {
	Page
	Rows   []survivorRow
	Pager  Pager
	CanAdd bool
}

type survivorRow struct {
	ID, CaseNumber, AgeBand, Updated string
	Minor                            bool
	// Supervised: seen as a supervisor of a team, not on the care team.
	Supervised bool
	// EmergencyUntil: seen only through emergency access, until then.
	EmergencyUntil string
}

// survivorList lists the records the store lets the user see: case
// number, age band, minor flag and last change, never a name.
//
// The list asks no gate: the store decides each record, so an
// administrator on a care team sees that record and anyone else an empty
// list. The navigation offers it, and the page offers the new-record form
// (which gateSurvivors guards), to the care roles.
func (h *Handler) survivorList(w http.ResponseWriter, r *http.Request) error {
	list, err := h.cfg.Survivors.Survivors(r.Context())
	if err != nil {
		return err
	}
	p := survivorsPage{Page: h.page(r, "survivors.title"), CanAdd: require(r, gateSurvivors) == nil}
	var start, end int
	p.Pager, start, end = paginate(r, len(list), survivorPageSize)
	for _, s := range list[start:end] {
		row := survivorRow{ID: s.ID, CaseNumber: s.CaseNumber, AgeBand: p.ageBand(s.AgeBand),
			Updated: p.When(s.UpdatedAt), Minor: s.Minor, Supervised: s.Supervised}
		if !s.EmergencyUntil.IsZero() {
			row.EmergencyUntil = p.Clock(s.EmergencyUntil)
		}
		p.Rows = append(p.Rows, row)
	}
	if r.URL.Query().Get("left") == "1" {
		p.Notice = p.T("team.done_left")
	}
	return h.render(w, http.StatusOK, "survivors", &p)
}

// ageBand is the label of a band.
func (p *Page) ageBand(b haven.AgeBand) string {
	if b == haven.AgeUnknown {
		return p.T("survivor.age_unknown")
	}
	return string(b)
}

type survivorPage struct {
	Page
	S          *haven.Survivor
	Plan       planView
	Details    []detailRow
	Refusal    string
	Duplicates []duplicateView
	// Care is the needs and care plan section.
	Care carePlanView
	// EmergencyUntil, set when the user reads the record through emergency
	// access, is when that ends; the page is then read-only.
	EmergencyUntil string
	// Tasks is the tasks section (task.go), nil without a task service.
	Tasks *tasksView
	// CanWork is set when the viewer may change the case here: a care
	// role, not under emergency access.
	CanWork bool
	// The case's sections (issue 12), each filled by its own loader.
	Screenings screeningSection
	Contacts   contactSection
	Encounters encounterSection
	// ConsentsOn is set when the consent ledger is mounted; Consents lists
	// the survivor's consents.
	ConsentsOn bool
	Consents   []consentView
	// ReferralsOn is set when referrals are mounted; Referrals lists the
	// survivor's.
	ReferralsOn bool
	Referrals   []referralRow
	// DisclosuresOn is set when disclosures are mounted; Disclosures lists
	// the survivor's requests for disclosure.
	DisclosuresOn bool
	Disclosures   []disclosureRow
	// Safeguards is a minor's mandated reports or an adult's family
	// choices (safeguard.go); nil without them.
	Safeguards *safeguardView
	// Team is the "Care team" section (careteam.go); nil without it.
	Team *teamView
	// AccessReport offers the record's access report (audittrail.go).
	AccessReport bool
}

type duplicateView struct{ ID, CaseNumber string }

// survivorShow shows a record with its safe-contact plan first, before
// the contact action and everything else.
func (h *Handler) survivorShow(w http.ResponseWriter, r *http.Request) error {
	p, err := h.survivorPage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	switch {
	case q.Get("created") == "1":
		p.Notice = p.T("survivor.created")
	case q.Get("saved") == "1":
		p.Notice = p.T("survivor.saved")
	case q.Get("task") == "added":
		p.Notice = p.T("task.added")
	case q.Get("task") == "saved":
		p.Notice = p.T("task.saved")
	case q.Get("consented") == "1":
		p.Notice = p.T("consent.recorded")
	case q.Get("revoked") == "1":
		p.Notice = p.T("consent.revoked")
	case teamNotices[q.Get("team")]:
		p.Notice = p.T("team.done_" + q.Get("team"))
	case slices.Contains(haven.ContactChannels, haven.ContactChannel(q.Get("contacted"))):
		p.Notice = fmt.Sprintf(p.T("contact.recorded"), p.T("channel."+q.Get("contacted")))
	case q.Get("need") == "added":
		p.Notice = p.T("careplan.added")
	case q.Get("need") == "saved":
		p.Notice = p.T("careplan.saved")
	case q.Get("encounter") == "added":
		p.Notice = p.T("encounter.added")
	case safeguardNotices[q.Get("safeguard")]:
		p.Notice = p.T("safeguard.done_" + q.Get("safeguard"))
	}
	if err := h.duplicates(r, p, q); err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "survivor", p)
}

// survivorPage reads the record of the path's {id} into a page.
//
// The page reads the record and each section through its own audited
// store call; with Config.ReadAudits their entries are written in one
// transaction once every section is read, and the page is built only
// after that has succeeded.
func (h *Handler) survivorPage(r *http.Request) (*survivorPage, error) {
	if h.cfg.ReadAudits != nil {
		r = r.WithContext(h.cfg.ReadAudits.DeferReadAudits(r.Context()))
	}
	p, err := h.readSurvivorPage(r)
	if h.cfg.ReadAudits != nil {
		// Whatever was read, its entries are written before any of it
		// (or an error page) is shown.
		if ferr := h.cfg.ReadAudits.FlushReadAudits(r.Context()); ferr != nil {
			return nil, ferr
		}
	}
	return p, err
}

// readSurvivorPage reads the record of the path's {id} and its sections.
func (h *Handler) readSurvivorPage(r *http.Request) (*survivorPage, error) {
	s, err := h.cfg.Survivors.Survivor(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	p := &survivorPage{Page: h.page(r, "survivor.title"), S: s}
	if !s.EmergencyUntil.IsZero() {
		p.EmergencyUntil = p.Clock(s.EmergencyUntil)
	}
	p.Plan = p.planView(s.SafeContact)
	p.Details = p.details(s)
	p.CanWork = p.EmergencyUntil == "" && require(r, gateSurvivors) == nil
	// The sections are reads that each decide their own access and fill
	// only their own fields of p, so they run at once: the page waits for
	// the slowest section rather than the sum of them (on PostgreSQL each
	// is a few round trips). The deferred read audits collect their
	// entries under a lock. Encounters label their screenings, so they
	// follow them in one goroutine.
	type loader = func(*http.Request, *survivorPage) error
	var g errgroup.Group
	for _, chain := range [][]loader{{h.loadScreenings, h.loadEncounters}, {h.loadCarePlan}, {h.loadTasks}, {h.loadContacts},
		{h.loadTeam}, {h.loadConsents}, {h.loadReferrals}, {h.loadDisclosures}, {h.loadSafeguards}} {
		g.Go(func() error {
			for _, load := range chain {
				if err := load(r, p); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	h.loadAccessLink(p)
	return p, nil
}

// detailRow is one labelled entry of the record; no values shows "none".
type detailRow struct {
	Key    string
	Values []string
}

// details lists the record's fields, translated where they are coded.
func (p *Page) details(s *haven.Survivor) []detailRow {
	one := func(v string) []string {
		if v == "" {
			return nil
		}
		return []string{v}
	}
	minor := p.T("survivor.no")
	if s.Minor {
		minor = p.T("survivor.yes")
	}
	var langs []string
	for _, l := range s.Languages {
		langs = append(langs, p.languageLabel(l))
	}
	rows := p.entryRows(s, "identity")
	rows = append(rows, detailRow{"survivor.age_band", one(p.ageBand(s.AgeBand))}, detailRow{"survivor.minor", one(minor)},
		detailRow{"survivor.languages", langs}, detailRow{"survivor.gender", one(p.T("gender." + genderKey(s.PreferredProviderGender)))})
	for _, g := range []string{"contact", "sensitive", "care"} {
		rows = append(rows, p.entryRows(s, g)...)
	}
	return rows
}

// entryRows are the record's entered fields of one group, from the field
// registry: a list one value a line, long text one value a paragraph.
func (p *Page) entryRows(s *haven.Survivor, group string) []detailRow {
	var rows []detailRow
	for _, f := range haven.SurvivorEntries() {
		if f.Group != group {
			continue
		}
		row := detailRow{Key: "survivor." + f.Column}
		switch v := f.Value(&s.NewSurvivor).(type) {
		case *[]string:
			row.Values = *v
		case *string:
			if f.Entry == haven.LongText {
				row.Values = lines(*v)
			} else if *v != "" {
				row.Values = []string{*v}
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// languageLabel is "Español (es), Rioplatense — interpreter needed".
func (p *Page) languageLabel(l haven.LanguagePreference) string {
	out := l.Code
	if name, ok := languageNames[l.Code]; ok {
		out = name + " (" + l.Code + ")"
	}
	if l.Dialect != "" {
		out += ", " + l.Dialect
	}
	if l.Interpreter {
		out += " — " + p.T("survivor.interpreter_needed")
	}
	return out
}

// duplicates fills the possible-duplicate warning from the redirect after
// creation: the IDs of duplicates the user may see (the store tells of no
// others). Case numbers come from the user's own list, so a forged URL
// reveals nothing.
func (h *Handler) duplicates(r *http.Request, p *survivorPage, q url.Values) error {
	ids := q["dup"]
	if len(ids) == 0 {
		return nil
	}
	list, err := h.cfg.Survivors.Survivors(r.Context())
	if err != nil {
		return err
	}
	for _, s := range list {
		if slices.Contains(ids, s.ID) && s.ID != p.S.ID {
			p.Duplicates = append(p.Duplicates, duplicateView{ID: s.ID, CaseNumber: s.CaseNumber})
		}
	}
	return nil
}

// survivorContact records a contact through the chosen channel. The store
// refuses a channel the plan does not mark safe and audits the refusal;
// the record page then shows the plan again with the reason.
func (h *Handler) survivorContact(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	c := contactForm(r)
	ch, voicemail := c.Channel, c.Voicemail
	err := h.cfg.Survivors.RecordContact(r.Context(), id, c)
	if err == nil {
		http.Redirect(w, r, "/survivors/"+url.PathEscape(id)+"?contacted="+url.QueryEscape(string(ch))+"#contact", http.StatusSeeOther)
		return nil
	}
	if isKind(err, haven.Invalid) {
		return h.contactInvalid(w, r, c, err)
	}
	if !isKind(err, haven.Forbidden) {
		return err
	}
	p, perr := h.survivorPage(r)
	if perr != nil {
		return perr
	}
	p.Refusal = p.refusal(p.S.SafeContact, ch, voicemail)
	return h.render(w, http.StatusForbidden, "survivor", p)
}

// refusal says, in the page's language, why the plan refuses a contact.
func (p *Page) refusal(plan haven.SafeContactPlan, ch haven.ContactChannel, voicemail bool) string {
	switch {
	case plan.DoNotContact:
		return p.T("contact.refused_dnc")
	case !slices.Contains(haven.ContactChannels, ch):
		return p.T("contact.refused_unknown")
	case plan.AllowContact(ch, false) != nil:
		return fmt.Sprintf(p.T("contact.refused_channel"), p.T("channel."+string(ch)))
	case voicemail:
		return p.T("contact.refused_voicemail")
	}
	return p.T("contact.refused_changed")
}

// planView is the safe-contact plan as the record page shows it.
type planView struct {
	DoNotContact     bool
	Channels         []channelView
	SafeTimes        string
	VoicemailSafe    bool
	VoicemailMessage string
	CodeWord         string
}

// channelView is one contact channel, labelled, whether the plan allows
// it, and whether the contact form comes with it chosen.
type channelView struct {
	Value, Label string
	Safe         bool
	Preselected  bool
}

// planView lists the channels the plan allows first, then the others, so
// that the contact form offers the safe ones at the top. Safe is the
// store's own rule (SafeContactPlan.AllowContact), so under "do not
// contact" no channel is safe. Only a safe channel is ever pre-selected:
// the first, when there is one; otherwise the user must choose, and a
// one-click attempt through an unsafe channel is not on offer.
func (p *Page) planView(plan haven.SafeContactPlan) planView {
	v := planView{DoNotContact: plan.DoNotContact, SafeTimes: plan.SafeTimes, VoicemailSafe: plan.VoicemailSafe,
		VoicemailMessage: plan.VoicemailMessage, CodeWord: plan.CodeWord}
	var unsafe []channelView
	for _, ch := range haven.ContactChannels {
		c := channelView{Value: string(ch), Label: p.T("channel." + string(ch)), Safe: plan.AllowContact(ch, false) == nil}
		c.Preselected = c.Safe && len(v.Channels) == 0
		if c.Safe {
			v.Channels = append(v.Channels, c)
		} else {
			unsafe = append(unsafe, c)
		}
	}
	v.Channels = append(v.Channels, unsafe...)
	return v
}

// SafeChannels is the number of channels the plan marks safe.
func (v planView) SafeChannels() int {
	n := 0
	for _, c := range v.Channels {
		if c.Safe {
			n++
		}
	}
	return n
}
