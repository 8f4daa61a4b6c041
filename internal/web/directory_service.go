package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/directory"
)

func init() {
	pageNames = append(pageNames, "directoryservice")
}

// serviceDetailsPage is everything a worker needs to decide on a service
// and to tell the survivor how to reach it: who runs it, what it is, who
// it serves, where and when, by which phone, in which languages, at what
// cost, with which documents and how to apply.
type serviceDetailsPage struct {
	Page
	S            *haven.Service
	Org          *haven.Organization
	Inactive     bool
	Ages         string
	Cost         []string
	Documents    []string
	Spoken       string
	Traits       []string
	Phones       []phoneView
	Sites        []siteView
	CanEdit      bool
	ServiceHours []hoursView
	// Back is the search that led here, re-encoded, for the way back.
	Back string
	// Survivor is the record the search was made for (?survivor=), whose
	// consent to share with this organization the page offers to record.
	Survivor string
	// ForNeed is the care-plan need the search was made for, which a
	// referral from here serves.
	ForNeed string
}

type phoneView struct{ Number, Label string }

// siteView is one place the service is delivered. A confidential one (a
// shelter) reaches only roles that may see it (the store leaves it out for
// the others), and even then offers no map link: following one would send
// its position to a map site.
type siteView struct {
	Name, Address, Description, Transportation, MapURL string
	Confidential                                       bool
	Open                                               string // "open now", "closed now" or "" when hours are unknown
	Hours                                              []hoursView
	Phones                                             []phoneView
}

type hoursView struct{ Day, Span string }

// serviceDetails shows one service from the directory records, as the
// role may see them.
func (h *Handler) serviceDetails(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateDirectory); err != nil {
		return err
	}
	id := r.PathValue("id")
	d, err := h.cfg.DirectoryRecords.DirectoryRecords(r.Context(), []string{id})
	if err != nil {
		return err
	}
	i := slices.IndexFunc(d.Services, func(s haven.Service) bool { return s.ID == id })
	if i < 0 {
		return haven.Errorf(haven.NotFound, "Service not found.")
	}
	s := &d.Services[i]
	p := serviceDetailsPage{Page: h.page(r, "service.title"), S: s, Inactive: s.Status != "" && s.Status != "active",
		Back: r.URL.Query().Encode(), Survivor: r.URL.Query().Get("survivor"), ForNeed: r.URL.Query().Get("for_need")}
	user, _ := signedIn(r.Context())
	p.CanEdit = h.cfg.ServiceWriter != nil && gateDirectoryEdit.allows(user.user.Role)
	for j := range d.Organizations {
		if d.Organizations[j].ID == s.OrganizationID {
			p.Org = &d.Organizations[j]
		}
	}
	p.Ages = ageRange(&p.Page, s.MinimumAge, s.MaximumAge)
	p.Cost = costLines(&p.Page, s, d.CostOptions)
	for _, doc := range d.RequiredDocuments {
		if doc.ServiceID == s.ID {
			p.Documents = append(p.Documents, doc.Document)
		}
	}
	p.Spoken = serviceLanguages(d, s, p.Lang)
	p.Traits = serviceTraits(&p.Page, s.Match)
	p.Phones = phonesOf(d.Phones, func(ph haven.Phone) bool { return ph.ServiceID == s.ID && ph.ServiceAtLocationID == "" })
	if p.Org != nil && len(p.Phones) == 0 {
		p.Phones = phonesOf(d.Phones, func(ph haven.Phone) bool { return ph.OrganizationID == p.Org.ID })
	}
	var serviceHours []directory.Hours
	for _, sc := range d.Schedules {
		if sc.ServiceID == s.ID && sc.LocationID == "" {
			serviceHours = append(serviceHours, directory.ScheduleHours(sc)...)
		}
	}
	p.ServiceHours = hoursViews(&p.Page, serviceHours)
	now := h.now()
	for _, sal := range d.ServiceAtLocations {
		if sal.ServiceID != s.ID {
			continue
		}
		k := slices.IndexFunc(d.Locations, func(l haven.Location) bool { return l.ID == sal.LocationID })
		if k < 0 {
			continue // a confidential site the role may not see
		}
		p.Sites = append(p.Sites, siteOf(&p.Page, d, &d.Locations[k], sal, serviceHours, now))
	}
	return h.render(w, http.StatusOK, "directoryservice", &p)
}

func siteOf(p *Page, d *haven.Directory, l *haven.Location, sal haven.ServiceAtLocation, serviceHours []directory.Hours, now time.Time) siteView {
	v := siteView{Name: l.Name, Description: l.Description, Transportation: l.Transportation, Confidential: l.Confidential}
	for _, a := range d.Addresses {
		if a.LocationID == l.ID && (a.AddressType == "" || a.AddressType == "physical") {
			v.Address = addressText(a)
		}
	}
	if !l.Confidential && l.Latitude != nil && l.Longitude != nil && directory.ValidCoords(*l.Latitude, *l.Longitude) {
		lat, lon := strconv.FormatFloat(*l.Latitude, 'f', 5, 64), strconv.FormatFloat(*l.Longitude, 'f', 5, 64)
		v.MapURL = "https://www.openstreetmap.org/?mlat=" + lat + "&mlon=" + lon + "#map=17/" + lat + "/" + lon
	}
	hours := serviceHours
	if len(hours) == 0 {
		for _, sc := range d.Schedules {
			if sc.ServiceAtLocationID == sal.ID || sc.LocationID == l.ID && sc.ServiceID == "" {
				hours = append(hours, directory.ScheduleHours(sc)...)
			}
		}
	}
	v.Hours = hoursViews(p, hours)
	if len(hours) > 0 {
		v.Open = p.T("service.closed_now")
		if directory.OpenAt(hours, l.TimeZone, now) {
			v.Open = p.T("service.open_now")
		}
	}
	v.Phones = phonesOf(d.Phones, func(ph haven.Phone) bool { return ph.LocationID == l.ID || ph.ServiceAtLocationID == sal.ID })
	return v
}

func addressText(a haven.Address) string {
	var parts []string
	for _, s := range []string{a.Address1, a.Address2, a.City, strings.TrimSpace(a.StateProvince + " " + a.PostalCode)} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

func phonesOf(all []haven.Phone, keep func(haven.Phone) bool) []phoneView {
	var out []phoneView
	for _, ph := range all {
		if !keep(ph) || ph.Number == "" {
			continue
		}
		n := ph.Number
		if ph.Extension != nil {
			n += fmt.Sprintf(" ext. %.0f", *ph.Extension)
		}
		out = append(out, phoneView{Number: n, Label: ph.Description})
	}
	return out
}

// hoursViews lists weekly hours by day, Monday first, in the page's language.
func hoursViews(p *Page, hours []directory.Hours) []hoursView {
	sorted := slices.Clone(hours)
	monday := func(h directory.Hours) int { return (int(h.Day) + 6) % 7 }
	slices.SortFunc(sorted, func(a, b directory.Hours) int {
		if c := monday(a) - monday(b); c != 0 {
			return c
		}
		return a.Opens - b.Opens
	})
	var out []hoursView
	for _, h := range sorted {
		span := clock(h.Opens) + "–" + clock(h.Closes%1440)
		out = append(out, hoursView{Day: p.T("weekday." + strconv.Itoa(int(h.Day))), Span: span})
	}
	return out
}

func clock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

func ageRange(p *Page, lo, hi *float64) string {
	switch {
	case lo != nil && hi != nil:
		return fmt.Sprintf(p.T("service.ages_between"), *lo, *hi)
	case lo != nil:
		return fmt.Sprintf(p.T("service.ages_from"), *lo)
	case hi != nil:
		return fmt.Sprintf(p.T("service.ages_to"), *hi)
	}
	return ""
}

func costLines(p *Page, s *haven.Service, options []haven.CostOption) []string {
	var out []string
	if s.Match.Free {
		out = append(out, p.T("service.free"))
	}
	if s.Match.SlidingScale {
		out = append(out, p.T("service.sliding_scale"))
	}
	for _, ins := range s.Match.Insurance {
		out = append(out, p.T("service.insurance_"+string(ins)))
	}
	for _, c := range options {
		if c.ServiceID != s.ID {
			continue
		}
		line := c.Option
		if c.Amount != nil {
			line = strings.TrimSpace(fmt.Sprintf("%s %.2f %s", line, *c.Amount, c.Currency))
		}
		if c.AmountDescription != "" {
			line = strings.TrimSpace(line + " — " + c.AmountDescription)
		}
		if line != "" {
			out = append(out, line)
		}
	}
	for _, t := range []string{s.FeesDescription, s.Fees} {
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// serviceLanguages names the languages offered (HSDS languages of the
// service, then its staff's languages), each once, by name where known.
func serviceLanguages(d *haven.Directory, s *haven.Service, lang string) string {
	var names []string
	add := func(code, name string) {
		if n := languageName(code, lang); n != "" {
			name = n
		}
		if name != "" && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	for _, l := range d.Languages {
		if l.ServiceID == s.ID {
			add(l.Code, l.Name)
		}
	}
	for _, c := range s.Match.StaffLanguages {
		add(c, "")
	}
	return strings.Join(names, ", ")
}

func serviceTraits(p *Page, m haven.MatchProfile) []string {
	var out []string
	for _, t := range []struct {
		on  bool
		key string
	}{{m.SurvivorSpecific, "directory.survivor_specific"}, {m.TraumaInformed, "directory.trauma_informed"},
		{m.LGBTQAffirming, "directory.lgbtq_affirming"}, {m.FaithBased, "service.faith_based"}} {
		if t.on {
			out = append(out, p.T(t.key))
		}
	}
	for _, b := range m.BarriersWaived {
		out = append(out, p.T("service.waives_"+string(b)))
	}
	return out
}
