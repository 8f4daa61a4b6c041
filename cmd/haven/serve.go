package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/api"
	"github.com/haven-care/haven/internal/auditlog"
	"github.com/haven-care/haven/internal/demo"
	"github.com/haven-care/haven/internal/fhir"
	"github.com/haven-care/haven/internal/places"
	"github.com/haven-care/haven/internal/server"
	"github.com/haven-care/haven/internal/sqlstore"
	"github.com/haven-care/haven/internal/web"
)

func init() {
	commands["serve"] = command{"run the web server", runServe}
}

// serveFlags are the flags of haven serve.
type serveFlags struct {
	store storeFlags
	log   logFlags
	addr  string
	// metricsAddr, if set, is where /metrics is served, apart from addr.
	metricsAddr string
	// timeZone names the clinic's time zone; zone is it, loaded.
	timeZone string
	zone     *time.Location
	// tlsProxy: browsers reach addr through a TLS-terminating proxy.
	tlsProxy bool
	demo     bool
	grace    time.Duration
	// checkpointEvery, if positive, is how often this instance signs an
	// audit checkpoint with the key in its data directory.
	checkpointEvery time.Duration
	// witness, if set, is the file path or URL each checkpoint is sent to;
	// witnessTo is it parsed.
	witness   string
	witnessTo auditlog.Witness
	// trustedProxies lists the reverse proxies whose X-Forwarded-For
	// names the client for sign-in throttling; proxies is it parsed.
	trustedProxies string
	proxies        []netip.Prefix
	// dueSoonDays and staleContactDays shape the start page's worklist.
	dueSoonDays      int
	staleContactDays int
	// remindAfter is how long a referral may wait without a change of
	// status before its sender gets a follow-up task; 0 turns reminders off.
	remindAfter time.Duration
	// clinicLocations are the clinic's saved locations as configured;
	// clinics is them found in the place table.
	clinicLocations string
	clinics         places.Locations
	// publicURL is where clients reach Haven (scheme and host, maybe a
	// path prefix): FHIR's absolute references are built on it.
	publicURL string
	// directorySnapshot is where the matching index is saved between
	// starts: "" for DATA/directory-index.snapshot, "off" for nowhere.
	directorySnapshot string
}

func (f *serveFlags) register(fs *flag.FlagSet) {
	f.store.register(fs)
	f.log.register(fs)
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "address to listen on, host:port")
	fs.StringVar(&f.metricsAddr, "metrics-addr", "", "address to serve Prometheus /metrics on, apart from --addr, e.g. 127.0.0.1:9090\n"+
		"(empty: no metrics over HTTP); only the monitoring system should reach it")
	fs.BoolVar(&f.tlsProxy, "tls-proxy", false, "browsers reach --addr through a TLS-terminating proxy, so Haven's origin is https://\n"+
		"(a state-changing request whose Origin names the other scheme is refused); set it only when the proxy is the sole way in")
	fs.BoolVar(&f.demo, "demo", false, "load synthetic demo data on first start and show a DEMO banner")
	fs.DurationVar(&f.grace, "shutdown-grace", 30*time.Second, "time in-flight requests get to finish on SIGTERM")
	fs.DurationVar(&f.checkpointEvery, "audit-checkpoint-every", defaultCheckpointEvery,
		"sign an audit checkpoint this often when the log has grown, with DATA/audit.key (0: never;\n"+
			"on several instances, give them one audit.key or set it on one)")
	fs.StringVar(&f.witness, "audit-witness", "", "send each signed audit checkpoint to this witness outside the database: a file path\n"+
		"(JSON lines appended) or an http(s):// URL (POSTed); failures are logged and retried every 30s")
	fs.DurationVar(&f.remindAfter, "referral-reminder-after", 7*24*time.Hour,
		"how long a referral may wait without a change of status before its sender gets a follow-up task (0: never)")
	fs.StringVar(&f.timeZone, "time-zone", "Local", "the clinic's time zone, in which pages show times: an IANA name such as America/Chicago\n"+
		"(Local: this machine's zone)")
	fs.StringVar(&f.clinicLocations, "clinic-locations", "", "the clinic's saved locations, which directory searches offer, its own first (a search naming\n"+
		"no place is centred there): NAME=PLACE separated by semicolons, PLACE a ZIP code, a city (Austin, TX) or LAT,LON,\n"+
		"e.g. \"Main clinic=78701; Eastside=78702\" (with --demo and none given: the demo clinic, 78701)")
	fs.IntVar(&f.dueSoonDays, "due-soon-days", haven.DefaultDueSoonDays,
		"the start page lists a user's open tasks due within this many days as due soon (1 to 365)")
	fs.IntVar(&f.staleContactDays, "stale-contact-days", haven.DefaultStaleContactDays,
		"the start page lists the cases on a user's care teams with no contact for this many days\n"+
			"(counted from the record's creation when never contacted; 1 to 3650)")
	fs.StringVar(&f.trustedProxies, "trusted-proxies", "",
		"comma-separated CIDR prefixes or addresses of the reverse proxies in front of Haven, whose X-Forwarded-For\n"+
			"names the client that sign-in throttling counts (empty: trust none; the peer address counts)")
	fs.StringVar(&f.directorySnapshot, "directory-snapshot", "", "file the directory's matching index is saved to, so that a restart reads it instead of\n"+
		"rebuilding it from every record; it holds public sites only (default DATA/directory-index.snapshot; off: none)")
	fs.StringVar(&f.publicURL, "public-url", "", "the address clients reach Haven at, such as https://haven.example.org: FHIR fullUrl,\n"+
		"Location and Bundle links are built on it (empty: from each request's Host header)")
}

func (f *serveFlags) validate() error {
	host, port, err := net.SplitHostPort(f.addr)
	if err != nil || port == "" {
		return haven.Errorf(haven.Invalid, "--addr must be host:port, as in 127.0.0.1:8080, not %q", f.addr)
	}
	_ = host
	if f.metricsAddr != "" {
		if _, port, err := net.SplitHostPort(f.metricsAddr); err != nil || port == "" {
			return haven.Errorf(haven.Invalid, "--metrics-addr must be host:port, as in 127.0.0.1:9090, or empty, not %q", f.metricsAddr)
		}
		if f.metricsAddr == f.addr {
			return haven.Errorf(haven.Invalid, "--metrics-addr must differ from --addr: metrics are not served to users")
		}
	}
	if f.grace <= 0 {
		return haven.Errorf(haven.Invalid, "--shutdown-grace must be positive")
	}
	if f.checkpointEvery < 0 || (f.checkpointEvery > 0 && f.checkpointEvery < time.Second) {
		return haven.Errorf(haven.Invalid, "--audit-checkpoint-every must be 0 (never) or at least 1s, not %s", f.checkpointEvery)
	}
	if f.witness != "" {
		if f.checkpointEvery == 0 {
			return haven.Errorf(haven.Invalid, "--audit-witness needs checkpoints: --audit-checkpoint-every must not be 0")
		}
		if f.witnessTo, err = auditlog.NewWitness(f.witness); err != nil {
			return haven.Errorf(haven.Invalid, "--audit-witness: %v", err)
		}
	}
	if f.dueSoonDays < 1 || f.dueSoonDays > 365 {
		return haven.Errorf(haven.Invalid, "--due-soon-days must be 1 to 365, not %d", f.dueSoonDays)
	}
	if f.staleContactDays < 1 || f.staleContactDays > 3650 {
		return haven.Errorf(haven.Invalid, "--stale-contact-days must be 1 to 3650, not %d", f.staleContactDays)
	}
	if f.proxies, err = server.ParseTrustedProxies(f.trustedProxies); err != nil {
		return haven.Errorf(haven.Invalid, "--trusted-proxies: %v", err)
	}
	if f.publicURL != "" {
		u, err := url.Parse(f.publicURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return haven.Errorf(haven.Invalid, "--public-url must be an absolute http(s) URL such as https://haven.example.org, not %q", f.publicURL)
		}
	}
	if f.clinics, err = places.ParseLocations(f.clinicLocations); err != nil {
		return haven.Errorf(haven.Invalid, "--clinic-locations: %v", err)
	}
	if len(f.clinics) == 0 && f.demo {
		f.clinics, _ = places.ParseLocations(demo.Clinic.Locations) // tested in the demo package
	}
	if f.zone, err = time.LoadLocation(f.timeZone); err != nil || f.timeZone == "" {
		return haven.Errorf(haven.Invalid, "--time-zone must be an IANA time zone such as America/Chicago, or Local, not %q", f.timeZone)
	}
	return nil
}

func runServe(m *Main, ctx context.Context, args []string) error {
	fs := newFlagSet(m, "serve", "serve [--addr HOST:PORT] [--data DIR] [--db DSN] [--demo]",
		"haven serve --demo    # then open http://127.0.0.1:8080")
	var f serveFlags
	f.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := f.validate(); err != nil {
		return err
	}
	logger, err := f.log.logger(m)
	if err != nil {
		return err
	}
	db, err := m.openStore(ctx, &f.store, true)
	if err != nil {
		return err
	}
	var (
		accounts   = sqlstore.NewAccountService(db)
		survivors  = sqlstore.NewSurvivorService(db)
		careTeams  = sqlstore.NewCareTeamService(db)
		teams      = sqlstore.NewTeamService(db)
		screenings = sqlstore.NewScreeningService(db)
		encounters = sqlstore.NewEncounterService(db)
		carePlans  = sqlstore.NewCarePlanService(db)
		dir        = sqlstore.NewDirectoryService(db)
		breakGlass = sqlstore.NewBreakGlassService(db)
		audit      = sqlstore.NewAuditService(db)
		tasks      = sqlstore.NewTaskService(db)
		consents   = sqlstore.NewConsentService(db)
		referrals  = sqlstore.NewReferralService(db)
		userAdmin  = sqlstore.NewUserAdminService(db)
		reviews    = sqlstore.NewTranslationService(db)
		tokenAdmin = sqlstore.NewAPITokenAdminService(db)
		auditTrail = sqlstore.NewAuditTrailService(db)
		trainings  = sqlstore.NewTrainingService(db)
		disclosure = sqlstore.NewDisclosureService(db)
		safeguards = sqlstore.NewSafeguardService(db)
		gaps       = sqlstore.NewGapService(db, nil) // matched against the directory once its index is built
		verifier   haven.CheckpointVerifier
	)
	go integrateAuditLoop(ctx, audit, logger, auditIntegrateEvery)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go keyReloadLoop(ctx, db, logger, keyReloadEvery, hup)
	if f.remindAfter > 0 {
		go referralReminderLoop(ctx, referrals, logger, f.remindAfter, f.zone)
	}
	srv := server.New(logger, db)
	if f.checkpointEvery > 0 {
		signer, v, err := auditlog.LoadOrCreateSigner(f.store.data)
		if err != nil {
			return err
		}
		verifier = v
		c := &checkpointer{audit: audit, signer: signer, witness: f.witnessTo, logger: logger,
			metrics: newCheckpointMetrics(srv.Registry()), witnessed: -1}
		go c.run(ctx, f.checkpointEvery, witnessRetryEvery)
	}
	if verifier == nil && f.store.data != "" {
		// The audit page checks the latest checkpoint's signature with the
		// verifier key, when there is one.
		if v, err := loadAuditVerifier(f.store.data, ""); err == nil {
			verifier = v
		}
	}
	srv.Demo = f.demo
	srv.TLSProxy = f.tlsProxy
	srv.APITokens = accounts
	(&api.Handler{Users: accounts, Survivors: survivors, CareTeams: careTeams, Screenings: screenings, CarePlans: carePlans,
		Consents: consents, Referrals: referrals, Tasks: tasks, Encounters: encounters, UserAdmin: userAdmin, TimeZone: f.zone,
		DueSoonDays: f.dueSoonDays, StaleContactDays: f.staleContactDays, AuditTrail: auditTrail, AuditVerifier: verifier,
		Training: trainings, Disclosures: disclosure, Safeguards: safeguards, Gap: gaps}).Mount(srv)
	(&fhir.Handler{Screenings: screenings, CarePlans: carePlans, Consents: consents, Referrals: referrals, Survivors: survivors,
		PublicURL: f.publicURL, Version: version}).Mount(srv)
	if f.demo {
		// Before the index is built, so that it starts with the demo's
		// directory.
		if err := m.loadDemo(ctx, demo.Store{Users: accounts, Survivors: survivors, CareTeams: careTeams, Teams: teams, Directory: dir,
			Caseload: gaps}); err != nil {
			return err
		}
	}
	index, err := m.startDirectory(ctx, db, dir, srv, &f.store, f.snapshotPath(), f.clinics, logger)
	if err != nil {
		return err
	}
	gaps.Directory = index
	pages, err := web.New(web.Config{Auth: accounts, MFA: accounts, BreakGlass: breakGlass, Users: accounts,
		Directory: index, DirectoryRecords: dir, ServiceWriter: dir, Survivors: survivors, Duplicates: survivors, Screenings: screenings,
		CareTeams: careTeams, Teams: teams, CarePlans: carePlans, Encounters: encounters, Consents: consents,
		Tasks: tasks, DueSoonDays: f.dueSoonDays, StaleContactDays: f.staleContactDays,
		UserAdmin: userAdmin, Passwords: userAdmin, Translations: reviews, Tokens: accounts, TokenAdmin: tokenAdmin,
		AuditTrail: auditTrail, AuditVerifier: verifier, Training: trainings, Gap: gaps,
		Referrals: referrals, Disclosures: disclosure, Safeguards: safeguards, ReadAudits: audit, Logger: logger, Demo: f.demo, Version: version,
		TrustedProxies: f.proxies, TimeZone: f.zone, ClinicLocations: f.clinics})
	if err != nil {
		return err
	}
	pages.Mount(srv)
	bound, err := srv.Listen(f.addr)
	if err != nil {
		return haven.Errorf(haven.Unavailable, "cannot listen on %s: %v", f.addr, err)
	}
	if f.metricsAddr != "" {
		maddr, err := srv.ListenMetrics(f.metricsAddr)
		if err != nil {
			return haven.Errorf(haven.Unavailable, "cannot listen on %s for metrics: %v", f.metricsAddr, err)
		}
		logger.Info("metrics listening", "addr", maddr.String())
	}
	url := "http://" + bound.String()
	if f.demo {
		m.printDemoSignIn(url)
	}
	// Start-up work (migrations, demo passwords hashed with argon2id) leaves
	// garbage; hand it back to the OS before settling into serving.
	debug.FreeOSMemory()
	logger.Info("haven started", "addr", bound.String(), "engine", db.Engine(), "version", version)
	fmt.Fprintf(m.Stdout, "Haven is running at %s (Ctrl-C to stop)\n", url)
	return srv.Serve(ctx, f.grace)
}

// snapshotPath is the directory index's snapshot file; "" for none.
func (f *serveFlags) snapshotPath() string {
	switch f.directorySnapshot {
	case "off":
		return ""
	case "":
		return filepath.Join(f.store.data, "directory-index.snapshot")
	}
	return f.directorySnapshot
}

// loadDemo loads the demo data into an empty store.
func (m *Main) loadDemo(ctx context.Context, db demo.Store) error {
	loaded, err := demo.Load(haven.WithSystem(ctx, access.JobDemo), db)
	if err != nil {
		return fmt.Errorf("load demo data: %w", err)
	}
	if loaded {
		fmt.Fprintf(m.Stdout, "Loaded synthetic demo data (a directory of %d services around %s, a caseload of %d synthetic survivors).\n",
			demo.DirectoryServices, demo.Clinic.City, demo.DemoCases)
	}
	return nil
}

// printDemoSignIn says how to sign in to the demo.
func (m *Main) printDemoSignIn(url string) {
	fmt.Fprintf(m.Stdout, "DEMO: open %s and sign in as %s with the password %q (other roles: %s).\n",
		url, demo.Users[0].Username, demo.Password, demo.OtherUsernames())
}
