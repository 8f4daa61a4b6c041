package web

import (
	"net/http"
	"net/url"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

func init() {
	pageNames = append(pageNames, "users")
}

// mountUsers mounts the administrators' page of users and the two-step
// policy.
func (h *Handler) mountUsers(s *server.Server) {
	s.HandleFunc("GET /admin/users", h.authed(h.users))
	s.HandleFunc("POST /admin/users", h.authed(h.userAdd))
	s.HandleFunc("POST /admin/users/{id}/disable", h.authed(h.userDisable))
	s.HandleFunc("POST /admin/users/{id}/enable", h.authed(h.userEnable))
	s.HandleFunc("POST /admin/users/{id}/role", h.authed(h.userRole))
	s.HandleFunc("POST /admin/users/{id}/reset-two-step", h.authed(h.userResetTwoStep))
	s.HandleFunc("POST /admin/users/{id}/reset-password", h.authed(h.userResetPassword))
	s.HandleFunc("POST /admin/users/two-step-policy", h.authed(h.twoStepPolicy))
}

type usersPage struct {
	Page
	Users  []userRow
	Roles  []Option
	Policy []Option
	// Add is the add form's input, kept when it is refused.
	Add    haven.NewAccount
	Fields map[string]string
	Error  string
	// First is a new user's (or a reset's) link or temporary password,
	// shown on this one response only.
	First     *haven.FirstPassword
	FirstUser string
	Link      string
}

type userRow struct {
	haven.Account
	RoleLabel string
	Self      bool
	Roles     []Option
}

func (h *Handler) users(w http.ResponseWriter, r *http.Request) error {
	p, err := h.usersPage(r)
	if err != nil {
		return err
	}
	if done := r.URL.Query().Get("done"); usersNotices[done] {
		p.Notice = p.T("users.done_" + done)
	}
	return h.render(w, http.StatusOK, "users", p)
}

// usersNotices are the changes the users page confirms after a redirect.
var usersNotices = map[string]bool{"disabled": true, "enabled": true, "role": true, "two_step": true, "policy": true}

func (h *Handler) usersPage(r *http.Request) (*usersPage, error) {
	if err := require(r, gateUsers); err != nil {
		return nil, err
	}
	list, err := h.cfg.UserAdmin.Users(r.Context())
	if err != nil {
		return nil, err
	}
	policy, err := h.cfg.UserAdmin.TwoStepPolicy(r.Context())
	if err != nil {
		return nil, err
	}
	me, _ := signedIn(r.Context())
	p := &usersPage{Page: h.page(r, "users.title"), Fields: map[string]string{}, Add: haven.NewAccount{Start: haven.StartLink}}
	for _, role := range haven.Roles {
		label := p.T("role." + string(role))
		p.Roles = append(p.Roles, Option{Value: string(role), Label: label})
		p.Policy = append(p.Policy, Option{Value: string(role), Label: label, Selected: policy.Requires(role)})
	}
	for _, a := range list {
		row := userRow{Account: a, RoleLabel: p.T("role." + string(a.Role)), Self: a.ID == me.user.ID}
		for _, o := range p.Roles {
			o.Selected = o.Value == string(a.Role)
			row.Roles = append(row.Roles, o)
		}
		p.Users = append(p.Users, row)
	}
	return p, nil
}

// userAdd adds a user and shows, once, the set-password link or the
// temporary password to hand them. This answer is not a redirect: the
// secret must not travel in a URL.
func (h *Handler) userAdd(w http.ResponseWriter, r *http.Request) error {
	a := haven.NewAccount{Username: r.PostFormValue("username"), DisplayName: r.PostFormValue("display_name"),
		Role: haven.Role(r.PostFormValue("role")), OrganizationID: r.PostFormValue("organization"), Start: r.PostFormValue("start")}
	if err := require(r, gateUsers); err != nil {
		return err
	}
	u, first, err := h.cfg.UserAdmin.AddUser(r.Context(), a)
	if isKind(err, haven.Invalid) || isKind(err, haven.Conflict) {
		p, perr := h.usersPage(r)
		if perr != nil {
			return perr
		}
		p.Add = a
		for f, msg := range haven.ErrorFields(err) {
			p.Fields[f] = msg
		}
		p.Error = p.T("form.correct_fields")
		status := http.StatusBadRequest
		if isKind(err, haven.Conflict) {
			status = http.StatusConflict
		}
		return h.render(w, status, "users", p)
	} else if err != nil {
		return err
	}
	return h.showFirstPassword(w, r, u.Username, first)
}

// showFirstPassword renders the users page with the link or temporary
// password of username at the top.
func (h *Handler) showFirstPassword(w http.ResponseWriter, r *http.Request, username string, first *haven.FirstPassword) error {
	p, err := h.usersPage(r)
	if err != nil {
		return err
	}
	p.First, p.FirstUser = first, username
	if first.Token != "" {
		p.Link = "https://" + r.Host + "/set-password/" + url.PathEscape(first.Token)
	}
	return h.render(w, http.StatusOK, "users", p)
}

// usersChange runs change and goes back to the users page; a refusal the
// administrator can act on (their own account, a bad role) shows there.
func (h *Handler) usersChange(w http.ResponseWriter, r *http.Request, done string, change func() error) error {
	if err := require(r, gateUsers); err != nil {
		return err
	}
	err := change()
	if isKind(err, haven.Invalid) || isKind(err, haven.Forbidden) {
		return h.usersRefused(w, r, err)
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/users?done="+done, http.StatusSeeOther)
	return nil
}

// usersRefused shows the users page with why a change was refused.
func (h *Handler) usersRefused(w http.ResponseWriter, r *http.Request, err error) error {
	p, perr := h.usersPage(r)
	if perr != nil {
		return perr
	}
	switch {
	case isKind(err, haven.Forbidden):
		p.Error = p.T("users.error_self")
	case haven.ErrorFields(err)["organization"] != "":
		p.Error = p.T("users.error_organization")
	default:
		p.Error = p.T("users.error_invalid")
	}
	status := http.StatusBadRequest
	if isKind(err, haven.Forbidden) {
		status = http.StatusForbidden
	}
	return h.render(w, status, "users", p)
}

func (h *Handler) userDisable(w http.ResponseWriter, r *http.Request) error {
	return h.usersChange(w, r, "disabled", func() error { return h.cfg.UserAdmin.SetUserDisabled(r.Context(), r.PathValue("id"), true) })
}

func (h *Handler) userEnable(w http.ResponseWriter, r *http.Request) error {
	return h.usersChange(w, r, "enabled", func() error { return h.cfg.UserAdmin.SetUserDisabled(r.Context(), r.PathValue("id"), false) })
}

func (h *Handler) userRole(w http.ResponseWriter, r *http.Request) error {
	return h.usersChange(w, r, "role", func() error {
		return h.cfg.UserAdmin.SetUserRole(r.Context(), r.PathValue("id"), haven.Role(r.PostFormValue("role")), r.PostFormValue("organization"))
	})
}

func (h *Handler) userResetTwoStep(w http.ResponseWriter, r *http.Request) error {
	return h.usersChange(w, r, "two_step", func() error { return h.cfg.UserAdmin.ResetTwoStep(r.Context(), r.PathValue("id")) })
}

// userResetPassword gives a user who forgot their password a new link
// or temporary password, shown once like a new user's.
func (h *Handler) userResetPassword(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateUsers); err != nil {
		return err
	}
	first, err := h.cfg.UserAdmin.ResetPassword(r.Context(), r.PathValue("id"), r.PostFormValue("start"))
	if isKind(err, haven.Invalid) || isKind(err, haven.Forbidden) {
		return h.usersRefused(w, r, err)
	} else if err != nil {
		return err
	}
	u, err := h.cfg.Users.FindUserByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.showFirstPassword(w, r, u.Username, first)
}

func (h *Handler) twoStepPolicy(w http.ResponseWriter, r *http.Request) error {
	return h.usersChange(w, r, "policy", func() error {
		if err := r.ParseForm(); err != nil {
			return haven.Errorf(haven.Invalid, "The form could not be read.")
		}
		var roles []haven.Role
		for _, v := range r.PostForm["role"] {
			roles = append(roles, haven.Role(v))
		}
		return h.cfg.UserAdmin.SetTwoStepPolicy(r.Context(), roles)
	})
}
