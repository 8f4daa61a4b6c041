package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/mod/sumdb/note"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/auditlog"
	"github.com/haven-care/haven/internal/sqlstore"
)

// auditIntegrateEvery is how often serve hashes newly appended audit
// entries into the stored Merkle tree. Appends write only the entry, in the
// transaction of the change they record; until this loop (or a checkpoint,
// proof or verify) runs, the newest entries are hashed only in memory by
// whoever reads the log.
const auditIntegrateEvery = 2 * time.Second

// integrateAuditLoop keeps the audit log's stored tree current until ctx
// ends.
func integrateAuditLoop(ctx context.Context, audit *sqlstore.AuditService, logger *slog.Logger, every time.Duration) {
	repeatEvery(ctx, every, logger, "audit integration", func(ctx context.Context) error {
		_, err := audit.IntegrateAudit(ctx)
		return err
	})
}

// Audit checkpoint defaults: serve signs one this often when the log has
// grown, and retries a witness that failed this often.
const (
	defaultCheckpointEvery = 5 * time.Minute
	witnessRetryEvery      = 30 * time.Second
)

// checkpointer signs audit checkpoints and hands each to a witness outside
// the database.
type checkpointer struct {
	audit   *sqlstore.AuditService
	signer  note.Signer
	witness auditlog.Witness // nil: none
	logger  *slog.Logger
	metrics *checkpointMetrics // nil: none
	// signed is the latest checkpoint this instance signed; witnessed is
	// the size of the latest the witness accepted, -1 before the first.
	signed    []byte
	witnessed int64
}

// checkpointMetrics are the Prometheus metrics of the checkpoint loop.
type checkpointMetrics struct {
	signed          prometheus.Counter
	witnessFailures prometheus.Counter
	witnessedSize   prometheus.Gauge
	witnessedAt     prometheus.Gauge
}

func newCheckpointMetrics(reg prometheus.Registerer) *checkpointMetrics {
	m := &checkpointMetrics{
		signed: prometheus.NewCounter(prometheus.CounterOpts{Name: "haven_audit_checkpoints_signed_total",
			Help: "Audit checkpoints this instance signed."}),
		witnessFailures: prometheus.NewCounter(prometheus.CounterOpts{Name: "haven_audit_witness_failures_total",
			Help: "Attempts to send an audit checkpoint to the witness that failed (each is retried)."}),
		witnessedSize: prometheus.NewGauge(prometheus.GaugeOpts{Name: "haven_audit_witnessed_entries",
			Help: "Entries covered by the latest checkpoint the witness accepted."}),
		witnessedAt: prometheus.NewGauge(prometheus.GaugeOpts{Name: "haven_audit_witness_last_success_timestamp_seconds",
			Help: "Unix time the witness last accepted a checkpoint."}),
	}
	reg.MustRegister(m.signed, m.witnessFailures, m.witnessedSize, m.witnessedAt)
	return m
}

// run signs a checkpoint every interval in which the log grew, until ctx
// ends, and logs each one's size (never its entries). A checkpoint the
// witness has not accepted is sent again every retry until it is, or until
// a newer one replaces it. Failures are logged when they change, and
// serving goes on.
func (c *checkpointer) run(ctx context.Context, every, retry time.Duration) {
	sign, send := time.NewTicker(every), time.NewTicker(min(retry, every))
	defer sign.Stop()
	defer send.Stop()
	signErrs := errorReporter{logger: c.logger, name: "audit checkpoint"}
	sendErrs := errorReporter{logger: c.logger, name: "audit witness"}
	for {
		select {
		case <-ctx.Done():
			return
		case <-sign.C:
			err := c.signIfGrown(ctx)
			if ctx.Err() != nil {
				return
			}
			signErrs.report(err)
		case <-send.C:
		}
		if c.witness == nil || c.signed == nil {
			continue
		}
		err := c.witnessLatest(ctx)
		if ctx.Err() != nil {
			return
		}
		sendErrs.report(err)
	}
}

// signIfGrown signs a checkpoint unless the latest stored one already
// covers the whole log.
func (c *checkpointer) signIfGrown(ctx context.Context) error {
	size, err := c.audit.AuditSize(ctx)
	if err != nil {
		return err
	}
	if latest, err := c.audit.LatestCheckpoint(ctx); err != nil {
		return err
	} else if latest != nil {
		if cp, err := auditlog.ParseCheckpoint(latest); err == nil && cp.Size >= size {
			return nil
		}
	}
	msg, err := c.audit.SignCheckpoint(ctx, c.signer)
	if err != nil {
		return err
	}
	cp, err := auditlog.ParseCheckpoint(msg)
	if err != nil {
		return err
	}
	c.signed = msg
	if c.metrics != nil {
		c.metrics.signed.Inc()
	}
	c.logger.Info("audit checkpoint signed", "size", cp.Size)
	return nil
}

// witnessLatest sends the latest checkpoint this instance signed to the
// witness, unless the witness already has it. It refuses to send one
// smaller than the witness already holds from this instance: the log was
// cut in between, and the witness keeps the evidence.
func (c *checkpointer) witnessLatest(ctx context.Context) error {
	cp, err := auditlog.ParseCheckpoint(c.signed)
	if err != nil || cp.Size == c.witnessed {
		return err
	}
	if cp.Size < c.witnessed {
		return fmt.Errorf("the new audit checkpoint covers %d entries, fewer than the %d already witnessed: entries were removed (run haven audit verify --witness)", cp.Size, c.witnessed)
	}
	if err := c.witness.Send(ctx, c.signed); err != nil {
		if c.metrics != nil {
			c.metrics.witnessFailures.Inc()
		}
		return err
	}
	c.witnessed = cp.Size
	if c.metrics != nil {
		c.metrics.witnessedSize.Set(float64(cp.Size))
		c.metrics.witnessedAt.SetToCurrentTime()
	}
	c.logger.Info("audit checkpoint witnessed", "size", cp.Size, "witness", c.witness.String())
	return nil
}

// repeatEvery runs job every interval until ctx ends. Failures are retried
// on the next tick and logged when they change (the audit jobs' errors name
// entry numbers, never personal data), so a damaged log is reported once,
// not every tick; recovery is logged too.
func repeatEvery(ctx context.Context, every time.Duration, logger *slog.Logger, name string, job func(context.Context) error) {
	t := time.NewTicker(every)
	defer t.Stop()
	errs := errorReporter{logger: logger, name: name}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			err := job(ctx)
			if ctx.Err() != nil {
				return
			}
			errs.report(err)
		}
	}
}

// errorReporter logs a repeated job's failure when it changes and its
// recovery.
type errorReporter struct {
	logger *slog.Logger
	name   string
	last   string
}

func (r *errorReporter) report(err error) {
	switch {
	case err != nil && err.Error() != r.last:
		r.logger.Error(r.name+" failed", "err", err)
		r.last = err.Error()
	case err == nil && r.last != "":
		r.logger.Info(r.name + " recovered")
		r.last = ""
	}
}

// keyReloadEvery is how often serve reads its master key file again, to
// pick up a key that haven keys rotate (here or on another host) put there.
const keyReloadEvery = 10 * time.Second

// keyReloadLoop loads the configured master key every interval and when
// hup delivers (serve passes SIGHUP), until ctx ends, and logs a change of
// key (its ID, never the key). The store also reloads on its own before it
// would wrap under a retired key; this loop makes the switch prompt and
// visible.
func keyReloadLoop(ctx context.Context, db *sqlstore.DB, logger *slog.Logger, every time.Duration, hup <-chan os.Signal) {
	t := time.NewTicker(every)
	defer t.Stop()
	errs := errorReporter{logger: logger, name: "master key reload"}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-hup:
		}
		id, changed, err := db.ReloadKeys()
		errs.report(err)
		if changed {
			logger.Info("master key reloaded", "key_id", id)
		}
	}
}

// referralReminderEvery is how often serve looks for referrals left
// waiting. Every instance looks; each referral is claimed by one.
const referralReminderEvery = 10 * time.Minute

// referralReminderLoop raises a follow-up task, due today in the clinic's
// zone, for the sender of each referral left waiting longer than after.
func referralReminderLoop(ctx context.Context, referrals *sqlstore.ReferralService, logger *slog.Logger, after time.Duration, zone *time.Location) {
	ctx = haven.WithSystem(ctx, access.JobReferralReminders)
	repeatEvery(ctx, referralReminderEvery, logger, "referral reminders", func(ctx context.Context) error {
		n, err := referrals.RemindWaitingReferrals(ctx, after, time.Now().In(zone).Format(time.DateOnly))
		if n > 0 {
			logger.Info("referral reminders raised", "count", n)
		}
		return err
	})
}
