package directory

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

func buildGenerated(n int) *Index {
	x := NewEmpty()
	Generate(n, 1, func(s Site) { x.add(&s) })
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
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if _, err := x.Query(qs[i%len(qs)]); err != nil {
					b.Fatal(err)
				}
			}
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
