package vault

import (
	"fmt"
	"strings"
	"testing"
)

// record is a synthetic ~2 KB survivor record split into 10 fields.
var record = func() [][]byte {
	fields := make([][]byte, 10)
	for i := range fields {
		fields[i] = []byte(strings.Repeat(fmt.Sprintf("synthetic field %d ", i), 12)[:200])
	}
	return fields
}()

// recordAADs returns the associated data of each field of record.
func recordAADs() [][]byte {
	aads := make([][]byte, len(record))
	for i := range aads {
		aads[i] = AAD("survivors", fmt.Sprintf("field_%d", i), "01a2199b-9801-7181-b46e-20401d3df28c")
	}
	return aads
}

func BenchmarkSealOpenRecord(b *testing.B) {
	dk, aads := NewDataKey(), recordAADs()
	b.SetBytes(2000)
	b.ReportAllocs()
	for b.Loop() {
		for i, f := range record {
			ct, err := Seal(dk, f, aads[i])
			if err != nil {
				b.Fatal(err)
			}
			if _, err := Open(dk, ct, aads[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkWrapUnwrap(b *testing.B) {
	ring, _ := NewKeyring(NewDataKey())
	dk := NewDataKey()
	b.ReportAllocs()
	for b.Loop() {
		w := ring.Wrap("01a2199b-9801-7181-b46e-20401d3df28c", dk)
		if _, err := ring.Unwrap("01a2199b-9801-7181-b46e-20401d3df28c", w); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBlindIndex(b *testing.B) {
	ik := NewDataKey()
	b.ReportAllocs()
	for b.Loop() {
		BlindIndex(ik, "survivor name+dob", "  José  GARCÍA ", "1990-01-02")
	}
}

// BenchmarkSealerRecord seals and opens the same record as
// BenchmarkSealOpenRecord through one Sealer per record, as the store does.
func BenchmarkSealerRecord(b *testing.B) {
	dk, aads := NewDataKey(), recordAADs()
	b.SetBytes(2000)
	b.ReportAllocs()
	for b.Loop() {
		sealer, err := NewSealer(dk)
		if err != nil {
			b.Fatal(err)
		}
		for i, f := range record {
			if _, err := sealer.Open(sealer.Seal(f, aads[i]), aads[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkBlindIndexer is BenchmarkBlindIndex with the purpose's key
// derived once, as the store keeps it.
func BenchmarkBlindIndexer(b *testing.B) {
	ix := NewBlindIndexer(NewDataKey(), "survivor name+dob")
	b.ReportAllocs()
	for b.Loop() {
		ix.Index("  José  GARCÍA ", "1990-01-02")
	}
}
