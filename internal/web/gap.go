package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/gap"
	"github.com/haven-care/haven/internal/server"
)

func init() {
	pageNames = append(pageNames, "gap")
}

func (h *Handler) mountGap(s *server.Server) {
	s.HandleFunc("GET /gap", h.authed(h.gapReport))
	s.HandleFunc("POST /gap", h.authed(h.gapReport))
	s.HandleFunc("GET /gap/table.csv", h.authed(h.gapCSV))
	s.HandleFunc("GET /gap/table.json", h.authed(h.gapJSON))
}

// gapPage is the report: one table of one population, its chart, and for
// survivors the representation, for confirmed outcomes the accuracy.
type gapPage struct {
	Page
	Population, By    string
	Km                int
	Populations, Dims []Option
	Distances         []Option
	Table             *haven.GapTable
	Columns           []string
	Rows              []gapRow
	Totals            []string
	Total             string
	Chart             *gapChart
	Shares            []gapShare
	Accuracy          []accuracyGroup
	Reference         string
	Fields            map[string]string
}

type gapRow struct {
	Label string
	Cells []gapCell
	Total gapCell
}

type gapCell struct {
	Text       string
	Suppressed bool
	Gap        bool
}

// gapChart is a horizontal bar chart of each row's headline share, drawn
// on the server as SVG.
type gapChart struct {
	Title, Desc string
	Height      int
	Bars        []gapBar
}

type gapBar struct {
	Label, Value string
	Y, TextY     int
	Width        float64
	Shown        bool
}

type gapShare struct {
	Group, Identified, Served, Reference, ServedGap, ReferenceGap string
}

type accuracyGroup struct {
	Label string
	Rows  []accuracyRow
}

// gapRequest reads the population, dimension and distance asked for; an
// unknown choice is Invalid.
func gapRequest(r *http.Request) (pop, by string, km int, err error) {
	q := r.URL.Query()
	pop, by = q.Get("population"), q.Get("by")
	if pop == "" {
		pop = haven.PopulationNeeds
	}
	if by == "" && len(gap.Dims[pop]) > 0 {
		by = gap.Dims[pop][0]
	}
	km = 25
	if v := q.Get("km"); v != "" {
		if km, err = strconv.Atoi(v); err != nil || !slices.Contains(gap.SupplyDistances, km) {
			return "", "", 0, gap.Invalid("km", "Choose 10, 25, 50 or 100 km.")
		}
	}
	for k := range q {
		if k != "population" && k != "by" && k != "km" {
			return "", "", 0, gap.Invalid(k, "The report takes no filter: choose a population and what to break it down by.")
		}
	}
	return pop, by, km, gap.Check(pop, by)
}

func (h *Handler) gapTable(r *http.Request) (*haven.GapTable, string, string, int, error) {
	if err := require(r, gateGap); err != nil {
		return nil, "", "", 0, err
	}
	pop, by, km, err := gapRequest(r)
	if err != nil {
		return nil, "", "", 0, err
	}
	t, err := h.cfg.Gap.GapTable(r.Context(), pop, by)
	return t, pop, by, km, err
}

func (h *Handler) gapReport(w http.ResponseWriter, r *http.Request) error {
	t, pop, by, km, err := h.gapTable(r)
	if err != nil {
		return err
	}
	p := gapPage{Page: h.page(r, "gap.title"), Population: pop, By: by, Km: km, Table: t, Fields: map[string]string{}}
	p.options()
	p.fill(t)
	status := http.StatusOK
	if pop == haven.PopulationSurvivors {
		var ref map[string]float64
		if r.Method == http.MethodPost {
			if ref, err = readReference(r, t); err != nil {
				p.Fields["reference"] = haven.ErrorMessage(err)
				status = http.StatusBadRequest
			}
		}
		p.representation(t, ref)
	}
	if pop == haven.PopulationOutcomes {
		p.accuracy(t)
	}
	return h.render(w, status, "gap", &p)
}

// readReference reads the uploaded or pasted reference population.
func readReference(r *http.Request, t *haven.GapTable) (map[string]float64, error) {
	var body io.Reader
	if err := r.ParseMultipartForm(1 << 20); err == nil {
		if f, _, err := r.FormFile("reference_file"); err == nil {
			defer f.Close()
			body = f
		}
	}
	if body == nil {
		text := r.PostFormValue("reference")
		if strings.TrimSpace(text) == "" {
			return nil, haven.FieldError("reference", "Choose a CSV file or paste its lines.")
		}
		body = strings.NewReader(text)
	}
	var groups []string
	for _, row := range t.Rows {
		groups = append(groups, row.Value)
	}
	return gap.ParseReference(body, groups)
}

func (p *gapPage) options() {
	for _, pop := range haven.GapPopulations {
		p.Populations = append(p.Populations, Option{Value: pop, Label: p.T("gap.pop." + pop), Selected: pop == p.Population})
	}
	for _, d := range gap.Dims[p.Population] {
		p.Dims = append(p.Dims, Option{Value: d, Label: p.T("gap.dim." + d), Selected: d == p.By})
	}
	for _, km := range gap.SupplyDistances {
		p.Distances = append(p.Distances, Option{Value: strconv.Itoa(km), Label: strconv.Itoa(km) + " km", Selected: km == p.Km})
	}
}

// label names a row's value in the page's language.
func (p *gapPage) label(v string) string {
	switch {
	case v == gap.Unknown:
		return p.T("gap.unknown")
	case p.By == gap.DimDomain:
		return p.T("need." + v)
	case p.By == gap.DimLanguage:
		if n := languageName(v, p.Lang); n != "" {
			return n
		}
	case p.By == gap.DimGender || p.By == gap.DimRegion || p.By == gap.DimTrafficking || p.By == gap.DimBarrier:
		return p.T("gap." + p.By + "." + v)
	}
	return v
}

func (p *gapPage) fill(t *haven.GapTable) {
	if t.Withheld {
		return
	}
	gaps := []string{}
	if p.Population == haven.PopulationSupply {
		gaps = gap.GapColumns(p.Km)
	}
	for _, c := range t.Categories {
		p.Columns = append(p.Columns, p.T("gap.cat."+c))
	}
	cell := func(c haven.GapCell, j int) gapCell {
		g := j >= 0 && slices.Contains(gaps, t.Categories[j])
		if c.Suppressed() {
			return gapCell{Text: p.T("gap.suppressed"), Suppressed: true, Gap: g}
		}
		n, _ := c.Count()
		return gapCell{Text: strconv.Itoa(n), Gap: g}
	}
	head := gap.Headline(p.Population, p.Km)
	chart := &gapChart{Title: p.T("gap.chart." + p.Population), Desc: p.T("gap.chart_desc")}
	for i, r := range t.Rows {
		row := gapRow{Label: p.label(r.Value), Total: cell(r.Total, -1)}
		for j, c := range r.Cells {
			row.Cells = append(row.Cells, cell(c, j))
		}
		p.Rows = append(p.Rows, row)
		bar := gapBar{Label: row.Label, Y: 8 + 28*i, TextY: 26 + 28*i, Value: p.T("gap.suppressed")}
		if s, ok := gap.RowShare(t, r, head); ok {
			bar.Width, bar.Value, bar.Shown = 400*s, fmt.Sprintf("%.0f%%", 100*s), true
		}
		chart.Bars = append(chart.Bars, bar)
	}
	chart.Height = 16 + 28*len(t.Rows)
	p.Chart = chart
	for j, c := range t.Totals {
		p.Totals = append(p.Totals, cell(c, j).Text)
	}
	p.Total = t.Total.String()
}

func pct(iv *gap.Interval) string {
	if iv == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f%% (%.1f–%.1f)", 100*iv.Estimate, 100*iv.Lower, 100*iv.Upper)
}

func (p *gapPage) representation(t *haven.GapTable, ref map[string]float64) {
	if ref != nil {
		p.Reference = "yes"
	}
	for _, s := range gap.Representation(*t, ref) {
		row := gapShare{Group: p.label(s.Group), Identified: pct(s.Identified), Served: pct(s.Served), Reference: "—"}
		if s.Reference != nil {
			row.Reference = fmt.Sprintf("%.1f%%", 100**s.Reference)
		}
		if s.ServedGap != "" {
			row.ServedGap = p.T("gap.flag." + s.ServedGap)
		}
		if s.ReferenceGap != "" {
			row.ReferenceGap = p.T("gap.flag." + s.ReferenceGap)
		}
		p.Shares = append(p.Shares, row)
	}
}

func (p *gapPage) accuracy(t *haven.GapTable) {
	overall, rows := gap.Accuracy(*t)
	if overall != nil {
		p.Accuracy = append(p.Accuracy, accuracyGroup{Label: p.T("gap.all"), Rows: accuracyRows(&p.Page, *overall)})
	}
	for _, r := range rows {
		if r.Report != nil {
			p.Accuracy = append(p.Accuracy, accuracyGroup{Label: p.label(r.Value), Rows: accuracyRows(&p.Page, *r.Report)})
		}
	}
}

func (h *Handler) gapCSV(w http.ResponseWriter, r *http.Request) error {
	t, pop, by, _, err := h.gapTable(r)
	if err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/csv; charset=utf-8")
	hd.Set("Content-Disposition", `attachment; filename="haven-gap-`+pop+`-by-`+by+`.csv"`)
	hd.Set("Cache-Control", "no-store")
	return gap.WriteCSV(w, t)
}

func (h *Handler) gapJSON(w http.ResponseWriter, r *http.Request) error {
	t, _, _, _, err := h.gapTable(r)
	if err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(t)
}
