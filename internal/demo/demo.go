// Package demo loads Haven's deterministic, synthetic demo data: one staff
// account per role and, as features land, survivors, screenings, services
// and referrals that are invented by the project — never a real person.
package demo

import (
	"context"
	"fmt"
	"slices"
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
	{Username: "demo.partner", DisplayName: "Demo Partner", Role: haven.RolePartner, OrganizationID: PartnerOrganization.ID},
	{Username: "demo.editor", DisplayName: "Demo Directory Editor", Role: haven.RoleEditor},
	{Username: "demo.analyst", DisplayName: "Demo Analyst", Role: haven.RoleAnalyst},
	{Username: "demo.admin", DisplayName: "Demo Administrator", Role: haven.RoleAdmin},
}

// Store is what the demo loader needs: accounts to create, survivors'
// records to open, their care teams, the team of staff and the directory
// to fill. Without CareTeams and Teams the demo has no team.
type Store struct {
	Users     haven.UserService
	Survivors haven.SurvivorService
	CareTeams haven.CareTeamService
	Teams     haven.TeamService
	Directory haven.DirectoryService
	// Caseload, when set, receives a small synthetic caseload
	// (DemoCases cases, led by the demo advocate) for the gap report.
	Caseload CaseloadLoader
}

// CaseloadLoader bulk-loads a synthetic caseload (sqlstore.GapService).
type CaseloadLoader interface {
	LoadCaseload(ctx context.Context, cases []haven.SyntheticCase, lead string, progress func(done, total int)) error
}

// DemoCases is the size of the demo's synthetic caseload: enough that the
// gap report's tables show most of their cells.
const DemoCases = 600

// TeamName is the demo's team of staff: the advocate, the clinician and
// the supervisor, who supervises it and so sees its cases in a caseload.
const TeamName = "Demo care team"

// Clinic is where the demo clinic stands, downtown Austin, in ZIP code
// 78701 of the place table: its directory is generated around the city's
// centre (within a kilometre of the ZIP code's centroid, tested), and a
// search near the ZIP code, the city or the clinic finds services.
// Locations is its saved clinic location, serve --clinic-locations.
var Clinic = struct {
	Name, ZIP, City, Locations string
}{"Demo clinic", "78701", "Austin", "Demo clinic=78701"}

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
	users := map[haven.Role]*haven.User{}
	for _, u := range Users {
		u.Password = Password
		created, err := s.Users.CreateUser(ctx, u)
		if haven.ErrorKind(err) == haven.Conflict {
			return false, nil // another instance sharing the database is loading it
		} else if err != nil {
			return false, fmt.Errorf("demo user %s: %w", u.Username, err)
		}
		users[created.Role] = created
	}
	if err := loadCases(ctx, s, users); err != nil {
		return false, err
	}
	if s.Caseload != nil {
		if err := s.Caseload.LoadCaseload(ctx, Caseload(DemoCases, 2026), users[haven.RoleAdvocate].ID, nil); err != nil {
			return false, fmt.Errorf("demo caseload: %w", err)
		}
	}
	d, err := directory.GenerateDirectoryAround(Clinic.City, DirectoryServices, 2026)
	if err != nil {
		return false, err
	}
	givePartnerServices(d)
	if _, err := s.Directory.ImportDirectory(ctx, d, nil); err != nil {
		return false, fmt.Errorf("demo directory: %w", err)
	}
	return true, nil
}

// PartnerOrganization is the demo partner's organization: it runs the
// demo directory's first housing and first shelter services, so that a
// referral to either reaches demo.partner's inbox. Its ID is a UUID, as
// HSDS requires, so that an export of the demo directory imports again.
var PartnerOrganization = haven.Organization{ID: "5c2f3b8e-0d1a-4e6b-9f3a-7d4c2b1a0e91", Name: "Demo Partner Housing",
	Description: "Synthetic organization whose staff use Haven, for demonstrations."}

// givePartnerServices hands the first housing and the first shelter
// service of d to PartnerOrganization.
func givePartnerServices(d *haven.Directory) {
	d.Organizations = append(d.Organizations, PartnerOrganization)
	byService := map[string][]string{}
	for _, a := range d.Attributes {
		byService[a.LinkID] = append(byService[a.LinkID], a.TaxonomyTermID)
	}
	for _, code := range []string{"housing", "shelter"} {
		n, _ := haven.NeedByCode(code)
		for i := range d.Services {
			if slices.Contains(byService[d.Services[i].ID], n.TermID) && d.Services[i].OrganizationID != PartnerOrganization.ID {
				d.Services[i].OrganizationID = PartnerOrganization.ID
				break
			}
		}
	}
}

// loadCases opens the demo survivors' records as the advocate, who leads
// their care teams, puts the clinician on the first, and has the
// administrator make the demo team of staff.
func loadCases(ctx context.Context, s Store, users map[haven.Role]*haven.User) error {
	// The demo's people act as themselves, not as the demo job: a context
	// holding both an actor and a job is refused.
	people := haven.WithSystem(ctx, "")
	as := func(r haven.Role) context.Context {
		return haven.WithActor(people, haven.Actor{UserID: users[r].ID, Role: r})
	}
	var first string
	for _, ns := range Survivors {
		created, _, err := s.Survivors.CreateSurvivor(as(haven.RoleAdvocate), ns)
		if err != nil {
			return fmt.Errorf("demo survivor: %w", err)
		}
		if first == "" {
			first = created.ID
		}
	}
	if s.CareTeams == nil || s.Teams == nil {
		return nil
	}
	if err := s.CareTeams.AddCareTeamMember(as(haven.RoleAdvocate), first, users[haven.RoleClinician].ID); err != nil {
		return fmt.Errorf("demo care team: %w", err)
	}
	team, err := s.Teams.CreateTeam(as(haven.RoleAdmin), TeamName)
	if err != nil {
		return fmt.Errorf("demo team: %w", err)
	}
	for _, r := range []haven.Role{haven.RoleAdvocate, haven.RoleClinician, haven.RoleSupervisor} {
		if err := s.Teams.AddTeamMember(as(haven.RoleAdmin), team.ID, users[r].ID, r == haven.RoleSupervisor); err != nil {
			return fmt.Errorf("demo team: %w", err)
		}
	}
	return nil
}

// OtherUsernames lists the demo accounts after the first, for the start-up message.
func OtherUsernames() string {
	names := make([]string, 0, len(Users)-1)
	for _, u := range Users[1:] {
		names = append(names, u.Username)
	}
	return strings.Join(names, ", ")
}
