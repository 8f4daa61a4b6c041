package main

import (
	"bytes"
	"flag"
	"io"
	"slices"
	"testing"

	"github.com/haven-care/haven"
)

// FuzzConfig reads any config file text: it is refused as Invalid, or
// every key it yields is a known flag, and setting serve's flags from it
// and validating them refuses bad values with a clear error, never a
// panic. Seeds live in testdata/fuzz/FuzzConfig.
func FuzzConfig(f *testing.F) {
	f.Add([]byte(`{"addr":"127.0.0.1:8080","data":"/var/lib/haven","audit-checkpoint-every":"5m","audit-witness":"/mnt/w.jsonl"}`))
	f.Add([]byte(`{"due-soon-days":7,"tls-proxy":true,"trusted-proxies":"10.0.0.0/8","time-zone":"America/Chicago"}`))
	f.Add([]byte(`{"public-url":"https://haven.example.org","referral-reminder-after":"168h","metrics-addr":"127.0.0.1:9090"}`))
	f.Add([]byte(`{"adr":"x"}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"log-level":{"nested":[1,2]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := parseConfig(b, "haven.json")
		if err != nil {
			if haven.ErrorKind(err) != haven.Invalid {
				t.Fatalf("refused with kind %v", haven.ErrorKind(err))
			}
			return
		}
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var sf serveFlags
		sf.register(fs)
		for k, v := range file {
			if !slices.Contains(allFlagNames, k) {
				t.Fatalf("accepted unknown key %q", k)
			}
			if fl := fs.Lookup(k); fl != nil {
				if fl.Value.Set(v) != nil {
					return // settle reports it as "config file key ...: ..."
				}
			}
		}
		if err := sf.validate(); err != nil && (haven.ErrorKind(err) != haven.Invalid || bytes.Contains([]byte(err.Error()), []byte("\n"))) {
			t.Errorf("validate: %v, want a one-line Invalid error", err)
		}
	})
}
