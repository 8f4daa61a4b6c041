package directory

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"
	"strings"

	"github.com/haven-care/haven"
)

// Display is what a results page prints of a site besides what the index
// already holds for matching (hours, languages, distance): names, one
// address line and one phone number. The index keeps it so that a results
// page needs no query. A confidential site's Location, Address and Phone
// place a shelter: the index hands them only to roles that may see it.
type Display struct {
	Service      string // the service's name
	Organization string // the name of the organization that provides it
	Location     string // the location's name; "" for a site without one
	Address      string // the location's address on one line
	Phone        string // the site's main phone: the location's, else the service's, else the organization's
}

// Summary is what a results page shows of one result: its Display, the
// weekly hours as short text and the languages offered.
type Summary struct {
	Display
	Hours     string   // e.g. "Mon–Fri 09:00–17:00, Sat 10:00–14:00"; "" when unknown
	Languages []string // BCP 47 codes, lower case, in the order first seen by the index
}

// maxDisplayField bounds each stored display field, so that one odd
// record cannot bloat the index.
const maxDisplayField = 200

// appendDisplay encodes d onto b: each field as a length then its bytes.
func appendDisplay(b []byte, d *Display) []byte {
	for _, f := range [...]string{d.Service, d.Organization, d.Location, d.Address, d.Phone} {
		f = truncate(f, maxDisplayField)
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	return b
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n]
}

// display decodes the Display stored at off.
func (x *Index) display(off uint32) Display {
	b := x.disp[off:]
	var f [5]string
	for i := range f {
		n, k := binary.Uvarint(b)
		f[i] = string(b[k : k+int(n)])
		b = b[k+int(n):]
	}
	return Display{Service: f[0], Organization: f[1], Location: f[2], Address: f[3], Phone: f[4]}
}

// summary is the Summary of site r. A confidential site's location
// fields are left out for a role that may not see them: the scan already
// skips such sites, and this keeps them out should that ever change.
func (x *Index) summary(p *prepared, r *rec) Summary {
	s := Summary{Display: x.display(r.disp), Hours: x.patText[r.hours]}
	if r.flags&fConfidential != 0 && !p.seeConfidential {
		s.Location, s.Address, s.Phone = "", "", ""
	}
	for b := r.langs; b != 0; b &= b - 1 {
		s.Languages = append(s.Languages, x.langs.names[bits.TrailingZeros64(b)])
	}
	if r.ext > 0 {
		for _, id := range x.ext[r.ext-1].langs {
			s.Languages = append(s.Languages, x.langs.names[id])
		}
	}
	return s
}

// DayAbbr names the days of the week, Sunday first, in Summary.Hours: a
// page replaces each with its own language's.
var DayAbbr = [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}

// hoursText is a short text of a weekly pattern: consecutive days with the
// same hours share one range ("Mon–Fri 09:00–17:00, Sat 10:00–14:00").
func hoursText(p pattern) string {
	type day struct {
		d            int
		opens, close int32
	}
	var days []day
	for _, s := range p {
		days = append(days, day{int(s.from / 1440), s.from % 1440, s.from%1440 + s.to - s.from})
	}
	slices.SortFunc(days, func(a, b day) int { return a.d*10000 + int(a.opens) - b.d*10000 - int(b.opens) })
	var parts []string
	for i := 0; i < len(days); {
		j := i
		for j+1 < len(days) && days[j+1].d == days[j].d+1 && days[j+1].opens == days[i].opens && days[j+1].close == days[i].close {
			j++
		}
		name := DayAbbr[days[i].d%7]
		if j > i {
			name += "–" + DayAbbr[days[j].d%7]
		}
		parts = append(parts, name+" "+clockText(days[i].opens)+"–"+clockText(days[i].close))
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

func clockText(m int32) string {
	if m == 24*60 {
		return "24:00"
	}
	m %= 24 * 60
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

// displays returns a function giving the Display of a service at a
// location (locationID "" for a site without one) from the records of d.
func displays(d *haven.Directory) func(s *haven.Service, locationID string) Display {
	sals := map[string]string{}
	for _, s := range d.ServiceAtLocations {
		sals[s.ServiceID+"\x00"+s.LocationID] = s.ID
	}
	orgs := map[string]string{}
	for _, o := range d.Organizations {
		orgs[o.ID] = o.Name
	}
	locs := map[string]string{}
	for _, l := range d.Locations {
		locs[l.ID] = l.Name
	}
	addrs := map[string]string{}
	for _, a := range d.Addresses {
		if _, ok := addrs[a.LocationID]; !ok || a.AddressType == "physical" {
			addrs[a.LocationID] = addressLine(a)
		}
	}
	phones := map[string]string{} // by "sal:", "loc:", "svc:" and "org:" and the record's ID; first wins
	for _, p := range d.Phones {
		keys := []string{"sal:" + p.ServiceAtLocationID, "loc:" + p.LocationID, "svc:" + p.ServiceID, "org:" + p.OrganizationID}
		if p.LocationID != "" || p.ServiceAtLocationID != "" {
			// A phone of a place is only ever that place's: never the
			// service's or organization's phone shown at other sites,
			// which could give away a shelter's number. (d may not hold
			// the location to tell whether it is confidential: a refresh
			// reads only the changed services' locations.)
			keys = keys[:2]
		}
		for _, k := range keys {
			if _, ok := phones[k]; !ok && !strings.HasSuffix(k, ":") && p.Number != "" {
				phones[k] = p.Number
			}
		}
	}
	return func(s *haven.Service, locationID string) Display {
		out := Display{Service: s.Name, Organization: orgs[s.OrganizationID]}
		keys := []string{"svc:" + s.ID, "org:" + s.OrganizationID}
		if locationID != "" {
			out.Location, out.Address = locs[locationID], addrs[locationID]
			keys = append([]string{"sal:" + sals[s.ID+"\x00"+locationID], "loc:" + locationID}, keys...)
		}
		for _, k := range keys {
			if p, ok := phones[k]; ok {
				out.Phone = p
				break
			}
		}
		return out
	}
}

// addressLine is an address on one line: "1 Main St, Suite 2, Chicago, IL 60601".
func addressLine(a haven.Address) string {
	var parts []string
	for _, s := range []string{a.Address1, a.Address2, a.City} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	if st := strings.TrimSpace(strings.TrimSpace(a.StateProvince) + " " + strings.TrimSpace(a.PostalCode)); st != "" {
		parts = append(parts, st)
	}
	return strings.Join(parts, ", ")
}
