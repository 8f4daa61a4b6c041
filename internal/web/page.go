package web

import (
	"bytes"
	"errors"
	"net/http"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

// Page is the data every page shares: the layout reads it, and each page's
// own data type embeds it.
type Page struct {
	Lang     string
	Dir      string
	TitleKey string
	Demo     bool
	Version  string
	// User is the signed-in user, nil on public pages.
	User *haven.User
	Nav  []NavItem
	// SessionSeconds is how long the session has left if unused; the
	// expiry warning reads it from a data- attribute.
	SessionSeconds int
	// SessionFinal is set when that end is the 12-hour limit, which no use
	// extends: the warning then offers no "Stay signed in".
	SessionFinal bool
	// Path is the current path (never a query), for the language form.
	Path      string
	Languages []Option
	RequestID string
	Notice    string
	// PendingReviews is how many emergency accesses wait for review, shown
	// to supervisors on every page.
	PendingReviews int
	// PendingDuplicates is how many possible duplicates wait for a
	// supervisor, shown to supervisors on every page.
	PendingDuplicates int
	// zone is the clinic's time zone (Config.TimeZone).
	zone *time.Location

	cats *catalogs
}

// T translates a staff interface message into the page's language.
func (p *Page) T(key string) string { return p.cats.text(p.Lang, key) }

// NavItem is one link of the main navigation.
type NavItem struct {
	Href, Key string
	Current   bool
}

// Option is a choice in a select.
type Option struct {
	Value, Label string
	Selected     bool
}

// navItems lists the navigation, each item with the gate of its page: a
// role sees the link exactly when the page would let it in.
var navItems = []struct {
	href, key string
	gate      gate
}{
	{"/", "nav.home", signedInOnly},
	{"/survivors", "nav.survivors", gateSurvivors},
	{"/caseload", "nav.caseload", gateCaseload},
	{"/disclosures/pending", "nav.approvals", gateApprovals},
	{"/referrals", "nav.inbox", gateInbox},
	{"/directory", "nav.directory", gateDirectory},
	{"/survivor-texts", "nav.survivor_texts", signedInOnly},
	{"/gap", "nav.gap", gateGap},
	{"/screening-accuracy", "nav.accuracy", gateAccuracy},
	{"/sessions", "nav.sessions", signedInOnly},
	{"/account/two-step", "nav.mfa", signedInOnly},
	{"/account/password", "nav.password", signedInOnly},
	{"/account/tokens", "nav.tokens", signedInOnly},
	{"/emergency-access", "nav.breakglass", gateBreakGlass},
	{"/review/emergency-access", "nav.breakglass_review", gateBreakGlassReview},
	{"/admin/translations", "nav.translations", gateTranslations},
	{"/admin/teams", "nav.teams", gateTeams},
	{"/admin/users", "nav.users", gateUsers},
	{"/training", "nav.training", gateTraining},
	{"/audit", "nav.audit", gateAudit},
}

// navFor returns the navigation a role sees, marking the current page.
func navFor(role haven.Role, path string) []NavItem {
	var out []NavItem
	for _, n := range navItems {
		if n.gate.allows(role) {
			out = append(out, NavItem{Href: n.href, Key: n.key, Current: n.href == path})
		}
	}
	return out
}

// page builds the shared page data for r.
func (h *Handler) page(r *http.Request, titleKey string) Page {
	p := Page{TitleKey: titleKey, Demo: h.cfg.Demo, Version: h.cfg.Version, Path: r.URL.Path,
		RequestID: server.RequestID(r.Context()), cats: h.catalogs, zone: h.cfg.TimeZone}
	var userLang string
	if s, ok := signedIn(r.Context()); ok {
		p.User = s.user
		userLang = s.user.Language
		if s.state == haven.SignInReady {
			p.Nav = navFor(s.user.Role, r.URL.Path)
		}
		p.SessionSeconds = int(time.Until(s.session.Expiry()).Seconds())
		p.SessionFinal = s.session.Expiry().Equal(s.session.AbsoluteExpiry())
		if h.cfg.BreakGlass != nil && gateBreakGlassReview.allows(s.user.Role) {
			// An alert, not the page's purpose: a failed count shows none.
			p.PendingReviews, _ = h.cfg.BreakGlass.BreakGlassPending(r.Context())
		}
		if h.cfg.Duplicates != nil && gateDuplicates.allows(s.user.Role) {
			p.PendingDuplicates, _ = h.cfg.Duplicates.DuplicateReviewsPending(r.Context())
		}
	}
	p.Lang = h.catalogs.language(r, userLang)
	p.Dir = dir(p.Lang)
	for _, l := range StaffLanguages {
		p.Languages = append(p.Languages, Option{Value: l, Label: languageNames[l], Selected: l == p.Lang})
	}
	return p
}

// render executes page name with data into a buffer, so that a template
// error becomes a clean error page rather than half a page.
func (h *Handler) render(w http.ResponseWriter, status int, name string, data any) error {
	var buf bytes.Buffer
	if err := h.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	// No HTML page is cached: authenticated pages must not be, and a
	// shared device should not keep even the sign-in page.
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

type errorPage struct {
	Page
	Status  int
	Message string
}

// errorPage renders err as an HTML page; it is the server's ErrorRenderer
// for every path no other surface claims.
// An unauthenticated GET goes to the sign-in page instead.
func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, status int, err error) {
	if status == http.StatusUnauthorized && r.Method == http.MethodGet {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	p := errorPage{Page: h.page(r, "error.title"), Status: status, Message: haven.ErrorMessage(err)}
	if status == http.StatusNotFound {
		p.Message = p.T("error.not_found")
	} else if key := "error.kind." + string(haven.ErrorKind(err)); p.Lang != "en" && p.T(key) != key {
		// The store's messages are English: another language says what
		// kind of problem it is, from the catalog.
		p.Message = p.T(key)
	}
	if rerr := h.render(w, status, "error", &p); rerr != nil {
		h.cfg.Logger.Error("render error page", "request_id", p.RequestID, "err", rerr)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
	}
}

var errNotFound = haven.Errorf(haven.NotFound, "Page not found.")

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) error {
	return errNotFound
}

// forbidden is returned when a signed-in user lacks the role for a page.
var errForbidden = haven.Errorf(haven.Forbidden, "Your role does not give access to this page.")

func isKind(err error, k haven.Kind) bool {
	var e *haven.Error
	return errors.As(err, &e) && e.Kind == k
}

// When formats t as a date and time in the clinic's time zone, naming
// the zone ("2026-05-01 09:30 CDT").
func (p *Page) When(t time.Time) string { return t.In(p.zoneOrUTC()).Format("2006-01-02 15:04 MST") }

// Clock formats t as a time of day in the clinic's time zone ("09:30 CDT").
func (p *Page) Clock(t time.Time) string { return t.In(p.zoneOrUTC()).Format("15:04 MST") }

func (p *Page) zoneOrUTC() *time.Location {
	if p.zone == nil {
		return time.UTC
	}
	return p.zone
}
