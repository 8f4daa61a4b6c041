package disclosurepdf

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strings"
	"unicode/utf16"
)

var streamRE = regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)

// Text returns the text shown on the pages of a PDF that Render wrote,
// one string a line: its content streams inflated and their UTF-16 text
// strings decoded. It reads what Render writes, not any PDF; tests use it
// to check what a package holds.
func Text(pdf []byte) (string, error) {
	var out strings.Builder
	for _, m := range streamRE.FindAllSubmatch(pdf, -1) {
		body := m[1]
		if r, err := zlib.NewReader(bytes.NewReader(body)); err == nil {
			if inflated, err := io.ReadAll(r); err == nil {
				body = inflated
			}
		}
		for _, s := range literals(body) {
			out.WriteString(decodeUTF16(s))
			out.WriteByte('\n')
		}
	}
	return out.String(), nil
}

// literals returns the PDF literal strings of a content stream that a
// text operator shows: "(...) Tj" and the strings of "[...] TJ".
func literals(b []byte) [][]byte {
	var out [][]byte
	for i := 0; i < len(b); i++ {
		if b[i] != '(' {
			continue
		}
		var s []byte
		depth := 1
		for i++; i < len(b) && depth > 0; i++ {
			c := b[i]
			switch {
			case c == '\\' && i+1 < len(b):
				i++
				switch e := b[i]; e {
				case 'n':
					s = append(s, '\n')
				case 'r':
					s = append(s, '\r')
				case 't':
					s = append(s, '\t')
				case 'b':
					s = append(s, '\b')
				case 'f':
					s = append(s, '\f')
				default:
					if e >= '0' && e <= '7' {
						v, n := 0, 0
						for n < 3 && i < len(b) && b[i] >= '0' && b[i] <= '7' {
							v, n, i = v*8+int(b[i]-'0'), n+1, i+1
						}
						i--
						s = append(s, byte(v))
					} else {
						s = append(s, e)
					}
				}
			case c == '(':
				depth++
				s = append(s, c)
			case c == ')':
				depth--
				if depth > 0 {
					s = append(s, c)
				}
			default:
				s = append(s, c)
			}
		}
		i--
		out = append(out, s)
	}
	return out
}

func decodeUTF16(b []byte) string {
	if len(b)%2 != 0 {
		return string(b)
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(u))
}
