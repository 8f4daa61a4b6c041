package web

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/haven-care/haven"
)

// homePage is the start page: for those who work cases, their worklist;
// for the other roles, what they do here and their main pages.
type homePage struct {
	Page
	// Work is the worklist, nil for roles that work no cases.
	Work *worklistView
	// RoleIntro says what the role does in Haven, for roles with no
	// worklist; Links are their main pages.
	RoleIntro string
	Links     []NavItem
}

// worklistView is the worklist as the start page shows it: case numbers,
// never names, each linking to the case's tasks.
type worklistView struct {
	Overdue, DueSoon []workRow
	Stale            []staleRow
	Reviews          []reviewRow
	// ShowReviews is set for those who review emergency access; Caseload
	// for those who have a team's caseload to look after.
	ShowReviews, Caseload bool
	More                  bool
	Today                 string
	// SoonTitle and StaleTitle are the headings with the configured
	// numbers of days.
	SoonTitle, StaleTitle string
}

type workRow struct{ SurvivorID, CaseNumber, Text, Due string }

type staleRow struct{ SurvivorID, CaseNumber, Last string }

type reviewRow struct {
	CaseNumber, Created string
	Repeat              bool
}

// startLinks are the main pages of the roles that work no cases, in the
// order the start page offers them (each still behind its gate).
var startLinks = map[haven.Role][]string{
	haven.RoleAnalyst: {"/gap", "/screening-accuracy", "/directory"},
	haven.RoleEditor:  {"/directory"},
	haven.RoleAdmin:   {"/admin/teams", "/admin/translations"},
	haven.RolePartner: {"/directory", "/survivor-texts"},
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) error {
	p := homePage{Page: h.page(r, "home.title")}
	role := p.User.Role
	if h.cfg.Tasks != nil && gateSurvivors.allows(role) {
		v, err := h.worklist(r, &p.Page)
		if err != nil {
			return err
		}
		p.Work = v
	} else {
		p.RoleIntro = p.T("home.intro_" + string(role))
		for _, n := range navFor(role, r.URL.Path) {
			if slices.Contains(startLinks[role], n.Href) {
				p.Links = append(p.Links, n)
			}
		}
	}
	return h.render(w, http.StatusOK, "home", &p)
}

// worklist reads the signed-in user's worklist for the clinic's today.
func (h *Handler) worklist(r *http.Request, p *Page) (*worklistView, error) {
	today := h.today()
	wl, err := h.cfg.Tasks.Worklist(r.Context(), haven.WorklistQuery{Today: today, SoonDays: h.cfg.DueSoonDays,
		StaleAfterDays: h.cfg.StaleContactDays})
	if err != nil {
		return nil, err
	}
	v := &worklistView{Today: today, More: wl.More, ShowReviews: gateBreakGlassReview.allows(p.User.Role),
		Caseload:   gateCaseload.allows(p.User.Role),
		SoonTitle:  p.Tf("home.due_soon", h.cfg.DueSoonDays),
		StaleTitle: p.Tf("home.stale", h.cfg.StaleContactDays)}
	rows := func(ts []haven.WorkTask) []workRow {
		var out []workRow
		for _, t := range ts {
			out = append(out, workRow{SurvivorID: t.SurvivorID, CaseNumber: t.CaseNumber, Text: t.Text, Due: t.DueOn})
		}
		return out
	}
	v.Overdue, v.DueSoon = rows(wl.Overdue), rows(wl.DueSoon)
	for _, s := range wl.Stale {
		row := staleRow{SurvivorID: s.SurvivorID, CaseNumber: s.CaseNumber}
		if s.LastContact != nil {
			row.Last = p.Tf("home.last_contact", p.Date(*s.LastContact))
		} else {
			row.Last = p.Tf("home.never_contacted", p.Date(s.Since))
		}
		v.Stale = append(v.Stale, row)
	}
	for _, g := range wl.Reviews {
		v.Reviews = append(v.Reviews, reviewRow{CaseNumber: g.CaseNumber, Created: p.When(g.CreatedAt), Repeat: g.Repeat})
	}
	return v, nil
}

// Tf translates key and fills in its verbs (a catalog entry with %d or
// %s, the same in every language).
func (p *Page) Tf(key string, args ...any) string { return fmt.Sprintf(p.T(key), args...) }
