// Package demo loads Haven's deterministic, synthetic demo data: one staff
// account per role and, as features land, survivors, screenings, services
// and referrals that are invented by the project — never a real person.
package demo

import (
	"context"
	"fmt"
	"strings"

	"github.com/haven-care/haven"
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

// Store is what the demo loader needs.
type Store interface {
	haven.UserService
}

// Load fills an empty store with the demo data and reports whether it did;
// a store that already has accounts is left alone.
func Load(ctx context.Context, s Store) (bool, error) {
	n, err := s.CountUsers(ctx)
	if err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	for _, u := range Users {
		u.Password = Password
		_, err := s.CreateUser(ctx, u)
		if haven.ErrorKind(err) == haven.Conflict {
			continue // another instance sharing the database loaded it first
		} else if err != nil {
			return false, fmt.Errorf("demo user %s: %w", u.Username, err)
		}
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
