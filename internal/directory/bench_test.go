package directory

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"
)

func buildGenerated(n int) *Index {
	x := NewEmpty()
	Generate(n, 1, x.Add)
	x.Optimize()
	return x
}

func BenchmarkQuery(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			if n > 100_000 && testing.Short() {
				b.Skip("1e6 services skipped under -short")
			}
			x := buildGenerated(n)
			qs := QuerySet(1000, 2)
			var d []time.Duration
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				if _, err := x.Query(qs[i%len(qs)]); err != nil {
					b.Fatal(err)
				}
				d = append(d, time.Since(start))
			}
			slices.Sort(d)
			b.ReportMetric(float64(d[len(d)*99/100])/1e6, "p99_ms")
			b.ReportMetric(float64(d[len(d)/2])/1e6, "p50_ms")
		})
	}
}

func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			if n > 100_000 && testing.Short() {
				b.Skip("1e6 services skipped under -short")
			}
			for b.Loop() {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				start := time.Now()
				x := buildGenerated(n)
				b.ReportMetric(time.Since(start).Seconds(), "build_s")
				runtime.GC()
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap_MB")
				runtime.KeepAlive(x)
			}
		})
	}
}

// BenchmarkWithin measures the HSDS API's proximity lookup: the locations
// within 10 km of a city, nearest first, from the whole index.
func BenchmarkWithin(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			if n > 100_000 && testing.Short() {
				b.Skip("1e6 services skipped under -short")
			}
			x := buildGenerated(n)
			qs := QuerySet(100, 2)
			found := 0
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				q := qs[i%len(qs)]
				if q.Near == nil {
					continue
				}
				ids, err := x.Within(*q.Near, 10, "")
				if err != nil {
					b.Fatal(err)
				}
				found += len(ids)
			}
			b.ReportMetric(float64(found)/float64(b.N), "locations/op")
		})
	}
}
