package main

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/demo"
	"github.com/haven-care/haven/internal/sqlstore"
)

const (
	benchLoadUsage = "bench load --url URL[,URL...] [--users N] [--duration D] [--think D] [--data DIR] [--db DSN]\n\n" +
		"Drives a mixed workload of simulated staff through the JSON API of the running instances named by\n" +
		"--url (users spread over them in turn): advocates open records, screen, search the directory and\n" +
		"refer; partners (one user in ten) work their inbox. Each user pauses --think (±50%) between\n" +
		"actions. The store flags name the instances' database (loaded by serve --demo): the bench issues\n" +
		"one-hour API tokens for demo.advocate and demo.partner there. It prints one line per action\n" +
		"(count, errors, p50, p99) and a summary line."
	benchLoadExample = "haven bench load --url http://127.0.0.1:8080 --users 200 --duration 30s --data haven-data"
)

// loadAction is what one simulated user does in one step.
type loadAction struct {
	name   string
	weight int // out of 100, for advocates
}

// advocateActions are an advocate's steps and how often each is taken.
var advocateActions = []loadAction{{"open", 40}, {"search", 25}, {"screen", 15}, {"refer", 20}}

// loadStats gathers latencies and errors per action.
type loadStats struct {
	mu       sync.Mutex
	lat      map[string][]time.Duration
	errs     map[string]int
	firstErr map[string]string
}

func (s *loadStats) add(action string, d time.Duration, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lat[action] = append(s.lat[action], d)
	if err != nil {
		s.errs[action]++
		if s.firstErr[action] == "" {
			s.firstErr[action] = err.Error()
		}
	}
}

// loadRun is one bench run's shared settings.
type loadRun struct {
	client         *http.Client
	advocate       string // token
	partner        string // token
	partnerService string
	partners       int
	stats          *loadStats
	think          time.Duration
}

func runBenchLoad(m *Main, ctx context.Context, args []string) error {
	fs := newFlagSet(m, "bench load", benchLoadUsage, benchLoadExample)
	var sf storeFlags
	var urls string
	var users int
	var duration, think time.Duration
	sf.register(fs)
	fs.StringVar(&urls, "url", "", "comma-separated base URLs of the running instances")
	fs.IntVar(&users, "users", 200, "simulated staff")
	fs.DurationVar(&duration, "duration", 30*time.Second, "how long the load runs once every user is set up")
	fs.DurationVar(&think, "think", time.Second, "mean pause between one user's actions")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	bases := strings.Split(urls, ",")
	if urls == "" || users < 1 || duration <= 0 || think < 0 {
		return usageError{"bench load: --url is required; --users and --duration must be positive"}
	}
	run, err := m.loadSetup(ctx, &sf, users)
	if err != nil {
		return err
	}
	run.think = think
	var wg sync.WaitGroup
	start := make(chan struct{})
	var deadline time.Time
	for i := range users {
		wg.Go(func() { run.user(ctx, bases[i%len(bases)], i, start, &deadline) })
	}
	deadline = time.Now().Add(duration)
	close(start)
	wg.Wait()
	run.report(m.Stdout, len(bases), users, duration)
	return nil
}

// loadSetup issues the tokens and finds the demo partner's service.
func (m *Main) loadSetup(ctx context.Context, sf *storeFlags, users int) (*loadRun, error) {
	db, err := m.openStore(ctx, sf, false)
	if err != nil {
		return nil, err
	}
	run := &loadRun{
		client:   &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: users, MaxIdleConns: users}},
		partners: max(1, users/10),
		stats:    &loadStats{lat: map[string][]time.Duration{}, errs: map[string]int{}, firstErr: map[string]string{}},
	}
	err = db.SQL().QueryRowContext(ctx, `SELECT id FROM hsds_services WHERE organization_id = $1 ORDER BY id LIMIT 1`,
		demo.PartnerOrganization.ID).Scan(&run.partnerService)
	if err != nil {
		return nil, haven.Errorf(haven.Invalid, "bench load needs the database of an instance started with serve --demo (no demo partner service found)")
	}
	tokens := sqlstore.NewAPITokenAdminService(db)
	jctx := haven.WithSystem(ctx, access.JobAPITokens)
	scopes := []haven.Scope{haven.ScopeAPIRead, haven.ScopeAPIWrite}
	for _, t := range []struct {
		user string
		to   *string
	}{{"demo.advocate", &run.advocate}, {"demo.partner", &run.partner}} {
		if *t.to, _, err = tokens.IssueAPIToken(jctx, t.user, "bench load", scopes, time.Hour); err != nil {
			return nil, fmt.Errorf("token for %s: %w", t.user, err)
		}
	}
	return run, nil
}

// user is one simulated member of staff: user i is a partner when i%10
// is 9, an advocate otherwise. An advocate first opens a record of their
// own and records the survivor's consent to refer to the demo partner.
func (r *loadRun) user(ctx context.Context, base string, i int, start <-chan struct{}, deadline *time.Time) {
	var survivorID, consentID string
	partner := i%10 == 9
	if !partner {
		var err error
		if survivorID, consentID, err = r.openCase(base, i); err != nil {
			r.stats.add("setup", 0, err)
			<-start
			return
		}
	}
	<-start
	rng := rand.New(rand.NewPCG(uint64(i), 1))
	for time.Now().Before(*deadline) && ctx.Err() == nil {
		if r.think > 0 {
			time.Sleep(r.think/2 + time.Duration(rng.Int64N(int64(r.think))))
		}
		if partner {
			r.workInbox(base, i/10%r.partners)
			continue
		}
		r.advocateStep(base, rng, survivorID, consentID)
	}
}

// openCase creates a survivor's record and records consent to refer to
// the demo partner.
func (r *loadRun) openCase(base string, i int) (survivorID, consentID string, err error) {
	body := fmt.Sprintf(`{"name": "Synthetic Load %d", "date_of_birth": "1990-05-06", "languages": [{"code": "es"}], "safe_contact": {"channels": []}}`, i)
	var created struct {
		Survivor struct{ ID string } `json:"survivor"`
	}
	if err := r.call(base, r.advocate, "POST", "/api/v1/survivors", body, &created); err != nil {
		return "", "", err
	}
	var consent struct{ ID string }
	err = r.call(base, r.advocate, "POST", "/api/v1/survivors/"+created.Survivor.ID+"/consents", `{"recipient_kind": "organization",
		"recipient": "`+demo.PartnerOrganization.ID+`", "purpose": "referral", "categories": ["identity"], "method": "verbal", "language": "es"}`, &consent)
	return created.Survivor.ID, consent.ID, err
}

// advocateStep takes one weighted advocate action and records it.
func (r *loadRun) advocateStep(base string, rng *rand.Rand, survivorID, consentID string) {
	roll := rng.IntN(100)
	var a loadAction
	for _, a = range advocateActions {
		if roll < a.weight {
			break
		}
		roll -= a.weight
	}
	var method, path, body string
	switch a.name {
	case "open":
		method, path = "GET", "/api/v1/survivors/"+survivorID
	case "search":
		need := []string{"housing", "shelter", "legal", "mental-health", "food"}[rng.IntN(5)]
		method, path = "GET", "/api/v1/directory/search?need="+need+"&lat=30.27&lon=-97.74&radius_km=40"
	case "screen":
		method, path, body = "POST", "/api/v1/survivors/"+survivorID+"/screenings", loadScreening
	case "refer":
		method, path = "POST", "/api/v1/survivors/"+survivorID+"/referrals"
		body = `{"service_id": "` + r.partnerService + `", "consent_id": "` + consentID + `", "categories": ["identity"]}`
	}
	t0 := time.Now()
	err := r.call(base, r.advocate, method, path, body, nil)
	r.stats.add(a.name, time.Since(t0), err)
}

// workInbox reads the partner's inbox and accepts one requested referral
// of this partner's share (referrals are shared out among the simulated
// partners by ID, so that no two race for one).
func (r *loadRun) workInbox(base string, share int) {
	var inbox struct {
		Referrals []struct{ ID, Status string } `json:"referrals"`
	}
	t0 := time.Now()
	err := r.call(base, r.partner, "GET", "/api/v1/inbox", "", &inbox)
	r.stats.add("inbox", time.Since(t0), err)
	for _, ref := range inbox.Referrals {
		h := fnv.New32a()
		h.Write([]byte(ref.ID))
		if ref.Status != "requested" || int(h.Sum32()%uint32(r.partners)) != share {
			continue
		}
		t0 := time.Now()
		err := r.call(base, r.partner, "POST", "/api/v1/referrals/"+ref.ID+"/status", `{"status": "accepted"}`, nil)
		r.stats.add("accept", time.Since(t0), err)
		return
	}
}

// call makes one API call; a status of 400 or above is an error. When out
// is not nil the body is decoded into it.
func (r *loadRun) call(base, token, method, path, body string, out any) error {
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return fmt.Errorf("%s %s: %d %s", method, strings.Split(path, "?")[0], resp.StatusCode, b)
	}
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// report prints one line per action and the summary.
func (r *loadRun) report(w io.Writer, instances, users int, d time.Duration) {
	s := r.stats
	names := make([]string, 0, len(s.lat))
	total, errs := 0, 0
	for name, lat := range s.lat {
		names = append(names, name)
		if name != "setup" {
			total += len(lat)
		}
		errs += s.errs[name]
	}
	slices.Sort(names)
	for _, name := range names {
		lat := s.lat[name]
		slices.Sort(lat)
		fmt.Fprintf(w, "load-action action=%s n=%d errors=%d p50_ms=%.1f p99_ms=%.1f\n", name, len(lat), s.errs[name],
			ms(percentile(lat, 50)), ms(percentile(lat, 99)))
		if e := s.firstErr[name]; e != "" {
			fmt.Fprintf(w, "  first error of %s: %s\n", name, e)
		}
	}
	fmt.Fprintf(w, "load instances=%d users=%d duration=%s requests=%d throughput_rps=%.1f errors=%d\n",
		instances, users, d, total, float64(total)/d.Seconds(), errs)
}

// percentile is the p-th percentile of sorted latencies.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[max(0, i-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// loadScreening is a completed screening with the rapid four-question
// instrument that Haven ships.
const loadScreening = `{"instrument_id": "haven-rapid-four", "response": {"resourceType": "QuestionnaireResponse", "status": "completed", "item": [
	{"linkId": "r-safety", "item": [{"linkId": "r-safety-alone", "answer": [{"valueBoolean": true}]},
		{"linkId": "r-safety-language", "answer": [{"valueCoding": {"system": "https://haven.example/fhir/CodeSystem/language-support", "code": "professional"}}]},
		{"linkId": "r-safety-private", "answer": [{"valueBoolean": true}]}, {"linkId": "r-safety-explained", "answer": [{"valueBoolean": true}]}]},
	{"linkId": "r-questions", "item": [{"linkId": "r-leave", "answer": [{"valueBoolean": false}]}, {"linkId": "r-papers", "answer": [{"valueBoolean": true}]},
		{"linkId": "r-threat", "answer": [{"valueBoolean": false}]}, {"linkId": "r-sex", "answer": [{"valueBoolean": false}]}]}]}}`
