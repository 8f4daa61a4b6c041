package api

import (
	"net/http"
	"net/url"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

// mountUsers mounts user administration and the two-step policy:
// administrators only (the store decides), reads with api:read, changes
// with api:write. A token works only for a user the two-step policy does
// not hold back (see AuthenticateAPIToken), so an administrator's token
// is as strong as their sign-in.
func (h *Handler) mountUsers(s *server.Server) {
	s.Handle("GET /api/v1/users", s.RequireToken(haven.ScopeAPIRead, h.listUsers))
	s.Handle("POST /api/v1/users", s.RequireToken(haven.ScopeAPIWrite, h.addUser))
	s.Handle("POST /api/v1/users/{id}/disable", s.RequireToken(haven.ScopeAPIWrite, h.setDisabled(true)))
	s.Handle("POST /api/v1/users/{id}/enable", s.RequireToken(haven.ScopeAPIWrite, h.setDisabled(false)))
	s.Handle("POST /api/v1/users/{id}/role", s.RequireToken(haven.ScopeAPIWrite, h.setRole))
	s.Handle("POST /api/v1/users/{id}/reset-two-step", s.RequireToken(haven.ScopeAPIWrite, h.resetTwoStep))
	s.Handle("GET /api/v1/settings/two-step", s.RequireToken(haven.ScopeAPIRead, h.getTwoStepPolicy))
	s.Handle("PUT /api/v1/settings/two-step", s.RequireToken(haven.ScopeAPIWrite, h.putTwoStepPolicy))
}

// UserAccount is a user as the administration API returns it.
type UserAccount struct {
	ID                 string    `json:"id"`
	Username           string    `json:"username"`
	DisplayName        string    `json:"display_name"`
	Role               string    `json:"role"`
	OrganizationID     string    `json:"organization_id"`
	Disabled           bool      `json:"disabled"`
	TwoStep            bool      `json:"two_step"`
	MustChangePassword bool      `json:"must_change_password"`
	LinkPending        bool      `json:"link_pending"`
	CreatedAt          time.Time `json:"created_at"`
}

// UserList is the body of GET /api/v1/users.
type UserList struct {
	Users []UserAccount `json:"users"`
}

// UserInput is the body of POST /api/v1/users.
type UserInput struct {
	Username       string `json:"username"`
	DisplayName    string `json:"display_name"`
	Role           string `json:"role"`
	OrganizationID string `json:"organization_id"`
	Start          string `json:"start"`
}

// UserCreated is the answer to POST /api/v1/users: the new account and,
// once, the path of its set-password link or its temporary password.
type UserCreated struct {
	User              UserAccount `json:"user"`
	Start             string      `json:"start"`
	SetPasswordPath   string      `json:"set_password_path,omitempty"`
	TemporaryPassword string      `json:"temporary_password,omitempty"`
	ExpiresAt         *time.Time  `json:"expires_at,omitempty"`
}

// RoleInput is the body of POST /api/v1/users/{id}/role.
type RoleInput struct {
	Role           string `json:"role"`
	OrganizationID string `json:"organization_id"`
}

// TwoStepPolicy is the two-step sign-in policy.
type TwoStepPolicy struct {
	Roles     []string   `json:"roles"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

// TwoStepPolicyInput is the body of PUT /api/v1/settings/two-step.
type TwoStepPolicyInput struct {
	Roles []string `json:"roles"`
}

func accountJSON(a haven.Account) UserAccount {
	return UserAccount{ID: a.ID, Username: a.Username, DisplayName: a.DisplayName, Role: string(a.Role), OrganizationID: a.OrganizationID,
		Disabled: a.Disabled, TwoStep: a.TOTPEnabled, MustChangePassword: a.MustChangePassword, LinkPending: a.LinkPending, CreatedAt: a.CreatedAt}
}

func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request) error {
	list, err := h.UserAdmin.Users(r.Context())
	if err != nil {
		return err
	}
	out := UserList{Users: []UserAccount{}}
	for _, a := range list {
		out.Users = append(out.Users, accountJSON(a))
	}
	server.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) addUser(w http.ResponseWriter, r *http.Request) error {
	var in UserInput
	if err := decodeBody(w, r, &in, "user"); err != nil {
		return err
	}
	u, first, err := h.UserAdmin.AddUser(r.Context(), haven.NewAccount{Username: in.Username, DisplayName: in.DisplayName,
		Role: haven.Role(in.Role), OrganizationID: in.OrganizationID, Start: in.Start})
	if err != nil {
		return err
	}
	out := UserCreated{User: accountJSON(haven.Account{User: *u, MustChangePassword: first.Temporary != "", LinkPending: first.Token != ""}),
		Start: first.Start, TemporaryPassword: first.Temporary}
	if first.Token != "" {
		out.SetPasswordPath = "/set-password/" + url.PathEscape(first.Token)
		out.ExpiresAt = &first.ExpiresAt
	}
	w.Header().Set("Location", "/api/v1/users")
	server.WriteJSON(w, http.StatusCreated, out)
	return nil
}

func (h *Handler) setDisabled(disabled bool) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := h.UserAdmin.SetUserDisabled(r.Context(), r.PathValue("id"), disabled); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

func (h *Handler) setRole(w http.ResponseWriter, r *http.Request) error {
	var in RoleInput
	if err := decodeBody(w, r, &in, "role"); err != nil {
		return err
	}
	if err := h.UserAdmin.SetUserRole(r.Context(), r.PathValue("id"), haven.Role(in.Role), in.OrganizationID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) resetTwoStep(w http.ResponseWriter, r *http.Request) error {
	if err := h.UserAdmin.ResetTwoStep(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) writePolicy(w http.ResponseWriter, r *http.Request) error {
	p, err := h.UserAdmin.TwoStepPolicy(r.Context())
	if err != nil {
		return err
	}
	out := TwoStepPolicy{Roles: []string{}}
	for _, role := range p.Roles {
		out.Roles = append(out.Roles, string(role))
	}
	if !p.UpdatedAt.IsZero() {
		out.UpdatedAt = &p.UpdatedAt
	}
	server.WriteJSON(w, http.StatusOK, out)
	return nil
}

// getTwoStepPolicy answers any token: the policy names roles, and
// decides its holder's own sign-in.
func (h *Handler) getTwoStepPolicy(w http.ResponseWriter, r *http.Request) error {
	return h.writePolicy(w, r)
}

func (h *Handler) putTwoStepPolicy(w http.ResponseWriter, r *http.Request) error {
	var in TwoStepPolicyInput
	if err := decodeBody(w, r, &in, "policy"); err != nil {
		return err
	}
	var roles []haven.Role
	for _, s := range in.Roles {
		roles = append(roles, haven.Role(s))
	}
	if err := h.UserAdmin.SetTwoStepPolicy(r.Context(), roles); err != nil {
		return err
	}
	return h.writePolicy(w, r)
}
