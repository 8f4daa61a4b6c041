package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/server"
)

func init() {
	pageNames = append(pageNames, "tokens")
	funcs["tokenTable"] = func(rows []tokenRow, account string, p *tokensPage) tokenTableView {
		return tokenTableView{Rows: rows, Account: account, P: p}
	}
	funcs["tokenFields"] = func(id string, p *tokensPage) tokenFieldsView { return tokenFieldsView{ID: id, P: p} }
}

// tokenTableView is the data of the token-table template: one account's
// tokens (Account is empty for the user's own).
type tokenTableView struct {
	Rows    []tokenRow
	Account string
	P       *tokensPage
}

// tokenFieldsView is the data of the token-fields template; ID keeps the
// ids of each form's fields apart.
type tokenFieldsView struct {
	ID string
	P  *tokensPage
}

// gateServiceAccounts: administrators create service accounts and issue
// and revoke their tokens (access.APITokens).
var gateServiceAccounts = gate{access.Create, access.APITokens}

// tokenLifetimes are the lifetimes the page offers, in days; the first
// is the default.
var tokenLifetimes = []int{90, 7, 30, 180, 365}

// mountTokens mounts /account/tokens: every signed-in user issues, lists
// and revokes their own API tokens; administrators also keep service
// accounts and their tokens there.
func (h *Handler) mountTokens(s *server.Server) {
	s.HandleFunc("GET /account/tokens", h.authed(h.tokens))
	s.HandleFunc("POST /account/tokens", h.authed(h.tokenCreate))
	s.HandleFunc("POST /account/tokens/{id}/revoke", h.authed(h.tokenRevoke))
	if h.cfg.TokenAdmin != nil {
		s.HandleFunc("POST /account/service-accounts", h.authed(h.serviceAccountCreate))
		s.HandleFunc("POST /account/service-accounts/{username}/tokens", h.authed(h.serviceTokenCreate))
		s.HandleFunc("POST /account/service-accounts/{username}/tokens/{id}/revoke", h.authed(h.serviceTokenRevoke))
	}
}

type tokensPage struct {
	Page
	Tokens []tokenRow
	// Secret is a token just issued, shown this once; SecretFor names
	// the account it acts as.
	Secret, SecretFor string
	Error             string
	Scopes            []Option
	Lifetimes         []Option
	// Admin is set for administrators: service accounts and their tokens.
	Admin    bool
	Services []serviceAccountView
	Roles    []Option
}

type tokenRow struct {
	ID, Name, Scopes, Created, Expires, LastUsed, State string
	Active                                              bool
}

type serviceAccountView struct {
	Username, DisplayName, Role, Organization string
	Tokens                                    []tokenRow
}

func (h *Handler) tokens(w http.ResponseWriter, r *http.Request) error {
	return h.renderTokens(w, r, http.StatusOK, func(p *tokensPage) {
		if done := r.URL.Query().Get("done"); tokenNotices[done] {
			p.Notice = p.T("tokens.done_" + done)
		}
	})
}

// tokenNotices are the changes the page confirms after a redirect.
var tokenNotices = map[string]bool{"revoked": true, "service": true}

func (h *Handler) renderTokens(w http.ResponseWriter, r *http.Request, status int, fill func(*tokensPage)) error {
	list, err := h.cfg.Tokens.APITokens(r.Context())
	if err != nil {
		return err
	}
	p := tokensPage{Page: h.page(r, "tokens.title")}
	p.Tokens = tokenRows(&p.Page, list, h.now())
	for _, s := range haven.Scopes {
		p.Scopes = append(p.Scopes, Option{Value: string(s), Label: p.T("tokens.scope_" + scopeKey(s))})
	}
	for i, d := range tokenLifetimes {
		p.Lifetimes = append(p.Lifetimes, Option{Value: strconv.Itoa(d), Label: strconv.Itoa(d) + " " + p.T("tokens.days"), Selected: i == 0})
	}
	if h.cfg.TokenAdmin != nil && gateServiceAccounts.allows(p.User.Role) {
		p.Admin = true
		services, err := h.cfg.TokenAdmin.ServiceAccounts(r.Context())
		if err != nil {
			return err
		}
		for _, u := range services {
			toks, err := h.cfg.TokenAdmin.AccountAPITokens(r.Context(), u.Username)
			if err != nil {
				return err
			}
			p.Services = append(p.Services, serviceAccountView{Username: u.Username, DisplayName: u.DisplayName,
				Role: p.T("role." + string(u.Role)), Organization: u.OrganizationID, Tokens: tokenRows(&p.Page, toks, h.now())})
		}
		for _, role := range haven.Roles {
			if role != haven.RoleAdmin {
				p.Roles = append(p.Roles, Option{Value: string(role), Label: p.T("role." + string(role))})
			}
		}
	}
	if fill != nil {
		fill(&p)
	}
	return h.render(w, status, "tokens", &p)
}

func scopeKey(s haven.Scope) string {
	return strings.ReplaceAll(string(s), ":", "_")
}

func tokenRows(p *Page, list []haven.APIToken, now time.Time) []tokenRow {
	var rows []tokenRow
	for _, t := range list {
		row := tokenRow{ID: t.ID, Name: t.Name, Created: p.When(t.CreatedAt), Expires: p.When(t.ExpiresAt), LastUsed: "—"}
		scopes := make([]string, len(t.Scopes))
		for i, s := range t.Scopes {
			scopes[i] = string(s)
		}
		row.Scopes = strings.Join(scopes, ", ")
		if t.LastUsed != nil {
			row.LastUsed = p.When(*t.LastUsed)
		}
		state := t.State(now)
		row.State, row.Active = p.T("tokens.state_"+state), state == haven.TokenActive
		rows = append(rows, row)
	}
	return rows
}

// tokenForm reads a token form: name, scopes (checkboxes) and lifetime
// in days.
func tokenForm(r *http.Request) (name string, scopes []haven.Scope, lifetime time.Duration) {
	r.ParseForm()
	for _, s := range r.PostForm["scope"] {
		if !slices.Contains(scopes, haven.Scope(s)) {
			scopes = append(scopes, haven.Scope(s))
		}
	}
	days, _ := strconv.Atoi(r.PostFormValue("days"))
	return r.PostFormValue("name"), scopes, time.Duration(days) * 24 * time.Hour
}

// tokenIssued renders the page with a new token's secret, shown this
// once: it is not redirected to, because the secret is never stored.
func (h *Handler) tokenIssued(w http.ResponseWriter, r *http.Request, secret, account string, err error) error {
	if isKind(err, haven.Invalid) || isKind(err, haven.NotFound) && account != "" {
		return h.renderTokens(w, r, http.StatusBadRequest, func(p *tokensPage) { p.Error = tokenError(p, err) })
	}
	if err != nil {
		return err
	}
	return h.renderTokens(w, r, http.StatusCreated, func(p *tokensPage) { p.Secret, p.SecretFor = secret, account })
}

// tokenError is the page's message for a refused form, by field.
func tokenError(p *tokensPage, err error) string {
	for _, f := range []string{"name", "scopes", "lifetime", "username", "role", "organization", "display_name"} {
		if _, ok := haven.ErrorFields(err)[f]; ok {
			return p.T("tokens.error_" + f)
		}
	}
	return p.T("tokens.error")
}

func (h *Handler) tokenCreate(w http.ResponseWriter, r *http.Request) error {
	name, scopes, lifetime := tokenForm(r)
	secret, _, err := h.cfg.Tokens.CreateAPIToken(r.Context(), name, scopes, lifetime)
	return h.tokenIssued(w, r, secret, "", err)
}

func (h *Handler) tokenRevoke(w http.ResponseWriter, r *http.Request) error {
	if err := h.cfg.Tokens.RevokeAPIToken(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/account/tokens?done=revoked", http.StatusSeeOther)
	return nil
}

func (h *Handler) serviceAccountCreate(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateServiceAccounts); err != nil {
		return err
	}
	_, err := h.cfg.TokenAdmin.CreateServiceAccount(r.Context(), haven.NewServiceAccount{Username: r.PostFormValue("username"),
		DisplayName: r.PostFormValue("display_name"), Role: haven.Role(r.PostFormValue("role")),
		OrganizationID: r.PostFormValue("organization")})
	switch {
	case isKind(err, haven.Invalid) || isKind(err, haven.Conflict):
		return h.renderTokens(w, r, http.StatusBadRequest, func(p *tokensPage) { p.Error = tokenError(p, err) })
	case err != nil:
		return err
	}
	http.Redirect(w, r, "/account/tokens?done=service", http.StatusSeeOther)
	return nil
}

func (h *Handler) serviceTokenCreate(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateServiceAccounts); err != nil {
		return err
	}
	account := r.PathValue("username")
	name, scopes, lifetime := tokenForm(r)
	secret, _, err := h.cfg.TokenAdmin.IssueAPIToken(r.Context(), account, name, scopes, lifetime)
	return h.tokenIssued(w, r, secret, account, err)
}

func (h *Handler) serviceTokenRevoke(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateServiceAccounts); err != nil {
		return err
	}
	if err := h.cfg.TokenAdmin.RevokeAccountAPIToken(r.Context(), r.PathValue("username"), r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/account/tokens?done=revoked#"+url.PathEscape("svc-"+r.PathValue("username")), http.StatusSeeOther)
	return nil
}
