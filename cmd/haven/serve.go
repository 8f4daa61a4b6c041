package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"runtime/debug"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/api"
	"github.com/haven-care/haven/internal/auditlog"
	"github.com/haven-care/haven/internal/demo"
	"github.com/haven-care/haven/internal/fhir"
	"github.com/haven-care/haven/internal/server"
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
	demo  bool
	grace time.Duration
	// checkpointEvery, if positive, is how often this instance signs an
	// audit checkpoint with the key in its data directory.
	checkpointEvery time.Duration
	// trustedProxies lists the reverse proxies whose X-Forwarded-For
	// names the client for sign-in throttling; proxies is it parsed.
	trustedProxies string
	proxies        []netip.Prefix
}

func (f *serveFlags) register(fs *flag.FlagSet) {
	f.store.register(fs)
	f.log.register(fs)
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "address to listen on, host:port")
	fs.BoolVar(&f.demo, "demo", false, "load synthetic demo data on first start and show a DEMO banner")
	fs.DurationVar(&f.grace, "shutdown-grace", 30*time.Second, "time in-flight requests get to finish on SIGTERM")
	fs.DurationVar(&f.checkpointEvery, "audit-checkpoint-every", 0,
		"sign an audit checkpoint this often when the log has grown, with DATA/audit.key (0: never; on several instances, set it on one)")
	fs.StringVar(&f.trustedProxies, "trusted-proxies", "",
		"comma-separated CIDR prefixes or addresses of the reverse proxies in front of Haven, whose X-Forwarded-For\n"+
			"names the client that sign-in throttling counts (empty: trust none; the peer address counts)")
}

func (f *serveFlags) validate() error {
	host, port, err := net.SplitHostPort(f.addr)
	if err != nil || port == "" {
		return haven.Errorf(haven.Invalid, "--addr must be host:port, as in 127.0.0.1:8080, not %q", f.addr)
	}
	_ = host
	if f.grace <= 0 {
		return haven.Errorf(haven.Invalid, "--shutdown-grace must be positive")
	}
	if f.checkpointEvery < 0 || (f.checkpointEvery > 0 && f.checkpointEvery < time.Second) {
		return haven.Errorf(haven.Invalid, "--audit-checkpoint-every must be 0 (never) or at least 1s, not %s", f.checkpointEvery)
	}
	if f.proxies, err = server.ParseTrustedProxies(f.trustedProxies); err != nil {
		return haven.Errorf(haven.Invalid, "--trusted-proxies: %v", err)
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
	go integrateAuditLoop(ctx, db, logger, auditIntegrateEvery)
	if f.checkpointEvery > 0 {
		signer, _, err := auditlog.LoadOrCreateSigner(f.store.data)
		if err != nil {
			return err
		}
		go checkpointLoop(ctx, db, signer, logger, f.checkpointEvery)
	}
	srv := server.New(logger, db)
	srv.Demo = f.demo
	srv.APITokens = db
	(&api.Handler{Users: db, Survivors: db, Screenings: db}).Mount(srv)
	(&fhir.Handler{Screenings: db, Version: version}).Mount(srv)
	index, err := m.startDirectory(ctx, db, srv, &f.store, logger)
	if err != nil {
		return err
	}
	pages, err := web.New(web.Config{Auth: db, MFA: db, BreakGlass: db, Users: db, Directory: index, DirectoryRecords: db, ServiceWriter: db, Survivors: db, Contacts: db, Screenings: db, Logger: logger, Demo: f.demo, Version: version, TrustedProxies: f.proxies})
	if err != nil {
		return err
	}
	pages.Mount(srv)
	bound, err := srv.Listen(f.addr)
	if err != nil {
		return haven.Errorf(haven.Unavailable, "cannot listen on %s: %v", f.addr, err)
	}
	url := "http://" + bound.String()
	if f.demo {
		if err := m.loadDemo(ctx, db, url); err != nil {
			return err
		}
	}
	// Start-up work (migrations, demo passwords hashed with argon2id) leaves
	// garbage; hand it back to the OS before settling into serving.
	debug.FreeOSMemory()
	logger.Info("haven started", "addr", bound.String(), "engine", db.Engine(), "version", version)
	fmt.Fprintf(m.Stdout, "Haven is running at %s (Ctrl-C to stop)\n", url)
	return srv.Serve(ctx, f.grace)
}

// loadDemo loads the demo data into an empty store and prints how to sign in.
func (m *Main) loadDemo(ctx context.Context, db demo.Store, url string) error {
	loaded, err := demo.Load(ctx, db)
	if err != nil {
		return fmt.Errorf("load demo data: %w", err)
	}
	if loaded {
		fmt.Fprintln(m.Stdout, "Loaded synthetic demo data.")
	}
	fmt.Fprintf(m.Stdout, "DEMO: open %s and sign in as %s with the password %q (other roles: %s).\n",
		url, demo.Users[0].Username, demo.Password, demo.OtherUsernames())
	return nil
}
