package web

import (
	"cmp"
	"net/http"
	"slices"

	"github.com/haven-care/haven"
)

func init() {
	pageNames = append(pageNames, "caseload", "teams")
}

// caseloadPageSize rows are shown per page of the caseload.
const caseloadPageSize = 25

type caseloadPage struct {
	Page
	Rows []caseloadRow
	// Sort is "contact" (longest without contact first) or "overdue"
	// (most overdue tasks first).
	Sort  string
	Pager Pager
}

type caseloadRow struct {
	ID, CaseNumber, AgeBand, LastContact, Lead string
	Minor                                      bool
	OpenNeeds, OverdueTasks                    int
}

// caseload shows a supervisor their teams' cases by case number, never a
// name: age band, open needs, overdue tasks, last contact and the lead.
// "Today", for overdue tasks, is the clinic's date (Config.TimeZone).
func (h *Handler) caseload(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateCaseload); err != nil {
		return err
	}
	list, err := h.cfg.CareTeams.Caseload(r.Context(), h.today())
	if err != nil {
		return err
	}
	p := caseloadPage{Page: h.page(r, "caseload.title"), Sort: "contact"}
	if r.URL.Query().Get("sort") == "overdue" {
		p.Sort = "overdue"
	}
	sortCaseload(list, p.Sort == "overdue")
	var start, end int
	p.Pager, start, end = paginate(r, len(list), caseloadPageSize)
	for _, c := range list[start:end] {
		row := caseloadRow{ID: c.SurvivorID, CaseNumber: c.CaseNumber, AgeBand: p.ageBand(c.AgeBand), Minor: c.Minor,
			OpenNeeds: c.OpenNeeds, OverdueTasks: c.OverdueTasks, Lead: c.Lead, LastContact: p.T("caseload.never")}
		if !c.LastContact.IsZero() {
			row.LastContact = p.When(c.LastContact)
		}
		p.Rows = append(p.Rows, row)
	}
	return h.render(w, http.StatusOK, "caseload", &p)
}

// sortCaseload orders a caseload: by most overdue tasks first when
// byOverdue, then never contacted (zero time) first, then the longest
// ago, then by case number.
func sortCaseload(list []haven.CaseloadRow, byOverdue bool) {
	slices.SortStableFunc(list, func(a, b haven.CaseloadRow) int {
		if byOverdue {
			if c := cmp.Compare(b.OverdueTasks, a.OverdueTasks); c != 0 {
				return c
			}
		}
		if c := a.LastContact.Compare(b.LastContact); c != 0 {
			return c
		}
		return cmp.Compare(a.CaseNumber, b.CaseNumber)
	})
}
