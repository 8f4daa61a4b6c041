package hsds

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/haven-care/haven"
)

const (
	orgHeader = "id,name,description\n"
	orgRow    = "00000000-0000-4000-8000-000000000001,Harbor Aid,Synthetic\n"
	svcHeader = "id,organization_id,name,status\n"
	svcRow    = "00000000-0000-4000-8000-000000000002,00000000-0000-4000-8000-000000000001,Pantry,active\n"
	locHeader = "id,location_type,latitude,longitude\n"
	salHeader = "id,service_id,location_id\n"
)

// pkg builds a tabular package from file contents.
func pkg(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	var res []string
	for name, body := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
		res = append(res, `{"path":"`+name+`"}`)
	}
	fsys["datapackage.json"] = &fstest.MapFile{Data: []byte(`{"resources":[` + strings.Join(res, ",") + `]}`)}
	return fsys
}

func TestPackageRefused(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string // a line of the report
	}{
		{"missing required field", map[string]string{"organizations.csv": orgHeader + "00000000-0000-4000-8000-000000000001,,Synthetic\n"},
			"organizations.csv:1: name: required field is empty (error)"},
		{"missing id column", map[string]string{"organizations.csv": "name,description\nA,B\n"}, "organizations.csv: id: required column is missing (error)"},
		{"bad uuid", map[string]string{"organizations.csv": orgHeader + "42,Harbor,Synthetic\n"}, `organizations.csv:1: id: "42" is not a UUID (error)`},
		{"duplicate id", map[string]string{"organizations.csv": orgHeader + orgRow + orgRow}, "organizations.csv:2: id: duplicate id"},
		{"broken quoting", map[string]string{"organizations.csv": orgHeader + orgRow + "00000000-0000-4000-8000-000000000009,\"Harbor,Synthetic\n"},
			"organizations.csv:2: line 3, column 56: extraneous or missing \" in quoted-field (error)"},
		{"wrong field count", map[string]string{"organizations.csv": orgHeader + "00000000-0000-4000-8000-000000000001,Harbor\n"},
			"organizations.csv:1: line 2, column 1: wrong number of fields (error)"},
		{"oversized field", map[string]string{"organizations.csv": orgHeader + "00000000-0000-4000-8000-000000000001,Harbor," + strings.Repeat("x", DefaultMaxFieldBytes+1) + "\n"},
			"organizations.csv:1: description: value is 16385 bytes, more than the limit of 16384 (error)"},
		{"bad number", map[string]string{"locations.csv": locHeader + "00000000-0000-4000-8000-000000000003,physical,north,1\n"},
			`locations.csv:1: latitude: "north" is not a number (error)`},
		{"dangling service", map[string]string{"organizations.csv": orgHeader + orgRow, "locations.csv": locHeader + "00000000-0000-4000-8000-000000000003,physical,1,1\n",
			"service_at_location.csv": salHeader + "00000000-0000-4000-8000-000000000004,00000000-0000-4000-8000-000000000002,00000000-0000-4000-8000-000000000003\n"},
			"service_at_location.csv:1: service_id: refers to service 00000000-0000-4000-8000-000000000002, which is not in the data (error)"},
		{"bad status", map[string]string{"organizations.csv": orgHeader + orgRow, "services.csv": svcHeader + strings.Replace(svcRow, "active", "open", 1)},
			`services.csv:1: status: "open" is not one of active, inactive, defunct, temporarily closed (error)`},
		{"impossible coordinates", map[string]string{"locations.csv": locHeader + "00000000-0000-4000-8000-000000000003,physical,45,181\n"},
			"locations.csv:1: longitude: 181 is not a longitude; the location will not be placed (warning)"},
		{"dangling organization", map[string]string{"services.csv": svcHeader + svcRow},
			"services.csv:1: organization_id: refers to organization 00000000-0000-4000-8000-000000000001, which is not in the data (warning)"},
		{"bad datapackage", map[string]string{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := pkg(tt.files)
			if tt.name == "bad datapackage" {
				fsys["datapackage.json"] = &fstest.MapFile{Data: []byte("{")}
			}
			d, rep, err := ReadPackage(fsys, Options{})
			if haven.ErrorKind(err) != haven.Invalid || d != nil {
				t.Fatalf("kind=%v directory=%v, want invalid and none", haven.ErrorKind(err), d)
			}
			if !strings.Contains(rep.String(), tt.want) {
				t.Errorf("report:\n%s\nwant a line containing %q", rep, tt.want)
			}
		})
	}
}

func TestPackageWarningsAccepted(t *testing.T) {
	fsys := pkg(map[string]string{"services.csv": svcHeader + svcRow})
	d, rep, err := ReadPackage(fsys, Options{AcceptWarnings: true})
	if err != nil || len(d.Services) != 1 || rep.Count(Warning) != 1 {
		t.Fatalf("err=%v services=%d warnings=%d, want nil, 1, 1", err, len(d.Services), rep.Count(Warning))
	}
	errs := pkg(map[string]string{"services.csv": svcHeader + strings.Replace(svcRow, "Pantry", "", 1)})
	if _, _, err := ReadPackage(errs, Options{AcceptWarnings: true}); haven.ErrorKind(err) != haven.Invalid {
		t.Errorf("errors with AcceptWarnings: kind=%v, want invalid", haven.ErrorKind(err))
	}
}
