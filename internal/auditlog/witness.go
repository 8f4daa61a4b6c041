package auditlog

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// A Witness keeps copies of signed checkpoints outside the database, so
// that whoever can write to the database cannot also remove the evidence of
// what the log held: an append-only file (on another disk, a mounted
// write-once bucket) or an HTTP endpoint run by someone else.
type Witness interface {
	// Send hands the witness one signed checkpoint.
	Send(ctx context.Context, signed []byte) error
	// Checkpoints returns every checkpoint the witness holds, oldest first.
	Checkpoints(ctx context.Context) ([][]byte, error)
	// String names the witness (its path or URL without credentials).
	String() string
}

// WitnessRecord is one line of a witness file, one POST to an HTTP witness
// and one line of its GET answer: {"note": "<signed checkpoint>",
// "sent_at": "<RFC 3339 time>"}.
type WitnessRecord struct {
	Note   string    `json:"note"`
	SentAt time.Time `json:"sent_at"`
}

// NewWitness returns the witness that target names: an http:// or https://
// URL, or else a file path.
func NewWitness(target string) (Witness, error) {
	switch {
	case target == "":
		return nil, errors.New("empty audit witness")
	case strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://"):
		u, err := url.Parse(target)
		if err != nil || u.Host == "" || u.Fragment != "" {
			return nil, fmt.Errorf("audit witness %q is not a usable URL", target)
		}
		return &HTTPWitness{URL: u.String(), Client: &http.Client{Timeout: 30 * time.Second}}, nil
	case strings.Contains(target, "://"):
		return nil, fmt.Errorf("audit witness %q: only http:// and https:// URLs or file paths", target)
	}
	return FileWitness(target), nil
}

// FileWitness appends each checkpoint to a file as a JSON line, creating it
// 0600, and syncs it before Send returns.
type FileWitness string

func (w FileWitness) String() string { return string(w) }

func (w FileWitness) Send(_ context.Context, signed []byte) error {
	line, err := witnessLine(signed)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(string(w), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("audit witness: %w", err)
	}
	if _, err := f.Write(line); err != nil {
		f.Close()
		return fmt.Errorf("audit witness: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("audit witness: %w", err)
	}
	return f.Close()
}

func (w FileWitness) Checkpoints(context.Context) ([][]byte, error) {
	f, err := os.Open(string(w))
	if err != nil {
		return nil, fmt.Errorf("audit witness: %w", err)
	}
	defer f.Close()
	return ParseWitnessRecords(f)
}

// HTTPWitness POSTs each checkpoint to URL as one WitnessRecord
// (application/json) and expects a 2xx answer; a GET of URL returns the
// records it holds as JSON lines.
type HTTPWitness struct {
	URL    string
	Client *http.Client
}

// String returns the URL without its user information.
func (w *HTTPWitness) String() string {
	u, err := url.Parse(w.URL)
	if err != nil {
		return "audit witness URL"
	}
	u.User = nil
	return u.String()
}

func (w *HTTPWitness) Send(ctx context.Context, signed []byte) error {
	line, err := witnessLine(signed)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(line))
	if err != nil {
		return fmt.Errorf("audit witness: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := w.Client.Do(req)
	if err != nil {
		return fmt.Errorf("audit witness %s: %w", w, errors.Unwrap(err))
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("audit witness %s answered %s", w, resp.Status)
	}
	return nil
}

// maxWitnessAnswer bounds what Checkpoints reads from an HTTP witness:
// about two million checkpoints, 15 years of one every four minutes.
const maxWitnessAnswer = 1 << 30

func (w *HTTPWitness) Checkpoints(ctx context.Context) ([][]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, w.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("audit witness: %w", err)
	}
	resp, err := w.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("audit witness %s: %w", w, errors.Unwrap(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("audit witness %s answered %s", w, resp.Status)
	}
	return ParseWitnessRecords(io.LimitReader(resp.Body, maxWitnessAnswer))
}

// witnessLine returns the JSON line recording signed, after checking that
// it parses as a checkpoint.
func witnessLine(signed []byte) ([]byte, error) {
	if _, err := ParseCheckpoint(signed); err != nil {
		return nil, err
	}
	b, err := json.Marshal(WitnessRecord{Note: string(signed), SentAt: time.Now().UTC()})
	return append(b, '\n'), err
}

// ParseWitnessRecords reads JSON lines of WitnessRecord, skipping blank
// lines, and returns their notes. A line that is not a record whose note
// parses as a checkpoint is an error naming the line: a witness is expected
// to hold exactly what was sent to it.
func ParseWitnessRecords(r io.Reader) ([][]byte, error) {
	var out [][]byte
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var rec WitnessRecord
		if err := json.Unmarshal(line, &rec); err != nil {
			return nil, fmt.Errorf("audit witness line %d: %v", n, err)
		}
		if _, err := ParseCheckpoint([]byte(rec.Note)); err != nil {
			return nil, fmt.Errorf("audit witness line %d: %v", n, err)
		}
		out = append(out, []byte(rec.Note))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("audit witness: %w", err)
	}
	return out, nil
}

// LatestWitnessed checks the signature of every checkpoint in notes whose
// origin is v's name with v and returns the largest, or nil when there is
// none. Checkpoints of other keys (other instances sharing the witness) are
// skipped; one of v's name that v does not accept is an error: it was forged.
func LatestWitnessed(notes [][]byte, v note.Verifier) ([]byte, error) {
	var latest []byte
	best := int64(-1)
	for i, msg := range notes {
		if c, err := ParseCheckpoint(msg); err != nil || c.Origin != v.Name() {
			continue
		}
		cp, err := Open(msg, v)
		if err != nil {
			return nil, fmt.Errorf("witnessed checkpoint %d of %d: %w", i+1, len(notes), err)
		}
		if cp.Size > best {
			latest, best = msg, cp.Size
		}
	}
	return latest, nil
}
