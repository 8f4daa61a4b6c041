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
