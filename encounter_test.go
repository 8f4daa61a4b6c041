package haven

import (
	"strings"
	"testing"
	"time"
)

func TestNewEncounterNormalize(t *testing.T) {
	now := time.Date(2026, 5, 1, 20, 0, 0, 0, time.UTC) // already May 2 east of UTC+4
	ok := NewEncounter{SurvivorID: "s", OccurredOn: "2026-05-01", Note: "n"}
	tests := []struct {
		name   string
		change func(*NewEncounter)
		field  string
	}{
		{"valid", func(*NewEncounter) {}, ""},
		{"tomorrow in UTC, today in Kiribati", func(ne *NewEncounter) { ne.OccurredOn = "2026-05-02" }, ""},
		{"the day after", func(ne *NewEncounter) { ne.OccurredOn = "2026-05-03" }, "occurred_on"},
		{"thirty-one years ago", func(ne *NewEncounter) { ne.OccurredOn = "1995-04-30" }, "occurred_on"},
		{"not a date", func(ne *NewEncounter) { ne.OccurredOn = "2026-02-30" }, "occurred_on"},
		{"blank note", func(ne *NewEncounter) { ne.Note = " \n" }, "note"},
		{"long note", func(ne *NewEncounter) { ne.Note = strings.Repeat("é", MaxEncounterNote+1) }, "note"},
		{"longest note", func(ne *NewEncounter) { ne.Note = strings.Repeat("é", MaxEncounterNote) }, ""},
		{"codes without a screening", func(ne *NewEncounter) { ne.Codes = []string{"T76.51XA"} }, "codes"},
		{"the same code twice", func(ne *NewEncounter) { ne.ScreeningID, ne.Codes = "sc", []string{"T76.51XA", "t76.51xd"} }, "codes"},
		{"too many codes", func(ne *NewEncounter) { ne.ScreeningID, ne.Codes = "sc", make([]string, 11) }, "codes"},
	}
	for _, tt := range tests {
		ne := ok
		tt.change(&ne)
		_, err := ne.Normalize(now)
		if got := ErrorFields(err)[tt.field]; (tt.field == "") != (err == nil) || tt.field != "" && got == "" {
			t.Errorf("%s: err=%v, want a problem with %q", tt.name, err, tt.field)
		}
	}
}

func TestNewContactValidate(t *testing.T) {
	tests := []struct {
		c     NewContact
		field string
	}{
		{NewContact{Channel: ChannelSMS, Outcome: ContactReached}, ""},
		{NewContact{Channel: ChannelSMS, Outcome: ContactMessageLeft, Note: strings.Repeat("x", MaxContactNote)}, ""},
		{NewContact{Channel: ChannelSMS}, "outcome"},
		{NewContact{Channel: ChannelSMS, Outcome: "reached "}, "outcome"},
		{NewContact{Channel: ChannelSMS, Outcome: ContactNoAnswer, Note: strings.Repeat("x", MaxContactNote+1)}, "note"},
	}
	for _, tt := range tests {
		err := tt.c.Validate()
		if (tt.field == "") != (err == nil) || tt.field != "" && ErrorFields(err)[tt.field] == "" {
			t.Errorf("Validate(%+v) = %v, want a problem with %q", tt.c, err, tt.field)
		}
	}
}
