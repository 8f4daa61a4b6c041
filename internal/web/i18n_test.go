package web_test

import (
	"net/url"
	"path"
	"strings"
	"testing"
	"unicode"

	"github.com/haven-care/haven/internal/web"
)

// TestSafeNext: the language form returns only to a path on this site.
// Browsers drop tabs and newlines from a URL and read a backslash as a
// slash, so "/\t/evil/" reaches them as "//evil/", another host.
func TestSafeNext(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/survivors", "/survivors"},
		{"/survivors/0190-abc/", "/survivors/0190-abc/"},
		{"/", "/"},
		{"", "/"},
		{"survivors", "/"},
		{"//evil.example/", "/"},
		{"/\t/evil/", "/"},
		{"/\n/evil/", "/"},
		{"/\r/evil/", "/"},
		{"/\x00/evil/", "/"},
		{"/\x7f/evil/", "/"},
		{"/ /evil/", "/"},
		{"/\\evil/", "/"},
		{"\\/evil/", "/"},
		{"/%09/evil/", "/"},
		{"/%2F/evil/", "/"},
		{"/%5Cevil/", "/"},
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"/./evil", "/"},
		{"/a/..//evil", "/"},
		{"/directory?need=x", "/"},
		{"/a#b", "/"},
		{"/\u2028/evil", "/"},
		{"/\u200b/evil", "/"},
	}
	for _, tt := range tests {
		if got := web.SafeNext(tt.in); got != tt.want {
			t.Errorf("SafeNext(%q)=%q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzSafeNext: whatever comes in, what goes out is a path on this site
// even as a browser reads it, and stays the same when checked again.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "/survivors", "/\t/evil/", "//evil", "/\\evil", "/%2F/evil", "https://x", "/a/../b/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := web.SafeNext(in)
		if out == "/" {
			return
		}
		if web.SafeNext(out) != out {
			t.Fatalf("SafeNext(%q)=%q, not a fixed point", in, out)
		}
		for _, r := range out {
			if !unicode.IsPrint(r) || r == ' ' || r == '\\' {
				t.Fatalf("SafeNext(%q)=%q holds %q", in, out, r)
			}
		}
		// What a browser does to a Location: drop tabs and newlines, read
		// a backslash as a slash; what http.Redirect does: clean the path.
		seen := strings.ReplaceAll(strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(out), "\\", "/")
		for _, s := range []string{seen, path.Clean(seen)} {
			u, err := url.Parse(s)
			if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") {
				t.Fatalf("SafeNext(%q)=%q, which a browser reads as %q: not a local path", in, out, s)
			}
		}
	})
}
