package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven/internal/web"
)

// TestTimesInTheClinicsZone: pages show times in the clinic's time zone
// and name it, never UTC alone.
func TestTimesInTheClinicsZone(t *testing.T) {
	zone := time.FixedZone("CST", -6*60*60)
	e := newEnvWith(t, false, func(c *web.Config) { c.TimeZone = zone })
	c := client(t)
	signIn(t, e, c, "advocate", "")
	_, body := get(t, c, e.srv.URL+"/sessions")
	now := time.Now().In(zone)
	if !strings.Contains(body, now.Format("2006-01-02 15")) || !strings.Contains(body, " CST") || strings.Contains(body, " UTC") {
		t.Errorf("sessions page: want times like %s in CST, no UTC", now.Format("2006-01-02 15:04 MST"))
	}
}
