package haven_test

import (
	"testing"

	"github.com/haven-care/haven"
)

func TestSignInStateOf(t *testing.T) {
	clinicians := haven.TwoStepPolicy{Roles: []haven.Role{haven.RoleClinician}}
	tests := []struct {
		role             haven.Role
		mustChange, totp bool
		policy           haven.TwoStepPolicy
		want             haven.SignInState
	}{
		{haven.RoleClinician, false, false, haven.TwoStepPolicy{}, haven.SignInReady},
		{haven.RoleClinician, false, false, clinicians, haven.SignInEnrolTwoStep},
		{haven.RoleClinician, false, true, clinicians, haven.SignInReady},
		{haven.RoleAdvocate, false, false, clinicians, haven.SignInReady},
		{haven.RoleClinician, true, false, clinicians, haven.SignInChangePassword},
		{haven.RoleAdvocate, true, true, haven.TwoStepPolicy{}, haven.SignInChangePassword},
	}
	for _, tt := range tests {
		if got := haven.SignInStateOf(tt.role, tt.mustChange, tt.totp, tt.policy); got != tt.want {
			t.Errorf("SignInStateOf(%s, %v, %v, %v)=%q, want %q", tt.role, tt.mustChange, tt.totp, tt.policy.Roles, got, tt.want)
		}
	}
}

func TestNewAccountValidate(t *testing.T) {
	for _, tt := range []struct {
		a     haven.NewAccount
		field string
	}{
		{haven.NewAccount{Username: "nurse.fl", Role: haven.RoleClinician, Start: haven.StartLink}, ""},
		{haven.NewAccount{Username: "nurse.fl", Role: haven.RoleClinician, Start: haven.StartTemporary}, ""},
		{haven.NewAccount{Username: "nurse.fl", Role: haven.RoleClinician, Start: "email"}, "start"},
		{haven.NewAccount{Username: "n", Role: haven.RoleClinician, Start: haven.StartLink}, "username"},
		{haven.NewAccount{Username: "partner.x", Role: haven.RolePartner, Start: haven.StartLink}, "organization"},
	} {
		err := tt.a.Validate()
		if got := haven.ErrorFields(err)[tt.field]; (tt.field == "" && err != nil) || (tt.field != "" && got == "") {
			t.Errorf("Validate(%+v)=%v, want a problem on %q", tt.a, err, tt.field)
		}
	}
}
