// Package web is Haven's HTML interface: the page shell (layout, quick
// exit, navigation by role, languages), sign-in and sessions, and the error
// pages. Templates, styles, scripts and message catalogs are embedded, so
// nothing is loaded from outside the binary at run time.
package web

import (
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/directory"
	"github.com/haven-care/haven/internal/places"
	"github.com/haven-care/haven/internal/server"
)

//go:embed templates static i18n
var files embed.FS

// DefaultNeutralURL is where quick exit sends the browser: a busy, ordinary
// public site that draws no attention in a browser's history.
const DefaultNeutralURL = "https://www.weather.gov/"

// Config is what the web interface needs.
type Config struct {
	// Auth signs users in and checks their session cookies.
	Auth haven.AuthService
	// MFA enrols users in two-step sign-in; its pages mount when it is set.
	MFA haven.MFAService
	// Directory and DirectoryRecords back the service search page.
	Directory        DirectoryIndex
	DirectoryRecords directory.Records
	// ServiceWriter saves edits of directory editors; without it the
	// directory is read-only.
	ServiceWriter ServiceWriter
	// BreakGlass and Users back emergency access and its review queue.
	BreakGlass haven.BreakGlassService
	Users      haven.UserService
	// UserAdmin is user administration and the two-step policy: its page
	// mounts when it is set, and every signed-in request is held to the
	// sign-in state it reports (a temporary password to change, two-step
	// sign-in to set up).
	UserAdmin haven.UserAdminService
	// Passwords changes the user's own password and serves set-password
	// links; their pages mount when it is set.
	Passwords haven.PasswordService
	// Translations keeps the reviews of survivor-facing texts; without it
	// every text shows the status its catalog gives.
	Translations haven.TranslationReviewService
	// Logger receives errors; it never receives personal data.
	Logger *slog.Logger
	// Demo shows a DEMO banner on every page.
	Demo bool
	// Version is shown in the footer.
	Version string
	// Survivors keeps survivors' records and records contacts under their
	// safe-contact plans. Without it the survivor pages are not mounted.
	Survivors haven.SurvivorService
	// Duplicates is the supervisors' queue of possible duplicates their
	// creators were not told of; its pages mount when it is set.
	Duplicates haven.DuplicateReviewService
	// Referrals keeps referrals; with Consents, its pages mount when it is
	// set, and partners get their inbox.
	Referrals haven.ReferralService
	// ReadAudits, when set, writes the audit entries of the record page's
	// reads in one transaction before the page is shown (one commit
	// instead of one per section).
	ReadAudits haven.ReadAuditBatcher
	// Consents keeps the consent ledger; its pages and the record's consent
	// section mount when it is set (with Survivors).
	Consents haven.ConsentService
	// Disclosures keeps requests for disclosure and the accounting of
	// disclosures; with Survivors, its pages, the approval queue and the
	// record's disclosures section mount when it is set.
	Disclosures haven.DisclosureService
	// Safeguards keeps minors' mandated reports and guardian checks,
	// adults' family choices and testimony timelines; with Survivors, the
	// record shows them and their forms when it is set.
	Safeguards haven.SafeguardService
	// Screenings runs screenings; without it the screening pages are not
	// mounted.
	Screenings haven.ScreeningService
	// Tasks keeps the cases' tasks and builds the start page's worklist;
	// without it the start page shows no worklist and the record no tasks.
	Tasks haven.TaskService
	// DueSoonDays is how many days ahead the worklist shows tasks as due
	// soon (haven.DefaultDueSoonDays when 0); StaleContactDays is after
	// how many days without contact it lists a case
	// (haven.DefaultStaleContactDays when 0).
	DueSoonDays      int
	StaleContactDays int
	// Encounters keeps encounters; without it the record page has no
	// encounters section.
	Encounters haven.EncounterService
	// CareTeams keeps care teams (the record's "Care team" section) and
	// the supervisors' caseload; without it neither shows.
	CareTeams haven.CareTeamService
	// Teams keeps the teams of staff; its administration page mounts when
	// it is set.
	Teams haven.TeamService
	// CarePlans keeps survivors' care plans; with it the record page
	// shows the needs and their forms.
	CarePlans haven.CarePlanService
	// Tokens issues, lists and revokes the signed-in user's own API
	// tokens; the /account/tokens page mounts when it is set.
	Tokens haven.APITokenService
	// TokenAdmin keeps service accounts and their tokens, on the same
	// page, for administrators.
	TokenAdmin haven.APITokenAdminService
	// AuditTrail is the readable audit trail (search, export, status and
	// records' access reports); its pages mount when it is set.
	AuditTrail haven.AuditTrailService
	// AuditVerifier checks the signature of the latest audit checkpoint
	// on the audit page; nil shows the signature as not checked.
	AuditVerifier haven.CheckpointVerifier
	// Gap answers the gap and equity report's suppressed tables; its
	// pages (/gap, its CSV and JSON) mount when it is set.
	Gap haven.GapService
	// Training keeps staff training, licences and compliance; its pages
	// mount, and the screening policy applies, when it is set.
	Training haven.TrainingService
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client that sign-in throttling counts (server.ClientAddr).
	TrustedProxies []netip.Prefix
	// TimeZone is the clinic's: pages show every time in it, with its
	// abbreviation. Nil is UTC.
	TimeZone *time.Location
	// ClinicLocations are the clinic's saved locations, its own first: the
	// directory search offers them and, when no place is typed, searches
	// near the first.
	ClinicLocations places.Locations
	// Clock tells the time for "open now"; haven.SystemClock when nil.
	Clock haven.Clock
	// NeutralURL is where quick exit lands; DefaultNeutralURL when empty.
	// Tests point it at a local page.
	NeutralURL string
}

// Handler serves the HTML pages. It holds one parsed template set per page.
type Handler struct {
	cfg      Config
	pages    map[string]*template.Template
	catalogs *catalogs
	static   http.Handler
}

// pageNames lists every page template; New fails if one is missing.
var pageNames = []string{"signin", "home", "sessions", "exitnote", "translations", "survivortexts", "error", "survivors", "survivor", "survivorform"}

// New parses every template and catalog, so that a missing or broken one
// fails at start rather than on first use.
func New(cfg Config) (*Handler, error) {
	if cfg.Auth == nil {
		return nil, fmt.Errorf("web: Config.Auth is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.NeutralURL == "" {
		cfg.NeutralURL = DefaultNeutralURL
	}
	if cfg.DueSoonDays == 0 {
		cfg.DueSoonDays = haven.DefaultDueSoonDays
	}
	if cfg.StaleContactDays == 0 {
		cfg.StaleContactDays = haven.DefaultStaleContactDays
	}
	if cfg.Clock == nil {
		cfg.Clock = haven.SystemClock{}
	}
	if cfg.TimeZone == nil {
		cfg.TimeZone = time.UTC
	}
	cats, err := loadCatalogs(files)
	if err != nil {
		return nil, err
	}
	h := &Handler{cfg: cfg, catalogs: cats, pages: map[string]*template.Template{}}
	for _, name := range pageNames {
		patterns := []string{"templates/layout.html", "templates/components.html", "templates/" + name + ".html"}
		if name == "survivor" {
			// The record is the case's hub: each section is a template of
			// its own, hub_<section>.html, defining "hub-<section>".
			patterns = append(patterns, "templates/hub_*.html")
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(files, patterns...)
		if err != nil {
			return nil, fmt.Errorf("web: parse page %s: %w", name, err)
		}
		h.pages[name] = t
	}
	if err := h.initStatic(); err != nil {
		return nil, err
	}
	return h, nil
}

// Mount mounts the pages on s and makes s render HTML error pages.
func (h *Handler) Mount(s *server.Server) {
	s.Handle("GET /static/", h.static)
	s.HandleFunc("GET /{$}", h.authed(h.home))
	s.HandleFunc("GET /signin", h.signInForm)
	s.HandleFunc("POST /signin", h.publicForm(h.signIn))
	s.HandleFunc("POST /signout", h.signOut)
	s.HandleFunc("GET /sessions", h.authed(h.sessions))
	s.HandleFunc("POST /sessions/{id}/end", h.authed(h.endSession))
	s.HandleFunc("POST /sessions/extend", h.authed(h.extendSession))
	s.HandleFunc("GET /exit", h.exit)
	s.HandleFunc("GET /quick-exit", h.exitNote)
	s.HandleFunc("POST /language", h.publicForm(h.setLanguage))
	s.HandleFunc("GET /survivor-texts", h.authed(h.survivorTexts))
	s.HandleFunc("GET /admin/translations", h.authed(h.translations))
	if h.cfg.Translations != nil {
		s.HandleFunc("POST /admin/translations/review", h.authed(h.reviewTranslation))
	}
	s.HandleFunc("GET /screening-accuracy", h.authed(h.accuracy))
	if h.cfg.MFA != nil {
		h.mountMFA(s)
	}
	if h.cfg.Passwords != nil {
		h.mountPasswords(s)
	}
	if h.cfg.UserAdmin != nil {
		h.mountUsers(s)
	}
	if h.cfg.BreakGlass != nil {
		h.mountBreakGlass(s)
	}
	if h.cfg.Directory != nil && h.cfg.DirectoryRecords != nil {
		h.mountDirectory(s)
	}
	if h.cfg.Survivors != nil {
		h.mountSurvivors(s)
		if h.cfg.Consents != nil {
			h.mountConsents(s)
		}
		if h.cfg.Consents != nil && h.cfg.Referrals != nil && h.cfg.DirectoryRecords != nil {
			h.mountReferrals(s)
		}
		if h.cfg.Disclosures != nil {
			h.mountDisclosures(s)
		}
		if h.cfg.Safeguards != nil {
			h.mountSafeguards(s)
		}
	}
	if h.cfg.Tasks != nil && h.cfg.Survivors != nil {
		h.mountTasks(s)
	}
	if h.cfg.Screenings != nil {
		h.mountScreenings(s)
	}
	if h.cfg.Duplicates != nil {
		h.mountDuplicates(s)
	}
	if h.cfg.CareTeams != nil {
		h.mountCareTeams(s)
	}
	if h.cfg.Teams != nil {
		h.mountTeams(s)
	}
	if h.cfg.Survivors != nil && h.cfg.CarePlans != nil {
		h.mountCarePlan(s)
	}
	if h.cfg.Tokens != nil {
		h.mountTokens(s)
	}
	if h.cfg.AuditTrail != nil {
		h.mountAuditTrail(s)
	}
	if h.cfg.Training != nil {
		h.mountTraining(s)
	}
	if h.cfg.Gap != nil {
		h.mountGap(s)
	}
	s.HandleFunc("/", h.notFound)
	s.RenderErrors("/", h.errorPage)
}

func (h *Handler) now() time.Time { return h.cfg.Clock.Now() }

var funcs = template.FuncMap{"field": newField, "pager": newPagerView, "bidi": isolateLatin}

// Field is the data of the form-field component: a label, the input, an
// optional hint and the server's validation message beside it.
type Field struct {
	Name, Label, Type, Autocomplete, Value, Error, Hint, Inputmode string
}

func newField(name, label, typ, autocomplete, value, errMsg, hint, inputmode string) Field {
	return Field{name, label, typ, autocomplete, value, errMsg, hint, inputmode}
}

// PagerView is the data of the paging component: the pager and its
// translated labels.
type PagerView struct {
	Pager
	Label, PrevLabel, NextLabel, Status string
}

func newPagerView(p Pager, label, prev, next, status string) PagerView {
	return PagerView{p, label, prev, next, status}
}
