package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// conformance is the HSDS 3.0 conformance folder, shared beside the repo.
const conformance = "../../../shared/conformance/hsds-3.0"

func conformancePath(t *testing.T, sub string) string {
	t.Helper()
	p := filepath.Join(conformance, sub)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("HSDS conformance examples not present: %v", err)
	}
	return p
}

// mustRun runs haven and fails the test unless it exits 0.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, stderr := run(t, context.Background(), "", args...)
	if code != 0 {
		t.Fatalf("haven %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	return out
}

// readAll returns the files of dir by name.
func readAll(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = string(b)
	}
	return files
}

// validateServices checks every element of an exported services.json
// against the HSDS 3.0 service schema, and returns how many there are.
func validateServices(t *testing.T, path string) int {
	t.Helper()
	dir, err := filepath.Abs(conformancePath(t, "schema"))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	s, err := c.Compile(filepath.Join(dir, "service.json"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	for i, it := range v.([]any) {
		if err := s.Validate(it); err != nil {
			t.Errorf("services.json[%d] does not validate: %v", i, err)
		}
	}
	return len(v.([]any))
}

func TestImportExportHSDSConformanceExamples(t *testing.T) {
	for _, example := range []string{"csv", "service_full.json", "organization_full.json", "service_list.json"} {
		t.Run(example, func(t *testing.T) {
			src := conformancePath(t, filepath.Join("examples", example))
			dir, tmp := dataDir(t), t.TempDir()
			code, _, stderr := run(t, context.Background(), "", "import", "hsds", src, "--data", dir)
			if code == 0 || !strings.Contains(stderr, "(warning)") || !strings.Contains(stderr, "--accept-warnings") {
				t.Errorf("import without --accept-warnings: code=%d, want a refusal naming the warnings:\n%s", code, stderr)
			}
			mustRun(t, "import", "hsds", src, "--data", dir, "--accept-warnings")
			mustRun(t, "import", "hsds", "--accept-warnings", src, "--data", dir) // re-import: updates by id
			first := map[string]string{}
			for _, format := range []string{"csv", "json"} {
				out := filepath.Join(tmp, "first-"+format)
				mustRun(t, "export", "hsds", out, "--format", format, "--data", dir)
				first[format] = out
			}
			if n := validateServices(t, filepath.Join(first["json"], "services.json")); n == 0 {
				t.Errorf("exported no services")
			}
			for format, out := range first {
				again := dataDir(t)
				mustRun(t, "import", "hsds", out, "--data", again, "--accept-warnings")
				back := filepath.Join(tmp, "again-"+format)
				mustRun(t, "export", "hsds", back, "--format", format, "--data", again)
				want, got := readAll(t, out), readAll(t, back)
				for name := range want {
					if got[name] != want[name] {
						t.Errorf("%s: %s differs after export, import and export again", format, name)
					}
				}
			}
		})
	}
}

func TestImportHSDSRefusesBadInputAndChangesNothing(t *testing.T) {
	tmp := t.TempDir()
	badJSON := filepath.Join(tmp, "services.json")
	os.WriteFile(badJSON, []byte(`[{"id": "not-a-uuid", "name": "Clinic", "status": "active"}]`), 0o600)
	badCSV := filepath.Join(tmp, "pkg")
	if _, err := os.Stat(conformance); err == nil {
		copyDir(t, filepath.Join(conformance, "examples", "csv"), badCSV)
		b, _ := os.ReadFile(filepath.Join(badCSV, "services.csv"))
		lines := strings.SplitN(string(b), "\n", 3)
		lines[1] = strings.Replace(lines[1], ",Community Counselling,", `,"Community Counselling,`, 1)
		os.WriteFile(filepath.Join(badCSV, "services.csv"), []byte(strings.Join(lines, "\n")), 0o600)
	}
	tests := []struct {
		name, path, want string
	}{
		{"json", badJSON, "services.json:1: [0].id:"},
		{"csv quoting", badCSV, "services.csv:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := os.Stat(tt.path); err != nil {
				t.Skip("needs the conformance examples")
			}
			dir := dataDir(t)
			mustRun(t, "demo", "directory", "--services", "3", "--data", dir)
			code, _, stderr := run(t, context.Background(), "", "import", "hsds", tt.path, "--data", dir, "--accept-warnings")
			if code != 1 || !strings.Contains(stderr, tt.want) || !strings.Contains(stderr, "nothing was imported") {
				t.Errorf("code=%d stderr=%q, want 1 and a report containing %q", code, stderr, tt.want)
			}
			out := mustRun(t, "export", "hsds", filepath.Join(t.TempDir(), "x"), "--data", dir)
			if !strings.Contains(out, "exported 1 organizations, 3 services") {
				t.Errorf("store changed by a refused import: %s", out)
			}
		})
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
}

func TestDemoDirectoryIsDeterministic(t *testing.T) {
	dir, tmp := dataDir(t), t.TempDir()
	out := mustRun(t, "demo", "directory", "--services", "40", "--data", dir)
	if !strings.Contains(out, "40 services") || !strings.Contains(out, "directory version 1") {
		t.Errorf("demo directory: %q", out)
	}
	mustRun(t, "export", "hsds", filepath.Join(tmp, "a"), "--data", dir)
	out = mustRun(t, "demo", "directory", "--services", "40", "--data", dir)
	if !strings.Contains(out, "directory version 2") {
		t.Errorf("second demo directory: %q", out)
	}
	mustRun(t, "export", "hsds", filepath.Join(tmp, "b"), "--data", dir)
	a, b := readAll(t, filepath.Join(tmp, "a")), readAll(t, filepath.Join(tmp, "b"))
	var services []json.RawMessage
	if err := json.Unmarshal([]byte(a["services.json"]), &services); err != nil || len(services) != 40 {
		t.Errorf("exported %d services (%v), want 40", len(services), err)
	}
	if a["services.json"] != b["services.json"] {
		t.Errorf("loading the same demo directory twice changed it")
	}
}

func TestImportProgressBar(t *testing.T) {
	dir := dataDir(t)
	code, _, stderr := run(t, context.Background(), "", "demo", "directory", "--services", "300", "--data", dir, "--progress")
	if code != 0 || !strings.Contains(stderr, "100%") || !strings.Contains(stderr, "\rloading [") {
		t.Errorf("code=%d stderr=%q, want a progress bar to 100%%", code, stderr)
	}
	code, _, stderr = run(t, context.Background(), "", "demo", "directory", "--services", "3", "--data", dir)
	if code != 0 || stderr != "" {
		t.Errorf("without a terminal or --progress: stderr=%q, want none", stderr)
	}
}

func TestBenchDirectoryPrintsOneLine(t *testing.T) {
	dsn := sqlstoretest.PostgresDSN()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Ping(); err != nil {
		if os.Getenv("HAVEN_TEST_POSTGRES_REQUIRED") == "1" {
			t.Fatalf("PostgreSQL required: %v", err)
		}
		t.Skipf("no PostgreSQL: %v", err)
	}
	schema := fmt.Sprintf("bench_cli_%d", time.Now().UnixNano())
	t.Cleanup(func() {
		if _, err := db.Exec(`DROP SCHEMA IF EXISTS ` + schema + ` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	code, out, stderr := run(t, context.Background(), "", "bench", "directory", "--services", "300", "--queries", "25",
		"--postgres", dsn, "--schema", schema)
	if code != 0 {
		t.Fatalf("bench: exit %d\n%s", code, stderr)
	}
	if strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, "directory-bench services=300 queries=25 ") || !strings.Contains(out, "agree=true") {
		t.Errorf("stdout=%q, want the one directory-bench line with agree=true", out)
	}
}
