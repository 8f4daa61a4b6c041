package vault

import (
	"bytes"
	"sync"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  José  GARCÍA ", "josé garcía"},
		{"Jose\u0301 Garci\u0301a", "josé garcía"}, // combining accents compose
		{"ＪＯＳＥ", "jose"},                           // full-width letters
		{"STRASSE", "strasse"},
		{"Straße", "strasse"}, // full case folding
		{"a\tb\n\u00a0c", "a b c"},
		{"", ""},
		{"   ", ""},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q)=%q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestBlindIndex(t *testing.T) {
	ik := NewDataKey()
	a := BlindIndex(ik, "survivor name+dob", "  José  GARCÍA ", "1990-01-02")
	if len(a) != 32 {
		t.Fatalf("len(BlindIndex)=%d, want 32", len(a))
	}
	if b := BlindIndex(ik, "survivor name+dob", "josé garcía", "1990-01-02"); !bytes.Equal(a, b) {
		t.Error("equivalent spellings give different index values")
	}
	for name, other := range map[string][]byte{
		"other name":     BlindIndex(ik, "survivor name+dob", "jose garcia", "1990-01-02"),
		"other purpose":  BlindIndex(ik, "survivor alias", "josé garcía", "1990-01-02"),
		"other key":      BlindIndex(NewDataKey(), "survivor name+dob", "josé garcía", "1990-01-02"),
		"shifted parts":  BlindIndex(ik, "survivor name+dob", "josé garcía1990-01-02", ""),
		"moved boundary": BlindIndex(ik, "survivor name+dob", "josé", "garcía 1990-01-02"),
		"one value":      BlindIndex(ik, "survivor name+dob", "josé garcía"),
		"purpose prefix": BlindIndex(ik, "survivor name+dobjosé garcía", "1990-01-02"),
	} {
		if bytes.Equal(a, other) {
			t.Errorf("%s: same index value", name)
		}
	}
}

// TestBlindIndexStableAcrossRotation stores the index key wrapped, rotates
// the master key and checks that the unwrapped index key gives the same
// index values, so stored values need no recomputation.
func TestBlindIndexStableAcrossRotation(t *testing.T) {
	oldKey, newKey := NewDataKey(), NewDataKey()
	ik := NewDataKey()
	before := BlindIndex(ik, "survivor name+dob", "José García", "1990-01-02")
	wrapped := mustKeyring(t, oldKey).Wrap("blind_index", ik)
	rewrapped, err := mustKeyring(t, newKey, oldKey).Rewrap("blind_index", wrapped)
	if err != nil {
		t.Fatal(err)
	}
	ik2, err := mustKeyring(t, newKey).Unwrap("blind_index", rewrapped)
	if err != nil {
		t.Fatal(err)
	}
	if after := BlindIndex(ik2, "survivor name+dob", "JOSÉ GARCÍA", "1990-01-02"); !bytes.Equal(before, after) {
		t.Errorf("index value changed across rotation: %x, then %x", before, after)
	}
}

// TestBlindIndexConcurrent is for -race: the package-level case folder is
// shared by every caller.
func TestBlindIndexConcurrent(t *testing.T) {
	ik := NewDataKey()
	want := BlindIndex(ik, "p", "Ünïcødé NAME")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				if got := BlindIndex(ik, "p", "  ünïcødé   name"); !bytes.Equal(got, want) {
					t.Error("concurrent BlindIndex differs")
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestBlindIndexPanicsWithoutAKey(t *testing.T) {
	for _, n := range []int{0, 16, 33} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("BlindIndex with a %d-byte key did not panic", n)
				}
			}()
			BlindIndex(make([]byte, n), "p", "x")
		}()
	}
}

func TestBlindIndexerMatchesBlindIndex(t *testing.T) {
	ik := NewDataKey()
	ix := NewBlindIndexer(ik, "survivor name+dob")
	if got, want := ix.Index("José García", "1990-01-02"), BlindIndex(ik, "survivor name+dob", "josé  garcía", "1990-01-02"); !bytes.Equal(got, want) {
		t.Errorf("BlindIndexer and BlindIndex differ: %x, %x", got, want)
	}
	if bytes.Equal(ix.Index("a"), NewBlindIndexer(ik, "other purpose").Index("a")) {
		t.Error("two purposes gave the same index")
	}
}
