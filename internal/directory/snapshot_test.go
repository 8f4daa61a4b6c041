package directory

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/haven-care/haven"
)

// snapshotSites is a generated directory with display summaries, and a
// canary in every field of the confidential sites that a snapshot could
// carry: IDs, display, a language and a community only they have, hours
// and time zone.
func snapshotSites(t *testing.T, n int) (all []Site, confidential int) {
	t.Helper()
	Generate(n, 7, func(s Site) {
		s.Display = Display{Service: "Service " + s.ServiceID[:8], Organization: "Org", Location: "Place " + s.LocationID,
			Address: "1 Main St, Springfield", Phone: "555-0100"}
		if s.Confidential {
			confidential++
			s.LocationID = "CANARYLOCID" + s.LocationID
			s.Display.Location, s.Display.Address, s.Display.Phone = "CANARYLOCNAME", "CANARYADDRESS", "CANARYPHONE"
			s.Languages = append(s.Languages, "canarylang")
			s.Match.CommunitiesServed = append(s.Match.CommunitiesServed, "canarycommunity")
			s.TimeZone = "Pacific/Chatham"
			s.Hours = []Hours{{Day: time.Tuesday, Opens: 7*60 + 13, Closes: 9*60 + 47}}
		}
		all = append(all, s)
	})
	if confidential == 0 {
		t.Fatal("the generated directory has no confidential site")
	}
	return all, confidential
}

// answers runs every query of the bench set as an advocate and as a
// partner, with summaries.
func answers(t *testing.T, x *Index) []Answer {
	t.Helper()
	var out []Answer
	for _, q := range QuerySet(300, 3) {
		q.Summaries = true
		for _, role := range []haven.Role{haven.RoleAdvocate, haven.RolePartner} {
			q.Role = role
			a, err := x.Query(q)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, a)
		}
	}
	return out
}

func sortLanguages(as []Answer) []Answer {
	for _, a := range as {
		for i := range a.Results {
			slices.Sort(a.Results[i].Summary.Languages)
		}
	}
	return as
}

func TestSnapshotRoundTrip(t *testing.T) {
	sites, confidential := snapshotSites(t, 5000)
	full := New(sites)
	path := filepath.Join(t.TempDir(), "directory.snapshot")
	want := SnapshotInfo{Version: 42, Source: "test-db", Sealed: []byte("opaque")}
	if err := full.WriteSnapshot(path, want); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, canary := range []string{"CANARY", "canary", "Chatham"} {
		if bytes.Contains(b, []byte(canary)) {
			t.Errorf("the snapshot holds %q, from a confidential site", canary)
		}
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("snapshot mode %v, want 0600", fi.Mode().Perm())
	}
	x, info, err := ReadSnapshot(path)
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(info, want) {
		t.Errorf("info %+v, want %+v", info, want)
	}
	// The shelters come back as the index kept them (live.Index seals
	// them into the snapshot, or reads them from the store).
	shelters := full.ConfidentialSites()
	if len(shelters) != confidential {
		t.Errorf("ConfidentialSites: %d, want %d", len(shelters), confidential)
	}
	for _, s := range shelters {
		x.Upsert(s.ServiceID, []Site{s}) // one site per generated service
	}
	var public []Site
	for _, s := range sites {
		if !s.Confidential {
			public = append(public, s)
		}
	}
	if x.Len() != full.Len() {
		t.Errorf("Len=%d, want %d", x.Len(), full.Len())
	}
	// A language only shelters offer is interned anew after the reload,
	// so a shelter may list its languages in another order.
	if diff := cmp.Diff(sortLanguages(answers(t, full)), sortLanguages(answers(t, x))); diff != "" {
		t.Errorf("answers of the loaded snapshot and its shelters differ from the rebuilt index (-want +got):\n%s", diff)
	}
	// Without them, it answers as an index of the public sites does.
	y, _, err := ReadSnapshot(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(answers(t, New(public)), answers(t, y)); diff != "" {
		t.Errorf("the snapshot answers otherwise than an index of its public sites (-want +got):\n%s", diff)
	}
}

func TestSnapshotRefusesDamage(t *testing.T) {
	sites, _ := snapshotSites(t, 500)
	path := filepath.Join(t.TempDir(), "directory.snapshot")
	if err := New(sites).WriteSnapshot(path, SnapshotInfo{Version: 3}); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(path)
	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 0x10
	reformatted := bytes.Clone(good)
	binary.LittleEndian.PutUint32(reformatted[8:], SnapshotFormat+1)
	binary.LittleEndian.PutUint32(reformatted[len(reformatted)-4:], crc32.Checksum(reformatted[:len(reformatted)-4], castagnoli))
	// A well-sealed file whose site points past the ID arena: the checksum
	// passes, the structure does not.
	forged := bytes.Clone(good)
	body := forged[:len(forged)-4]
	last := len(body) - 1 - 73 // the last site, before an empty sealed section
	binary.LittleEndian.PutUint32(body[last+40:], 1<<30)
	binary.LittleEndian.PutUint32(forged[len(forged)-4:], crc32.Checksum(body, castagnoli))
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"truncated", good[:len(good)-100], ErrSnapshotCorrupt},
		{"cut to its header", good[:10], ErrSnapshotCorrupt},
		{"empty", nil, ErrSnapshotCorrupt},
		{"one bit flipped", flipped, ErrSnapshotCorrupt},
		{"another format", reformatted, ErrSnapshotFormat},
		{"site out of range", forged, ErrSnapshotCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "s")
			if err := os.WriteFile(p, tt.b, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, _, err := ReadSnapshot(p); !errors.Is(err, tt.want) {
				t.Errorf("ReadSnapshot=%v, want %v", err, tt.want)
			}
		})
	}
	if _, _, err := ReadSnapshot(filepath.Join(t.TempDir(), "none")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadSnapshot of no file=%v, want ErrNotExist", err)
	}
}

// BenchmarkSnapshot measures writing and reading a snapshot of the
// generated directory.
func BenchmarkSnapshot(b *testing.B) {
	x := buildGenerated(100_000)
	path := filepath.Join(b.TempDir(), "directory.snapshot")
	b.Run("write", func(b *testing.B) {
		for b.Loop() {
			if err := x.WriteSnapshot(path, SnapshotInfo{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("read", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := ReadSnapshot(path); err != nil {
				b.Fatal(err)
			}
		}
	})
}
