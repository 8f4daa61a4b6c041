package pgbaseline

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/directory"
)

// schemaSQL holds one row per site, in the directory's own values (need
// codes, language codes, genders, statuses, documents), not the index's
// bit sets: the baseline states each rule anew, so that agreement checks
// the index's encoding too.
const schemaSQL = `
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;
DROP SCHEMA IF EXISTS directory_bench CASCADE;
CREATE SCHEMA directory_bench;
CREATE TABLE directory_bench.site (
	id int PRIMARY KEY, service_id text NOT NULL, location_id text NOT NULL,
	lat float8, lon float8, x float8, y float8, z float8,
	terms text[] NOT NULL, langs text[] NOT NULL,
	genders text[] NOT NULL, immigration text[] NOT NULL, barriers_waived text[] NOT NULL,
	insurance text[] NOT NULL, documents text[] NOT NULL,
	trauma_informed bool NOT NULL, survivor_specific bool NOT NULL,
	free bool NOT NULL, sliding_scale bool NOT NULL, confidential bool NOT NULL,
	min_age int NOT NULL, max_age int)`

const indexesSQL = `
CREATE INDEX site_earth ON directory_bench.site USING gist (ll_to_earth(lat, lon)) WHERE lat IS NOT NULL;
CREATE INDEX site_terms ON directory_bench.site USING gin (terms);
CREATE INDEX site_langs ON directory_bench.site USING gin (langs);
ANALYZE directory_bench.site`

var siteColumns = []string{"id", "service_id", "location_id", "lat", "lon", "x", "y", "z", "terms", "langs",
	"genders", "immigration", "barriers_waived", "insurance", "documents",
	"trauma_informed", "survivor_specific", "free", "sliding_scale", "confidential", "min_age", "max_age"}

// postgisSQL adds, when PostGIS is there, the geography of each site
// (computed from lat and lon as COPY writes them) and its GiST index.
const (
	postgisColumnSQL = `ALTER TABLE directory_bench.site ADD COLUMN geog geography(Point, 4326) GENERATED ALWAYS AS
	(CASE WHEN lat IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography END) STORED`
	postgisIndexSQL = `CREATE INDEX site_geog ON directory_bench.site USING gist (geog)`
)

// load (re)creates the schema, copies the generated sites in and indexes
// them. It returns the plans the server can run: PostGIS too when the
// extension is installed (or can be).
func load(ctx context.Context, cfg Config) ([]Plan, error) {
	if _, err := cfg.DB.ExecContext(ctx, inSchema(schemaSQL, cfg.Schema)); err != nil {
		return nil, fmt.Errorf("create bench schema: %w", err)
	}
	plans := []Plan{PlanEarthdistance}
	if err := addPostGIS(ctx, cfg); err != nil {
		fmt.Fprintf(cfg.Out, "postgis plan skipped: %v\n", err)
	} else {
		plans = append(plans, PlanPostGIS)
	}
	start := time.Now()
	if err := copySites(ctx, cfg); err != nil {
		return nil, err
	}
	if slices.Contains(plans, PlanPostGIS) {
		if _, err := cfg.DB.ExecContext(ctx, inSchema(postgisIndexSQL, cfg.Schema)); err != nil {
			return nil, fmt.Errorf("create bench geography index: %w", err)
		}
	}
	if _, err := cfg.DB.ExecContext(ctx, inSchema(indexesSQL, cfg.Schema)); err != nil {
		return nil, fmt.Errorf("create bench indexes: %w", err)
	}
	fmt.Fprintf(cfg.Out, "postgres loaded and indexed in %.1fs (plans: %v)\n", time.Since(start).Seconds(), plans)
	return plans, nil
}

// addPostGIS creates the PostGIS extension if the server has it and adds
// the geography column; an error says why the plan cannot run.
func addPostGIS(ctx context.Context, cfg Config) error {
	var available bool
	err := cfg.DB.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'postgis')`).Scan(&available)
	if err != nil {
		return err
	}
	if !available {
		return errors.New("the PostGIS extension is not installed on the server (Debian: postgresql-15-postgis-3)")
	}
	if _, err := cfg.DB.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS postgis`); err != nil {
		return err
	}
	_, err = cfg.DB.ExecContext(ctx, inSchema(postgisColumnSQL, cfg.Schema))
	return err
}

// copySites streams the generated sites into the table.
func copySites(ctx context.Context, cfg Config) error {
	conn, err := cfg.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		_, err := pc.CopyFrom(ctx, pgx.Identifier{cfg.Schema, "site"}, siteColumns, newSiteRows(cfg))
		return err
	})
	if err != nil {
		return fmt.Errorf("copy sites: %w", err)
	}
	return nil
}

// inSchema puts the bench's statements in the named schema.
func inSchema(sqlText, schema string) string {
	return strings.ReplaceAll(sqlText, "directory_bench", pgx.Identifier{schema}.Sanitize())
}

// siteRows streams generated sites to COPY.
type siteRows struct {
	ch  chan []any
	row []any
}

func newSiteRows(cfg Config) *siteRows {
	ch := make(chan []any, 1024)
	go func() {
		i := 0
		directory.Generate(cfg.Services, cfg.Seed, func(s directory.Site) {
			ch <- siteRow(i, &s)
			i++
		})
		close(ch)
	}()
	return &siteRows{ch: ch}
}

func (s *siteRows) Next() bool {
	s.row = <-s.ch
	return s.row != nil
}

func (s *siteRows) Values() ([]any, error) { return s.row, nil }
func (s *siteRows) Err() error             { return nil }

// siteRow is the row of site s, numbered i.
func siteRow(i int, s *directory.Site) []any {
	lat, lon, x, y, z := position(s)
	var maxAge any
	if s.MaxAge > 0 {
		maxAge = s.MaxAge
	}
	m := s.Match
	return []any{i, s.ServiceID, s.LocationID, lat, lon, x, y, z, haven.NeedCodes(s.Terms), lower(s.Languages),
		texts(m.Genders), texts(m.ImmigrationStatuses), texts(m.BarriersWaived), texts(m.Insurance), texts(s.Documents),
		m.TraumaInformed, m.SurvivorSpecific, m.Free, m.SlidingScale, s.Confidential, s.MinAge, maxAge}
}

// position returns the site's coordinates and unit vector, as the index
// keeps them (single precision), or NULLs for a site without valid ones.
func position(s *directory.Site) (lat, lon, x, y, z any) {
	if !s.HasCoords || !directory.ValidCoords(s.Lat, s.Lon) {
		return nil, nil, nil, nil, nil
	}
	la, lo := float64(float32(s.Lat)), float64(float32(s.Lon))
	vx, vy, vz := unitVector(la, lo)
	return la, lo, float64(float32(vx)), float64(float32(vy)), float64(float32(vz))
}

// unitVector is the point at lat, lon (degrees) on the unit sphere.
func unitVector(lat, lon float64) (x, y, z float64) {
	la, lo := lat*math.Pi/180, lon*math.Pi/180
	return math.Cos(la) * math.Cos(lo), math.Cos(la) * math.Sin(lo), math.Sin(la)
}

func lower(v []string) []string {
	out := make([]string, len(v))
	for i, s := range v {
		out[i] = strings.ToLower(s)
	}
	return out
}

// texts turns a slice of a string type into the text array COPY takes.
func texts[T ~string](v []T) []string {
	out := make([]string, len(v))
	for i, s := range v {
		out[i] = string(s)
	}
	return out
}
