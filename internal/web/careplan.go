package web

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

// mountCarePlan mounts the care plan's forms; the plan itself is a
// section of the record page (hub_careplan.html).
func (h *Handler) mountCarePlan(s *server.Server) {
	s.HandleFunc("POST /survivors/{id}/needs", h.authed(h.needAdd))
	s.HandleFunc("POST /survivors/{id}/needs/{need}", h.authed(h.needUpdate))
}

// carePlanView is the record page's "Needs and care plan" section.
type carePlanView struct {
	// Shown is false when there is no care-plan service.
	Shown     bool
	Needs     []needView
	Suggested []suggestionView
	Domains   []Option
	Statuses  []Option
	// Prompts are the questions for the domains of the plan and its
	// suggestions; AllPrompts those of every domain.
	Prompts, AllPrompts []promptGroup
	// Problem and Fields say why a posted form was refused; Form keeps
	// what was typed in the add form, so the survivor's words are not
	// lost.
	Problem string
	Fields  []string
	Form    needForm
}

// needForm is the add form's values.
type needForm struct {
	Domain, Goal, Priority string
	Rank                   int
}

type needView struct {
	ID, Domain, DomainName, Goal, Priority, Status, StatusLabel string
	Rank                                                        int
	Open                                                        bool
	History                                                     []historyView
}

type historyView struct{ When, Change, Status, Note, By string }

type suggestionView struct{ Domain, DomainName, From, ScreeningID string }

type promptGroup struct {
	Domain, Name string
	Prompts      []string
}

// loadCarePlan reads the survivor's plan into the page and, outside
// emergency access, the needs their screenings suggest.
func (h *Handler) loadCarePlan(r *http.Request, p *survivorPage) error {
	if h.cfg.CarePlans == nil {
		return nil
	}
	plan, err := h.cfg.CarePlans.CarePlan(r.Context(), p.S.ID)
	if err != nil {
		return err
	}
	v := carePlanView{Shown: true}
	names := h.staffNames(r)
	inPlan := map[string]bool{}
	for _, n := range plan.Needs {
		v.Needs = append(v.Needs, p.needView(n, names))
		inPlan[n.Domain] = true
	}
	if p.EmergencyUntil == "" {
		sugg, err := h.cfg.CarePlans.SuggestedNeeds(r.Context(), p.S.ID)
		if err != nil {
			return err
		}
		for _, s := range sugg {
			from := fmt.Sprintf(p.T("careplan.suggested_from"), p.T("screening.domain."+s.IndicatorDomain), p.When(s.ScreenedAt))
			v.Suggested = append(v.Suggested, suggestionView{Domain: s.Domain, DomainName: p.domainName(s.Domain), From: from, ScreeningID: s.ScreeningID})
			inPlan[s.Domain] = true
		}
	}
	for _, n := range haven.Needs {
		v.Domains = append(v.Domains, Option{Value: n.Code, Label: p.domainName(n.Code)})
		g := p.prompts(n.Code)
		v.AllPrompts = append(v.AllPrompts, g)
		if inPlan[n.Code] {
			v.Prompts = append(v.Prompts, g)
		}
	}
	for _, s := range haven.NeedStatuses {
		v.Statuses = append(v.Statuses, Option{Value: string(s), Label: p.T("careplan.status." + string(s))})
	}
	p.Care = v
	return nil
}

// staffNames returns a lookup of staff names by user ID, each asked once.
func (h *Handler) staffNames(r *http.Request) func(string) string {
	seen := map[string]string{}
	return func(id string) string {
		if name, ok := seen[id]; ok {
			return name
		}
		name := ""
		if h.cfg.Users != nil {
			if u, err := h.cfg.Users.FindUserByID(r.Context(), id); err == nil {
				name = cmp.Or(u.DisplayName, u.Username)
			}
		}
		seen[id] = name
		return name
	}
}

// needView is a need as the page shows it: a declined need reads
// "Survivor declined", neutrally, like any other status.
func (p *Page) needView(n haven.CarePlanNeed, name func(string) string) needView {
	v := needView{ID: n.ID, Domain: n.Domain, DomainName: p.domainName(n.Domain), Goal: n.Goal, Priority: n.Priority,
		Status: string(n.Status), StatusLabel: p.T("careplan.status." + string(n.Status)), Rank: n.Rank, Open: n.Status.Open()}
	for i := len(n.History) - 1; i >= 0; i-- { // newest first
		hh := n.History[i]
		v.History = append(v.History, historyView{When: p.When(hh.ChangedAt), Change: p.T("careplan.change." + string(hh.Change)),
			Status: p.T("careplan.status." + string(hh.Status)), Note: hh.Note, By: name(hh.ChangedBy)})
	}
	return v
}

// domainName is the translated name of a need domain.
func (p *Page) domainName(code string) string { return p.T("careplan.domain." + code) }

// prompts are the open questions of a domain, in the page's language.
func (p *Page) prompts(code string) promptGroup {
	g := promptGroup{Domain: code, Name: p.domainName(code)}
	for i := 1; i <= 3; i++ {
		key := "careplan.prompt." + code + "." + strconv.Itoa(i)
		if s := p.T(key); s != key {
			g.Prompts = append(g.Prompts, s)
		}
	}
	return g
}

// needAdd adds a need, in the survivor's words: from the add form, or
// from confirming a screening's suggestion (which names its screening).
func (h *Handler) needAdd(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	rank, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue("rank")))
	nn := haven.NewNeed{SurvivorID: id, Domain: r.PostFormValue("domain"), Goal: r.PostFormValue("goal"),
		Priority: r.PostFormValue("priority"), Rank: rank, ScreeningID: r.PostFormValue("screening_id")}
	if _, err := h.cfg.CarePlans.AddNeed(r.Context(), nn); err != nil {
		return h.needRefused(w, r, err)
	}
	http.Redirect(w, r, "/survivors/"+url.PathEscape(id)+"?need=added#careplan", http.StatusSeeOther)
	return nil
}

// needUpdate changes a need's status (with an optional note) or the
// survivor's words, as the form's "change" says.
func (h *Handler) needUpdate(w http.ResponseWriter, r *http.Request) error {
	var u haven.NeedUpdate
	u.Note = r.PostFormValue("note")
	switch r.PostFormValue("change") {
	case "status":
		s := haven.NeedStatus(r.PostFormValue("status"))
		u.Status = &s
	case "words":
		goal, priority := r.PostFormValue("goal"), r.PostFormValue("priority")
		u.Goal, u.Priority = &goal, &priority
		if rank, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("rank"))); err == nil {
			u.Rank = &rank
		}
	}
	if _, err := h.cfg.CarePlans.UpdateNeed(r.Context(), r.PathValue("need"), u); err != nil {
		return h.needRefused(w, r, err)
	}
	http.Redirect(w, r, "/survivors/"+url.PathEscape(r.PathValue("id"))+"?need=saved#careplan", http.StatusSeeOther)
	return nil
}

// needRefused shows the record page again with why a need was refused;
// anything but Invalid or Conflict is the error page's.
func (h *Handler) needRefused(w http.ResponseWriter, r *http.Request, err error) error {
	status := http.StatusBadRequest
	switch {
	case isKind(err, haven.Conflict):
		status = http.StatusConflict
	case !isKind(err, haven.Invalid):
		return err
	}
	p, perr := h.survivorPage(r)
	if perr != nil {
		return perr
	}
	if r.PathValue("need") == "" {
		rank, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue("rank")))
		p.Care.Form = needForm{Domain: r.PostFormValue("domain"), Goal: r.PostFormValue("goal"), Priority: r.PostFormValue("priority"), Rank: rank}
	}
	p.Care.Problem = p.T("careplan.invalid")
	if status == http.StatusConflict {
		p.Care.Problem = p.T("careplan.conflict")
	}
	fields := haven.ErrorFields(err)
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		label := map[string]string{"domain": "careplan.domain", "goal": "careplan.goal", "priority": "careplan.priority",
			"status": "careplan.status", "note": "careplan.note", "rank": "careplan.rank", "screening_id": "careplan.suggested"}[k]
		problem := p.T("careplan.choose")
		if strings.HasPrefix(fields[k], "Use at most") {
			problem = p.T("careplan.too_long")
		}
		if label != "" && status != http.StatusConflict {
			p.Care.Fields = append(p.Care.Fields, fmt.Sprintf(p.T("careplan.field_problem"), p.T(label), problem))
		}
	}
	return h.render(w, status, "survivor", p)
}
