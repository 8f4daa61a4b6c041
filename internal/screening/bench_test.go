package screening

import "testing"

// BenchmarkParseInstrument measures loading the largest shipped instrument
// (decode, index, que-* checks, cycle search).
func BenchmarkParseInstrument(b *testing.B) {
	data, err := instrumentFS.ReadFile("instruments/haven-adult-indicators.json")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseQuestionnaire(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScore measures what the server does on each submitted page of a
// screening: evaluate enableWhen, validate the response, apply the rules.
func BenchmarkScore(b *testing.B) {
	q, err := Instrument("haven-adult-indicators")
	if err != nil {
		b.Fatal(err)
	}
	r := answered(b, q, "a-", true, "a-pay", "a-debt", "a-threats", "a-sex-exchange", "a-sex-earnings")
	for b.Loop() {
		if _, err := Score(q, r, Patient{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAccuracy measures the 2×2 statistics with their exact intervals
// (eight beta quantiles by bisection) for the published Greenbaum table.
func BenchmarkAccuracy(b *testing.B) {
	for b.Loop() {
		if _, err := Accuracy(76, 14, 306, 414); err != nil {
			b.Fatal(err)
		}
	}
}
