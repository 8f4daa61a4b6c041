// Package directory is Haven's service-matching engine: an in-memory index
// of every place a service is delivered (a "site"), answering a survivor's
// needs and constraints with ranked results that say why each matched and
// why near misses did not. It also generates the synthetic national
// directory used by demos and benchmarks.
package directory

import (
	"math"
	"strings"
	"time"

	"github.com/haven-care/haven"
)

// Site is one service delivered at one location: the unit the index ranks.
// A service without a location (a hotline) is one site without coordinates.
type Site struct {
	ServiceID    string
	LocationID   string
	HasCoords    bool
	Lat, Lon     float64
	Terms        []string // taxonomy term IDs or Haven need codes
	Languages    []string // BCP 47 codes offered (HSDS languages and staff languages)
	MinAge       int      // 0: no minimum
	MaxAge       int      // 0: no maximum
	Match        haven.MatchProfile
	Documents    []haven.DocumentKind // documents the service requires
	Confidential bool
	TimeZone     string  // IANA zone of Hours; "" is UTC
	Hours        []Hours // weekly hours; empty: hours unknown (never "open")
	Display      Display // what a results page prints of the site
}

// Hours is one weekly opening span, in minutes after local midnight.
type Hours struct {
	Day    time.Weekday
	Opens  int
	Closes int // may exceed 1440 for spans past midnight
}

// SitesFromDirectory derives the sites of every active service in d: needs
// from the service's attributes (Haven need terms and any other taxonomy
// term), languages from HSDS languages plus staff languages, hours from
// weekly schedules of the service or its location, and each site's
// Display from whichever organizations, addresses and phones d holds.
func SitesFromDirectory(d *haven.Directory) []Site {
	terms := map[string][]string{}
	for _, a := range d.Attributes {
		if a.LinkEntity == "service" && a.TaxonomyTermID != "" {
			id := a.TaxonomyTermID
			if n, ok := haven.NeedByCode(id); ok {
				id = n.Code
			}
			terms[a.LinkID] = append(terms[a.LinkID], id)
		}
	}
	langs := map[string][]string{}
	for _, l := range d.Languages {
		if l.ServiceID != "" && l.Code != "" {
			langs[l.ServiceID] = append(langs[l.ServiceID], l.Code)
		}
	}
	docs := map[string][]haven.DocumentKind{}
	for _, r := range d.RequiredDocuments {
		if r.Kind != "" {
			docs[r.ServiceID] = append(docs[r.ServiceID], r.Kind)
		}
	}
	hours := map[string][]Hours{}
	for _, s := range d.Schedules {
		key := s.ServiceID
		if s.LocationID != "" && s.ServiceID == "" {
			key = "loc:" + s.LocationID
		}
		hours[key] = append(hours[key], ScheduleHours(s)...)
	}
	locs := map[string]*haven.Location{}
	for i := range d.Locations {
		locs[d.Locations[i].ID] = &d.Locations[i]
	}
	byService := map[string][]string{}
	for _, sal := range d.ServiceAtLocations {
		byService[sal.ServiceID] = append(byService[sal.ServiceID], sal.LocationID)
	}
	display := displays(d)
	var out []Site
	for _, s := range d.Services {
		if s.Status != "" && s.Status != "active" {
			continue
		}
		base := Site{ServiceID: s.ID, Terms: terms[s.ID], Match: s.Match, Documents: docs[s.ID], Hours: hours[s.ID],
			Languages: append(append([]string(nil), langs[s.ID]...), s.Match.StaffLanguages...)}
		base.MinAge, base.MaxAge = ageBound(s.MinimumAge), ageBound(s.MaximumAge)
		if len(byService[s.ID]) == 0 {
			base.Display = display(&s, "")
			out = append(out, base)
		}
		for _, lid := range byService[s.ID] {
			site := withLocation(base, locs[lid], lid, hours)
			site.Display = display(&s, lid)
			out = append(out, site)
		}
	}
	return out
}

func withLocation(s Site, l *haven.Location, id string, hours map[string][]Hours) Site {
	s.LocationID = id
	if l == nil {
		return s
	}
	s.Confidential, s.TimeZone = l.Confidential, l.TimeZone
	if len(s.Hours) == 0 {
		s.Hours = hours["loc:"+id]
	}
	if l.Latitude != nil && l.Longitude != nil && ValidCoords(*l.Latitude, *l.Longitude) {
		s.HasCoords, s.Lat, s.Lon = true, *l.Latitude, *l.Longitude
	}
	return s
}

func ageBound(v *float64) int {
	if v == nil || *v <= 0 {
		return 0
	}
	return int(math.Min(*v, 254))
}

// ValidCoords reports whether lat, lon are a point on Earth.
func ValidCoords(lat, lon float64) bool {
	return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 && !math.IsNaN(lat) && !math.IsNaN(lon)
}

// ScheduleHours returns the weekly hours of an HSDS schedule: a WEEKLY
// rule (or none) with BYDAY and opens_at/closes_at. Other rules (monthly,
// by week number) are not weekly hours and yield none.
func ScheduleHours(s haven.Schedule) []Hours {
	if s.Freq != "" && !strings.EqualFold(s.Freq, "WEEKLY") {
		return nil
	}
	opens, ok1 := clockMinutes(s.OpensAt)
	closes, ok2 := clockMinutes(s.ClosesAt)
	if !ok1 || !ok2 {
		return nil
	}
	if closes <= opens {
		closes += 24 * 60
	}
	var out []Hours
	for _, d := range strings.Split(s.ByDay, ",") {
		if wd, ok := weekday[strings.ToUpper(strings.TrimSpace(d))]; ok {
			out = append(out, Hours{Day: wd, Opens: opens, Closes: closes})
		}
	}
	return out
}

var weekday = map[string]time.Weekday{"SU": time.Sunday, "MO": time.Monday, "TU": time.Tuesday,
	"WE": time.Wednesday, "TH": time.Thursday, "FR": time.Friday, "SA": time.Saturday}

func clockMinutes(s string) (int, bool) {
	for _, layout := range []string{"15:04:05", "15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Hour()*60 + t.Minute(), true
		}
	}
	return 0, false
}

// OpenAt reports whether weekly hours, kept in the IANA zone tz ("" is
// UTC), are open at t. Unknown hours are never open.
func OpenAt(hours []Hours, tz string, t time.Time) bool {
	loc := time.UTC
	if tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil {
			return false
		}
		loc = l
	}
	m := weekMinute(t.In(loc))
	for _, h := range hours {
		from := int32(int(h.Day)*1440 + h.Opens)
		to := int32(int(h.Day)*1440 + h.Closes)
		if m >= from && m < to || m+weekMinutes >= from && m+weekMinutes < to {
			return true
		}
	}
	return false
}
