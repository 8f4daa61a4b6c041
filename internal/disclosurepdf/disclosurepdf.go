// Package disclosurepdf renders a disclosure's package as PDF, with
// github.com/go-pdf/fpdf (pure Go, no cgo, deterministic output for a
// fixed creation date) and the DejaVu Sans font embedded (subset per
// document), so that names and notes in any script the font covers print
// as typed. Every page carries the watermark: the disclosure number and
// the recipient. The font's licence is in font/LICENSE.
package disclosurepdf

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"

	"github.com/go-pdf/fpdf"
	"github.com/haven-care/haven"
)

//go:embed font/DejaVuSans.ttf
var dejaVuSans []byte

// Labels are the words of the package that are not data, in the language
// the package is printed in.
type Labels struct {
	Title, Number, Recipient, Requester, Basis, Case, Generated, Page, NoValue string
}

// Render returns p as a PDF. The PDF's dates are p.Generated, so the same
// package renders to the same bytes.
func Render(p *haven.Package, l Labels) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("dejavu", "", dejaVuSans)
	pdf.SetCreationDate(p.Generated)
	pdf.SetModificationDate(p.Generated)
	pdf.SetTitle(l.Title+" "+p.Number, true)
	pdf.SetCreator("Haven", true)
	pdf.SetAutoPageBreak(true, 20)
	pdf.SetHeaderFunc(func() {
		pdf.SetFont("dejavu", "", 9)
		pdf.SetTextColor(150, 0, 0)
		pdf.CellFormat(0, 6, p.Watermark, "B", 1, "C", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
		pdf.Ln(3)
	})
	pdf.SetFooterFunc(func() {
		pdf.SetY(-15)
		pdf.SetFont("dejavu", "", 8)
		pdf.SetTextColor(150, 0, 0)
		pdf.CellFormat(0, 8, fmt.Sprintf("%s · %s %d", p.Watermark, l.Page, pdf.PageNo()), "T", 0, "C", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.AddPage()
	pdf.SetFont("dejavu", "", 15)
	pdf.MultiCell(0, 8, l.Title, "", "L", false)
	pdf.SetFont("dejavu", "", 10)
	for _, kv := range [][2]string{{l.Number, p.Number}, {l.Recipient, p.Recipient}, {l.Requester, p.Requester},
		{l.Basis, string(p.Basis)}, {l.Case, p.CaseRef}, {l.Generated, p.Generated.Format("2006-01-02 15:04 UTC")}} {
		pdf.MultiCell(0, 6, kv[0]+": "+kv[1], "", "L", false)
	}
	for _, it := range p.Items {
		pdf.Ln(4)
		pdf.SetFont("dejavu", "", 11)
		pdf.MultiCell(0, 6, it.Label+" ("+it.Field+")", "B", "L", false)
		pdf.SetFont("dejavu", "", 10)
		if len(it.Values) == 0 {
			pdf.MultiCell(0, 5, l.NoValue, "", "L", false)
		}
		for _, v := range it.Values {
			pdf.MultiCell(0, 5, strings.ReplaceAll(v, "\r", ""), "", "L", false)
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("render package: %w", err)
	}
	return buf.Bytes(), nil
}
