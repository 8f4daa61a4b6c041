package haven

import (
	"strings"
	"testing"
	"time"
)

func TestAgeOnAndBand(t *testing.T) {
	now := time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		dob  string
		age  int
		band AgeBand
	}{
		{"2008-06-15", 18, Age18to24},
		{"2008-06-16", 17, Age15to17},
		{"2014-01-01", 12, Age12to14},
		{"1960-12-31", 65, Age65plus},
		{"2020-02-29", 6, Age0to11},
	}
	for _, tt := range tests {
		dob, _ := time.Parse(time.DateOnly, tt.dob)
		if got := AgeOn(dob, now); got != tt.age {
			t.Errorf("AgeOn(%s)=%d, want %d", tt.dob, got, tt.age)
		}
		if got := BandOf(tt.age); got != tt.band {
			t.Errorf("BandOf(%d)=%q, want %q", tt.age, got, tt.band)
		}
	}
}

func TestNormalizeSurvivor(t *testing.T) {
	now := time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
	s, err := NewSurvivor{Name: "  Synthetic Person ", DateOfBirth: "2010-01-02", Phones: []string{" ", "555-0100"}}.Normalize(now)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "Synthetic Person" || s.AgeBand != Age15to17 || !s.Minor || len(s.Phones) != 1 {
		t.Errorf("Normalize=%+v", s)
	}
	bad := []struct {
		ns    NewSurvivor
		field string
	}{
		{NewSurvivor{}, "name"},
		{NewSurvivor{Name: "x", DateOfBirth: "2030-01-01"}, "date_of_birth"},
		{NewSurvivor{Name: "x", DateOfBirth: "15/06/2000"}, "date_of_birth"},
		{NewSurvivor{Name: "x", AgeBand: "teen"}, "age_band"},
		{NewSurvivor{Name: "x", Emails: []string{"nope"}}, "emails"},
		{NewSurvivor{Name: "x", Languages: []LanguagePreference{{Code: "spanish!"}}}, "languages"},
		{NewSurvivor{Name: "x", PreferredProviderGender: "any"}, "preferred_provider_gender"},
		{NewSurvivor{Name: "x", SafeContact: SafeContactPlan{Channels: []ContactChannel{"pigeon"}}}, "contact_channels"},
		{NewSurvivor{Name: strings.Repeat("x", 201)}, "name"},
	}
	for _, tt := range bad {
		_, err := tt.ns.Normalize(now)
		if ErrorFields(err)[tt.field] == "" {
			t.Errorf("Normalize(%+v) err=%v, want a %s field error", tt.ns, err, tt.field)
		}
	}
}

func TestAllowContact(t *testing.T) {
	plan := SafeContactPlan{Channels: []ContactChannel{ChannelSMS, ChannelPhoneCall}}
	tests := []struct {
		plan      SafeContactPlan
		ch        ContactChannel
		voicemail bool
		ok        bool
	}{
		{plan, ChannelSMS, false, true},
		{plan, ChannelEmail, false, false},
		{plan, ChannelPhoneCall, true, false},
		{SafeContactPlan{Channels: plan.Channels, VoicemailSafe: true}, ChannelPhoneCall, true, true},
		{SafeContactPlan{Channels: plan.Channels, DoNotContact: true}, ChannelSMS, false, false},
	}
	for _, tt := range tests {
		err := tt.plan.AllowContact(tt.ch, tt.voicemail)
		if (err == nil) != tt.ok {
			t.Errorf("AllowContact(%s, voicemail=%v)=%v, want ok=%v", tt.ch, tt.voicemail, err, tt.ok)
		}
		if err != nil && ErrorKind(err) != Forbidden {
			t.Errorf("kind=%v, want Forbidden", ErrorKind(err))
		}
	}
}
