package web

import (
	"math"
	"strconv"
	"strings"
)

// parseDecimal reads a number typed into a form: decimal digits with an
// optional sign, point and exponent, finite. strconv.ParseFloat alone
// also takes "NaN", "Inf" and hexadecimal, and NaN passes every range
// check, because each comparison with it is false.
func parseDecimal(s string) (float64, bool) {
	if s == "" || strings.Trim(s, "0123456789.eE+-") != "" {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}
