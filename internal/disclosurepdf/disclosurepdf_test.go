package disclosurepdf

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven"
)

func TestRenderShowsEveryValueAndTheWatermark(t *testing.T) {
	p := &haven.Package{Number: "DS-TEST-0001", Recipient: "County Sheriff", Requester: "Det. Roe", Basis: haven.BasisSubpoena,
		CaseRef: "HV-AAAA-BBBB", Generated: time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC),
		Watermark: haven.WatermarkText("DS-TEST-0001", "County Sheriff"),
		Items: []haven.PackageItem{{Field: "survivors.name", Label: "Name", Values: []string{"Zaynab زينب Müller"}},
			{Field: "encounters.note", Label: "Notes", Values: []string{"2026-01-02: seen (today) \\ ok"}}}}
	pdf, err := Render(p, Labels{Title: "Disclosure", Page: "page"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:10])
	}
	text, err := Text(pdf)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Zaynab زينب Müller", "2026-01-02: seen (today) \\ ok", p.Watermark, "DS-TEST-0001"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, text)
		}
	}
	again, _ := Render(p, Labels{Title: "Disclosure", Page: "page"})
	if !bytes.Equal(pdf, again) {
		t.Error("the same package rendered to different bytes")
	}
}
