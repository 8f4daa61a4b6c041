package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/haven-care/haven"
)

func init() {
	pageNames = append(pageNames, "directoryedit")
}

// ServiceWriter saves one directory service (the store implements it).
type ServiceWriter interface {
	// SaveService validates, stores and audits s. Errors: Forbidden.
	SaveService(ctx context.Context, s haven.Service) error
}

// serviceStatuses are HSDS 3.0's service statuses.
var serviceStatuses = []string{"active", "inactive", "defunct", "temporarily closed"}

type directoryEditPage struct {
	Page
	ID       string
	Form     map[string]string
	Fields   map[string]string
	Statuses []string
	Saved    bool
}

var serviceFlags = []string{"trauma_informed", "survivor_specific", "lgbtq_affirming", "free"}

func (h *Handler) serviceEdit(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateDirectoryEdit); err != nil {
		return err
	}
	svc, err := h.loadService(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	p := directoryEditPage{Page: h.page(r, "directory.edit_title"), ID: svc.ID, Form: serviceForm(svc),
		Fields: map[string]string{}, Statuses: serviceStatuses, Saved: r.URL.Query().Get("saved") == "1"}
	return h.render(w, http.StatusOK, "directoryedit", &p)
}

func (h *Handler) loadService(r *http.Request, id string) (*haven.Service, error) {
	d, err := h.cfg.DirectoryRecords.DirectoryRecords(r.Context(), []string{id})
	if err != nil {
		return nil, err
	}
	for i := range d.Services {
		if d.Services[i].ID == id {
			return &d.Services[i], nil
		}
	}
	return nil, haven.Errorf(haven.NotFound, "Service not found.")
}

func serviceForm(s *haven.Service) map[string]string {
	f := map[string]string{"name": s.Name, "description": s.Description, "status": s.Status,
		"minimum_age": age(s.MinimumAge), "maximum_age": age(s.MaximumAge)}
	flags := []bool{s.Match.TraumaInformed, s.Match.SurvivorSpecific, s.Match.LGBTQAffirming, s.Match.Free}
	for i, k := range serviceFlags {
		if flags[i] {
			f[k] = "true"
		}
	}
	return f
}

func age(a *float64) string {
	if a == nil {
		return ""
	}
	return strconv.FormatFloat(*a, 'f', -1, 64)
}

// serviceUpdate applies the form to the stored service and saves it.
func (h *Handler) serviceUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateDirectoryEdit); err != nil {
		return err
	}
	svc, err := h.loadService(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.Invalid, "The form could not be read.")
	}
	p := directoryEditPage{Page: h.page(r, "directory.edit_title"), ID: svc.ID, Form: map[string]string{},
		Fields: map[string]string{}, Statuses: serviceStatuses}
	for _, k := range append([]string{"name", "description", "status", "minimum_age", "maximum_age"}, serviceFlags...) {
		p.Form[k] = strings.TrimSpace(r.PostForm.Get(k))
	}
	applyServiceForm(&p, svc)
	if len(p.Fields) > 0 {
		return h.render(w, http.StatusBadRequest, "directoryedit", &p)
	}
	if err := h.cfg.ServiceWriter.SaveService(r.Context(), *svc); err != nil {
		return err
	}
	http.Redirect(w, r, "/directory/services/"+svc.ID+"/edit?saved=1", http.StatusSeeOther)
	return nil
}

// applyServiceForm validates the form into svc, noting problems beside
// their fields.
func applyServiceForm(p *directoryEditPage, svc *haven.Service) {
	f := p.Form
	if n := utf8.RuneCountInString(f["name"]); n == 0 || n > 200 {
		p.Fields["name"] = p.T("directory.name_error")
	}
	if utf8.RuneCountInString(f["description"]) > 4000 {
		p.Fields["description"] = p.T("directory.description_error")
	}
	if !slices.Contains(serviceStatuses, f["status"]) {
		p.Fields["status"] = p.T("directory.status_error")
	}
	minAge, okMin := parseAge(f["minimum_age"])
	maxAge, okMax := parseAge(f["maximum_age"])
	if !okMin {
		p.Fields["minimum_age"] = p.T("directory.age_error")
	}
	if !okMax || okMin && minAge != nil && maxAge != nil && *minAge > *maxAge {
		p.Fields["maximum_age"] = p.T("directory.age_error")
	}
	svc.Name, svc.Description, svc.Status, svc.MinimumAge, svc.MaximumAge = f["name"], f["description"], f["status"], minAge, maxAge
	svc.Match.TraumaInformed, svc.Match.SurvivorSpecific = f["trauma_informed"] != "", f["survivor_specific"] != ""
	svc.Match.LGBTQAffirming, svc.Match.Free = f["lgbtq_affirming"] != "", f["free"] != ""
}

func parseAge(s string) (*float64, bool) {
	if s == "" {
		return nil, true
	}
	v, ok := parseDecimal(s)
	if !ok || v < 0 || v > 130 {
		return nil, false
	}
	return &v, true
}
