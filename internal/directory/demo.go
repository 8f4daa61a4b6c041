package directory

import (
	"fmt"
	"math"
	"strings"

	"github.com/haven-care/haven"
)

// GenerateDirectory returns the synthetic directory of Generate(n, seed)
// as HSDS records, for `haven demo directory`: one organization per five
// services, each service at its location (with a street address near the
// nearest city, in the unassigned ZIP range 000xx, and a phone number
// from the fictional 555-01xx range),
// needs as attributes linking the Haven needs taxonomy, weekly schedules,
// languages and required documents. A service without a location has a
// phone of its own.
func GenerateDirectory(n int, seed uint64) *haven.Directory {
	d, add := directoryBuilder()
	Generate(n, seed, add)
	return d
}

// GenerateDirectoryAround is GenerateDirectory with every site around one
// city of the generator's table (GenerateAround): the demo's local
// directory.
func GenerateDirectoryAround(city string, n int, seed uint64) (*haven.Directory, error) {
	d, add := directoryBuilder()
	if err := GenerateAround(city, n, seed, add); err != nil {
		return nil, err
	}
	return d, nil
}

// directoryBuilder returns an empty directory with the needs taxonomy and
// the function that adds each generated site to it as HSDS records.
func directoryBuilder() (*haven.Directory, func(Site)) {
	d := &haven.Directory{Taxonomies: []haven.Taxonomy{haven.NeedsTaxonomy}}
	for _, need := range haven.Needs {
		d.TaxonomyTerms = append(d.TaxonomyTerms, need.TaxonomyTerm())
	}
	i := 0
	return d, func(s Site) {
		if i%5 == 0 {
			d.Organizations = append(d.Organizations, haven.Organization{ID: derivedID(s.ServiceID, "org"),
				Name: fmt.Sprintf("Synthetic Organization %d", i/5+1), Description: "Synthetic organization for demonstrations."})
		}
		addSite(d, &s, d.Organizations[len(d.Organizations)-1].ID, i)
		i++
	}
}

// derivedID returns a UUID-shaped ID derived from a generated one.
func derivedID(id, kind string) string {
	h := 0
	for _, c := range kind {
		h = h*31 + int(c)
	}
	return fmt.Sprintf("%s%02x%s", id[:24], h&0xff, id[26:])
}

func addSite(d *haven.Directory, s *Site, orgID string, i int) {
	need, _ := haven.NeedByCode(s.Terms[0])
	svc := haven.Service{ID: s.ServiceID, OrganizationID: orgID, Name: fmt.Sprintf("%s %d", need.Name, i+1), Status: "active", Match: s.Match,
		Description:        "A synthetic " + strings.ToLower(need.Name) + " service, generated for demonstrations and tests.",
		ApplicationProcess: "Call ahead; walk-ins are seen during open hours."}
	svc.MinimumAge, svc.MaximumAge = agePtr(s.MinAge), agePtr(s.MaxAge)
	d.Services = append(d.Services, svc)
	for k, t := range s.Terms {
		n, _ := haven.NeedByCode(t)
		d.Attributes = append(d.Attributes, haven.Attribute{ID: derivedID(s.ServiceID, fmt.Sprint("need", k)), LinkID: s.ServiceID,
			TaxonomyTermID: n.TermID, LinkEntity: "service"})
	}
	for k, l := range s.Languages {
		d.Languages = append(d.Languages, haven.Language{ID: derivedID(s.ServiceID, fmt.Sprint("lang", k)), ServiceID: s.ServiceID, Code: l})
	}
	for k, doc := range s.Documents {
		d.RequiredDocuments = append(d.RequiredDocuments, haven.RequiredDocument{ID: derivedID(s.ServiceID, fmt.Sprint("doc", k)),
			ServiceID: s.ServiceID, Document: string(doc), Kind: doc})
	}
	for k, sc := range schedules(s.Hours) {
		sc.ID, sc.ServiceID = derivedID(s.ServiceID, fmt.Sprint("sched", k)), s.ServiceID
		d.Schedules = append(d.Schedules, sc)
	}
	phone := haven.Phone{ID: derivedID(s.ServiceID, "phone"), Number: fmt.Sprintf("(%03d) 555-01%02d", 200+i%800, i%100), Type: "voice"}
	if s.LocationID == "" {
		phone.ServiceID = s.ServiceID
		d.Phones = append(d.Phones, phone)
		return
	}
	phone.LocationID = s.LocationID
	d.Phones = append(d.Phones, phone)
	city, state := nearestCity(s)
	d.Addresses = append(d.Addresses, haven.Address{ID: derivedID(s.ServiceID, "addr"), LocationID: s.LocationID,
		Address1: fmt.Sprintf("%d Synthetic Way", 100+i%9900), City: city, StateProvince: state,
		PostalCode: fmt.Sprintf("000%02d", i%100), Country: "US", AddressType: "physical"})
	site := "Main site"
	if city != "" {
		site = city + " site"
	}
	loc := haven.Location{ID: s.LocationID, LocationType: "physical", OrganizationID: orgID, Name: site,
		Confidential: s.Confidential, TimeZone: s.TimeZone}
	if s.HasCoords {
		loc.Latitude, loc.Longitude = &s.Lat, &s.Lon
	}
	d.Locations = append(d.Locations, loc)
	d.ServiceAtLocations = append(d.ServiceAtLocations, haven.ServiceAtLocation{ID: derivedID(s.ServiceID, "sal"), ServiceID: s.ServiceID, LocationID: s.LocationID})
}

func agePtr(a int) *float64 {
	if a == 0 {
		return nil
	}
	v := float64(a)
	return &v
}

// schedules groups weekly hours with the same times into HSDS schedules.
func schedules(hours []Hours) []haven.Schedule {
	var out []haven.Schedule
	byTime := map[[2]int]int{}
	for _, h := range hours {
		k := [2]int{h.Opens, h.Closes}
		i, ok := byTime[k]
		if !ok {
			i = len(out)
			byTime[k] = i
			out = append(out, haven.Schedule{Freq: "WEEKLY", OpensAt: clock(h.Opens), ClosesAt: clock(h.Closes)})
		}
		day := strings.ToUpper(h.Day.String()[:2])
		if out[i].ByDay != "" {
			day = "," + day
		}
		out[i].ByDay += day
	}
	return out
}

func clock(m int) string {
	if m >= 24*60 {
		m -= 24 * 60
	}
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

// nearestCity names the city nearest to s and its state ("Synthetic
// City", "XX" without coordinates).
func nearestCity(s *Site) (city, state string) {
	if !s.HasCoords {
		return "Synthetic City", "XX"
	}
	best, bestD := "", math.Inf(1)
	for _, c := range cities {
		if d := (c.lat-s.Lat)*(c.lat-s.Lat) + (c.lon-s.Lon)*(c.lon-s.Lon); d < bestD {
			best, bestD = c.name, d
		}
	}
	state = cityState[best]
	return strings.TrimSuffix(best, " "+state), state
}
