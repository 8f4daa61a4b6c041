package auditlog_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/auditlog"
)

func entry(i int64) haven.AuditEntry {
	return haven.AuditEntry{Index: i, Time: time.Date(2026, 3, 1, 9, 0, int(i), 1000, time.UTC), ActorID: "actor-1",
		AuditEvent: haven.AuditEvent{Action: "user.create", ObjectType: "user", ObjectID: "obj-" + string(rune('a'+i%26)), Outcome: haven.OutcomeSuccess}}
}

func TestEncodeDistinguishesEntries(t *testing.T) {
	base := entry(3)
	mod := func(f func(e *haven.AuditEntry)) haven.AuditEntry { e := base; f(&e); return e }
	tests := []struct {
		name string
		e    haven.AuditEntry
	}{
		{"index", mod(func(e *haven.AuditEntry) { e.Index = 4 })},
		{"nanosecond", mod(func(e *haven.AuditEntry) { e.Time = e.Time.Add(time.Nanosecond) })},
		{"actor", mod(func(e *haven.AuditEntry) { e.ActorID = "actor-2" })},
		{"byte moved between fields", mod(func(e *haven.AuditEntry) { e.ActorID, e.Action = "actor-1u", "ser.create" })},
		{"object type into id", mod(func(e *haven.AuditEntry) { e.ObjectType, e.ObjectID = "", "user"+e.ObjectID })},
		{"outcome", mod(func(e *haven.AuditEntry) { e.Outcome = haven.OutcomeDenied })},
		{"reason", mod(func(e *haven.AuditEntry) { e.Reason = "BG-1" })},
	}
	for _, tt := range tests {
		if bytes.Equal(auditlog.Encode(tt.e), auditlog.Encode(base)) {
			t.Errorf("%s: encoding equal to the original's", tt.name)
		}
	}
}

func TestEncodeIsUTCAndStable(t *testing.T) {
	e := entry(1)
	local := e
	local.Time = e.Time.In(time.FixedZone("x", 3600))
	if !bytes.Equal(auditlog.Encode(e), auditlog.Encode(local)) {
		t.Errorf("the same instant in another zone encodes differently")
	}
	got := auditlog.LeafHash(haven.AuditEntry{Time: time.Unix(0, 0)}).String()
	// Golden value: changing it breaks every existing log.
	const want = "E39P7oqsaTFN7F7R9pT0yRUPH9DFNQaKNvosxZBIm+E=" // sha256(0x00 || tag || 52 zero bytes)
	if got != want {
		t.Errorf("LeafHash(zero entry)=%s, want %s", got, want)
	}
}

// memLog is a log held in memory: entries and the stored hashes.
type memLog struct {
	entries []haven.AuditEntry
	hashes  []tlog.Hash
}

func newMemLog(t *testing.T, n int) *memLog {
	l := &memLog{}
	for i := range n {
		e := entry(int64(i))
		h, err := auditlog.StoredHashes(e, l)
		if err != nil {
			t.Fatal(err)
		}
		l.entries = append(l.entries, e)
		l.hashes = append(l.hashes, h...)
	}
	return l
}

func (l *memLog) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		out[i] = l.hashes[x]
	}
	return out, nil
}

// check runs a Checker over l and returns the first bad index or -1.
func (l *memLog) check(t *testing.T) int64 {
	t.Helper()
	c := auditlog.NewChecker()
	for i, e := range l.entries {
		lo, hi := tlog.StoredHashIndex(0, int64(i)), tlog.StoredHashIndex(0, int64(i)+1)
		if hi > int64(len(l.hashes)) {
			hi = int64(len(l.hashes))
		}
		if lo > hi {
			lo = hi
		}
		var bad *auditlog.BadEntryError
		if err := c.Add(e, l.hashes[lo:hi]); errors.As(err, &bad) {
			return bad.Index
		} else if err != nil {
			t.Fatal(err)
		}
	}
	root, err := c.Root()
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := tlog.TreeHash(int64(len(l.entries)), l); root != want {
		t.Errorf("Checker root %v, want %v", root, want)
	}
	return -1
}

func TestCheckerNamesFirstBadEntry(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(l *memLog)
		want   int64
	}{
		{"untouched", func(l *memLog) {}, -1},
		{"edited field", func(l *memLog) { l.entries[9].ObjectID = "other" }, 9},
		{"edited time", func(l *memLog) { l.entries[4].Time = l.entries[4].Time.Add(time.Second) }, 4},
		{"deleted entry", func(l *memLog) { l.entries = append(l.entries[:7], l.entries[8:]...) }, 7},
		{"swapped entries", func(l *memLog) { l.entries[5], l.entries[12] = l.entries[12], l.entries[5] }, 5},
		{"swapped contents", func(l *memLog) {
			l.entries[5].ObjectID, l.entries[12].ObjectID = l.entries[12].ObjectID, l.entries[5].ObjectID
		}, 5},
		{"inserted entry", func(l *memLog) {
			l.entries = append(l.entries[:3], append([]haven.AuditEntry{entry(3)}, l.entries[3:]...)...)
			for i := range l.entries {
				l.entries[i].Index = int64(i)
			}
			l.entries[3].ActorID = "forger"
		}, 3},
		{"edited leaf hash", func(l *memLog) { l.hashes[tlog.StoredHashIndex(0, 6)][0] ^= 1 }, 6},
		{"edited interior hash", func(l *memLog) { l.hashes[tlog.StoredHashIndex(2, 1)][0] ^= 1 }, 7},
		{"forged entry without hashes", func(l *memLog) { l.entries = append(l.entries, entry(20)) }, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newMemLog(t, 20)
			tt.tamper(l)
			if got := l.check(t); got != tt.want {
				t.Errorf("first bad=%d, want %d", got, tt.want)
			}
		})
	}
}

func TestCheckpointSignOpen(t *testing.T) {
	signer, verifier, err := auditlog.LoadOrCreateSigner(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, otherVerifier, _ := auditlog.LoadOrCreateSigner(t.TempDir())
	l := newMemLog(t, 10)
	root, _ := tlog.TreeHash(10, l)
	cp := auditlog.Checkpoint{Origin: signer.Name(), Size: 10, Root: root}
	msg, err := auditlog.Sign(cp, signer)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := auditlog.Open(msg, verifier); err != nil || got != cp {
		t.Errorf("Open=%+v,%v, want %+v", got, err, cp)
	}
	forged := bytes.Replace(msg, []byte("\n10\n"), []byte("\n11\n"), 1)
	for name, tc := range map[string]struct {
		msg []byte
		v   note.Verifier
	}{"forged size": {forged, verifier}, "other key": {msg, otherVerifier}} {
		if _, err := auditlog.Open(tc.msg, tc.v); err == nil {
			t.Errorf("%s: Open succeeded, want a signature error", name)
		}
	}
	if !strings.HasPrefix(string(msg), signer.Name()+"\n10\n"+root.String()+"\n\n") {
		t.Errorf("signed checkpoint %q, want origin, size, root lines", msg)
	}
}

func TestCheckCheckpoint(t *testing.T) {
	l := newMemLog(t, 30)
	rootAt := func(n int64) tlog.Hash { h, _ := tlog.TreeHash(n, l); return h }
	other := newMemLog(t, 30)
	other.entries[2].Reason = "x"
	other.hashes = nil
	for _, e := range other.entries {
		h, _ := auditlog.StoredHashes(e, other)
		other.hashes = append(other.hashes, h...)
	}
	otherRoot, _ := tlog.TreeHash(12, other)
	tests := []struct {
		name string
		cp   auditlog.Checkpoint
		want int64
	}{
		{"same size", auditlog.Checkpoint{Size: 30, Root: rootAt(30)}, -1},
		{"older", auditlog.Checkpoint{Size: 12, Root: rootAt(12)}, -1},
		{"empty", auditlog.Checkpoint{Size: 0, Root: rootAt(0)}, -1},
		{"truncated", auditlog.Checkpoint{Size: 31}, 30},
		{"rewritten older", auditlog.Checkpoint{Size: 12, Root: otherRoot}, 0},
		{"rewritten same size", auditlog.Checkpoint{Size: 30, Root: otherRoot}, 0},
	}
	for _, tt := range tests {
		err := auditlog.CheckCheckpoint(tt.cp, 30, rootAt(30), l)
		got := int64(-1)
		var bad *auditlog.BadEntryError
		if errors.As(err, &bad) {
			got = bad.Index
		} else if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got != tt.want {
			t.Errorf("%s: first bad=%d (%v), want %d", tt.name, got, err, tt.want)
		}
	}
}

func TestLoadOrCreateSignerKeepsKey(t *testing.T) {
	dir := t.TempDir()
	s1, _, err := auditlog.LoadOrCreateSigner(dir)
	if err != nil {
		t.Fatal(err)
	}
	s2, v2, err := auditlog.LoadOrCreateSigner(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s1.Name() != s2.Name() || s1.KeyHash() != v2.KeyHash() || !strings.HasPrefix(s1.Name(), "haven.audit/") {
		t.Errorf("second load: signer %s/%x, verifier %x, want the first key %s/%x", s2.Name(), s2.KeyHash(), v2.KeyHash(), s1.Name(), s1.KeyHash())
	}
	fi, err := os.Stat(filepath.Join(dir, auditlog.KeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	if v, err := auditlog.LoadVerifierKey(filepath.Join(dir, auditlog.PubFile)); err != nil || v.KeyHash() != s1.KeyHash() {
		t.Errorf("LoadVerifierKey=%v, want the signer's verifier", err)
	}
}

// FuzzParseCheckpoint feeds arbitrary text to ParseCheckpoint and Open: they
// must not panic, and whatever they accept must be the checkpoint its own
// Body encodes, named by the key that signed it.
func FuzzParseCheckpoint(f *testing.F) {
	signer, verifier, err := auditlog.LoadOrCreateSigner(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	root := tlog.RecordHash([]byte("seed"))
	signed, err := auditlog.Sign(auditlog.Checkpoint{Origin: signer.Name(), Size: 42, Root: root}, signer)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		string(signed),
		auditlog.Checkpoint{Origin: "haven.audit/x", Size: 0, Root: root}.Body(),
		"haven.audit/x\n7\n" + root.String(),
		"haven.audit/x\n07\n" + root.String() + "\n",
		"haven.audit/x\n-1\n" + root.String() + "\n",
		"haven.audit/x\n7\nAAAA\n",
		"other.log/x\n7\n" + root.String() + "\n",
		"haven.audit/x\n7\n" + root.String() + "\nextra\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		if c, err := auditlog.ParseCheckpoint(msg); err == nil {
			again, err := auditlog.ParseCheckpoint([]byte(c.Body()))
			if err != nil || again != c {
				t.Errorf("ParseCheckpoint(%q)=%+v, and of its Body %+v, %v", msg, c, again, err)
			}
		}
		if c, err := auditlog.Open(msg, verifier); err == nil && c.Origin != verifier.Name() {
			t.Errorf("Open(%q) accepted origin %q, want %q", msg, c.Origin, verifier.Name())
		}
	})
}

// TestLoadOrCreateSignerConcurrentFirstUse starts several instances on one
// empty data directory at once: all must end up with the same key.
func TestLoadOrCreateSignerConcurrentFirstUse(t *testing.T) {
	for run := range 20 {
		dir := t.TempDir()
		names := make([]string, 8)
		errs := make([]error, 8)
		var wg sync.WaitGroup
		for i := range names {
			wg.Go(func() {
				s, _, err := auditlog.LoadOrCreateSigner(dir)
				if errs[i] = err; err == nil {
					names[i] = fmt.Sprintf("%s/%x", s.Name(), s.KeyHash())
				}
			})
		}
		wg.Wait()
		for i := range names {
			if errs[i] != nil || names[i] != names[0] {
				t.Fatalf("run %d, instance %d: key %s, %v, want %s", run, i, names[i], errs[i], names[0])
			}
		}
	}
}

func TestLoadOrCreateSignerRestoresPublicKey(t *testing.T) {
	dir := t.TempDir()
	s1, _, err := auditlog.LoadOrCreateSigner(dir)
	if err != nil {
		t.Fatal(err)
	}
	pub := filepath.Join(dir, auditlog.PubFile)
	os.Remove(pub)
	if _, _, err := auditlog.LoadOrCreateSigner(dir); err != nil {
		t.Fatalf("without %s: %v", auditlog.PubFile, err)
	}
	if v, err := auditlog.LoadVerifierKey(pub); err != nil || v.KeyHash() != s1.KeyHash() || v.Name() != s1.Name() {
		t.Errorf("restored %s: %v, want the signer's verifier", auditlog.PubFile, err)
	}
	otherDir := t.TempDir()
	if _, _, err := auditlog.LoadOrCreateSigner(otherDir); err != nil {
		t.Fatal(err)
	}
	otherPub, _ := os.ReadFile(filepath.Join(otherDir, auditlog.PubFile))
	os.WriteFile(pub, otherPub, 0o644)
	if _, _, err := auditlog.LoadOrCreateSigner(dir); err == nil {
		t.Errorf("LoadOrCreateSigner accepted another key's %s", auditlog.PubFile)
	}
}
