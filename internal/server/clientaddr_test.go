package server_test

import (
	"net/http/httptest"
	"testing"

	"github.com/haven-care/haven/internal/server"
)

func TestClientAddr(t *testing.T) {
	trusted, err := server.ParseTrustedProxies("10.0.0.0/8, 192.0.2.1,::1")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"direct client", "198.51.100.7:4000", nil, "198.51.100.7"},
		{"untrusted peer's header ignored", "198.51.100.7:4000", []string{"203.0.113.9"}, "198.51.100.7"},
		{"one trusted proxy", "192.0.2.1:443", []string{"203.0.113.9"}, "203.0.113.9"},
		{"client spoofs a left hop", "192.0.2.1:443", []string{"1.2.3.4, 203.0.113.9"}, "203.0.113.9"},
		{"two trusted proxies", "10.1.2.3:443", []string{"1.2.3.4, 203.0.113.9, 192.0.2.1"}, "203.0.113.9"},
		{"header lines joined", "10.1.2.3:443", []string{"1.2.3.4", "203.0.113.9, 10.9.9.9"}, "203.0.113.9"},
		{"hop with port", "192.0.2.1:443", []string{"203.0.113.9:5000"}, "203.0.113.9"},
		{"garbage stops at the last trusted hop", "192.0.2.1:443", []string{"203.0.113.9, nonsense"}, "192.0.2.1"},
		{"all hops trusted", "192.0.2.1:443", []string{"10.0.0.5"}, "10.0.0.5"},
		{"trusted proxy without header", "192.0.2.1:443", nil, "192.0.2.1"},
		{"IPv6 client reduced to its /64", "[::1]:443", []string{"2001:db8:1:2:aaaa::1"}, "2001:db8:1:2::/64"},
		{"IPv4-mapped peer", "[::ffff:198.51.100.7]:4000", nil, "198.51.100.7"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("POST", "/signin", nil)
		r.RemoteAddr = tt.peer
		for _, v := range tt.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := server.ClientAddr(r, trusted); got != tt.want {
			t.Errorf("%s: ClientAddr=%q, want %q", tt.name, got, tt.want)
		}
	}
	r := httptest.NewRequest("POST", "/signin", nil)
	r.RemoteAddr = "192.0.2.1:443"
	r.Header.Set("X-Forwarded-For", "203.0.113.9")
	if got := server.ClientAddr(r, nil); got != "192.0.2.1" {
		t.Errorf("no trusted proxies: ClientAddr=%q, want the peer", got)
	}
}

func TestParseTrustedProxies(t *testing.T) {
	for _, bad := range []string{"10.0.0.0/33", "not-an-address", "10.0.0.1/8", "192.0.2.1/24"} {
		if _, err := server.ParseTrustedProxies(bad); err == nil {
			t.Errorf("ParseTrustedProxies(%q): no error, want one", bad)
		}
	}
	got, err := server.ParseTrustedProxies(" 10.0.0.0/8 ,,2001:db8::/32, 192.0.2.1 ")
	if err != nil || len(got) != 3 || got[2].String() != "192.0.2.1/32" {
		t.Errorf("ParseTrustedProxies=%v, %v; want three prefixes, the address as a /32", got, err)
	}
}
