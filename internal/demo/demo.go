// Package demo loads Haven's deterministic, synthetic demo data: one staff
// account per role and, as features land, survivors, screenings, services
// and referrals that are invented by the project — never a real person.
package demo

import (
	"context"
	"fmt"
	"strings"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/directory"
)

// Password is the shared password of the demo accounts. It is printed at
// start, so demo mode must never hold real data.
const Password = "haven-demo-2026"

// Users are the demo accounts, one per role; the first is the one
// suggested at start.
var Users = []haven.NewUser{
	{Username: "demo.advocate", DisplayName: "Demo Advocate", Role: haven.RoleAdvocate},
	{Username: "demo.clinician", DisplayName: "Demo Clinician", Role: haven.RoleClinician},
	{Username: "demo.supervisor", DisplayName: "Demo Supervisor", Role: haven.RoleSupervisor},
	{Username: "demo.partner", DisplayName: "Demo Partner", Role: haven.RolePartner, OrganizationID: "demo-partner-org"},
	{Username: "demo.editor", DisplayName: "Demo Directory Editor", Role: haven.RoleEditor},
	{Username: "demo.analyst", DisplayName: "Demo Analyst", Role: haven.RoleAnalyst},
	{Username: "demo.admin", DisplayName: "Demo Administrator", Role: haven.RoleAdmin},
}

// Store is what the demo loader needs: accounts to create, survivors'
// records to open and the directory to fill.
type Store struct {
	Users     haven.UserService
	Survivors haven.SurvivorService
	Directory haven.DirectoryService
}

// Clinic is where the demo clinic stands: its directory is generated
// around it, and searches near it find services.
var Clinic = struct {
	City     string
	Lat, Lon float64
}{"Austin", 30.27, -97.74}

// DirectoryServices is the size of the demo's local directory.
const DirectoryServices = 300

// Survivors are invented people for the demo advocate's caseload.
var Survivors = []haven.NewSurvivor{
	{Name: "Demo Person Alpha", Aliases: []string{"Alfa"}, DateOfBirth: "1994-03-12",
		ImmigrationStatus: "application pending (synthetic)", CulturalConsiderations: "Prefers to meet at the clinic, not at home.",
		Languages: []haven.LanguagePreference{{Code: "es", Dialect: "Guatemalan Spanish"}, {Code: "mam", Interpreter: true}},
		SafeContact: haven.SafeContactPlan{Channels: []haven.ContactChannel{haven.ChannelSMS, haven.ChannelInPerson},
			SafeTimes: "weekdays 9-11", CodeWord: "sunflower"}},
	{Name: "Demo Youth Beta", AgeBand: haven.Age15to17, PreferredProviderGender: haven.ProviderGenderFemale,
		Languages:   []haven.LanguagePreference{{Code: "en"}},
		SafeContact: haven.SafeContactPlan{Channels: []haven.ContactChannel{haven.ChannelAdvocate}}},
	{Name: "Demo Person Gamma", DateOfBirth: "1981-11-30", FaithConsiderations: "Observes Buddhist holidays.",
		Languages:   []haven.LanguagePreference{{Code: "vi", Interpreter: true}},
		SafeContact: haven.SafeContactPlan{DoNotContact: true}},
}

// Load fills an empty store with the demo data (accounts, survivors, and
// a directory around the demo clinic) and reports whether it did; a store
// that already has accounts is left alone.
func Load(ctx context.Context, s Store) (bool, error) {
	n, err := s.Users.CountUsers(ctx)
	if err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	var advocate *haven.User
	for i, u := range Users {
		u.Password = Password
		created, err := s.Users.CreateUser(ctx, u)
		if haven.ErrorKind(err) == haven.Conflict {
			return false, nil // another instance sharing the database is loading it
		} else if err != nil {
			return false, fmt.Errorf("demo user %s: %w", u.Username, err)
		}
		if i == 0 {
			advocate = created
		}
	}
	actx := haven.WithActor(ctx, haven.Actor{UserID: advocate.ID, Role: advocate.Role})
	for _, ns := range Survivors {
		if _, _, err := s.Survivors.CreateSurvivor(actx, ns); err != nil {
			return false, fmt.Errorf("demo survivor: %w", err)
		}
	}
	d, err := directory.GenerateDirectoryAround(Clinic.City, DirectoryServices, 2026)
	if err != nil {
		return false, err
	}
	if _, err := s.Directory.ImportDirectory(ctx, d, nil); err != nil {
		return false, fmt.Errorf("demo directory: %w", err)
	}
	return true, nil
}

// OtherUsernames lists the demo accounts after the first, for the start-up message.
func OtherUsernames() string {
	names := make([]string, 0, len(Users)-1)
	for _, u := range Users[1:] {
		names = append(names, u.Username)
	}
	return strings.Join(names, ", ")
}
