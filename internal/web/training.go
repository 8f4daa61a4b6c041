package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
	"github.com/haven-care/haven/internal/training"
)

func init() {
	pageNames = append(pageNames, "training", "trainingmodule", "trainingattempt", "trainingcertificate",
		"trainingcompliance", "trainingadmin", "trainingrequired")
}

// mountTraining mounts the training pages: modules and their quizzes,
// certificates, the user's licence and external trainings, the
// supervisors' compliance view and the administrators' settings.
func (h *Handler) mountTraining(s *server.Server) {
	s.HandleFunc("GET /training", h.authed(h.trainingHome))
	s.HandleFunc("GET /training/modules/{id}", h.authed(h.trainingModule))
	s.HandleFunc("POST /training/modules/{id}", h.authed(h.trainingSubmit))
	s.HandleFunc("GET /training/attempts/{id}", h.authed(h.trainingAttempt))
	s.HandleFunc("GET /training/certificates/{id}", h.authed(h.trainingCertificate))
	s.HandleFunc("POST /training/licence", h.authed(h.trainingLicence))
	s.HandleFunc("POST /training/external", h.authed(h.trainingExternal))
	s.HandleFunc("GET /training/external/{id}/certificate", h.authed(h.trainingExternalFile))
	s.HandleFunc("GET /training/compliance", h.authed(h.trainingCompliance))
	s.HandleFunc("GET /admin/training", h.authed(h.trainingAdmin))
	s.HandleFunc("POST /admin/training", h.authed(h.trainingAdminSave))
	s.HandleFunc("POST /admin/training/licence", h.authed(h.trainingAdminLicence))
}

// complianceView is a compliance as the pages show it.
type complianceView struct {
	UserID, Name, Licence, Status, StatusKey, Reason, Hours, DueBy, Citation, SourceURL, Summary string
	Attention                                                                                    bool
}

func (p *Page) complianceView(c haven.Compliance) complianceView {
	v := complianceView{UserID: c.UserID, Name: c.UserName, Status: p.T("training.status_" + c.Status), StatusKey: c.Status,
		Reason: p.T("training.reason_" + c.Reason), DueBy: c.DueBy,
		Attention: c.Status == haven.ComplianceDueSoon || c.Status == haven.ComplianceOverdue}
	if l := c.Licence; l != nil {
		v.Licence = l.Jurisdiction + " · " + p.licenceLabel(l.LicenceType) + " · " + fmt.Sprintf(p.T("training.renews"), l.RenewalOn)
	}
	if r, ok := training.Rules().Rule(c.RuleID); ok {
		v.Citation, v.SourceURL, v.Summary = r.Citation, r.SourceURL, r.Summary
		if r.Hours > 0 {
			v.Hours = fmt.Sprintf(p.T("training.hours_of"), formatHours(c.HoursDone), formatHours(r.Hours))
		} else {
			v.Hours = fmt.Sprintf(p.T("training.hours_done"), formatHours(c.HoursDone))
		}
	}
	return v
}

func (p *Page) licenceLabel(id string) string {
	for _, t := range training.Rules().LicenceTypes {
		if t.ID == id {
			return p.T("licence." + t.ID)
		}
	}
	return id
}

func formatHours(h float64) string { return strconv.FormatFloat(h, 'f', -1, 64) }

type moduleRow struct {
	ID, Title, Summary, Hours, Passed string
	// Lang is the language of the title and summary when it is not the
	// page's (a language the modules are not translated into), else "".
	Lang     string
	Required bool
}

// fallbackLang is the language of a module's text on a page of language
// lang: "" when it is lang, else the language it falls back to.
func fallbackLang(lang, textLang string) string {
	if textLang == lang {
		return ""
	}
	return textLang
}

type externalRow struct {
	ID, Provider, Title, Hours, On string
	Approved, HasFile              bool
}

type trainingPage struct {
	Page
	Compliance           complianceView
	Modules              []moduleRow
	Missing              []moduleRow
	Licence              haven.Licence
	LicenceTypes         []Option
	Jurisdictions        string
	External             []externalRow
	Fields               map[string]string
	Ext                  haven.ExternalTraining
	CanSeeStaff, IsAdmin bool
	Caution, CheckedOn   string
}

func (h *Handler) trainingHome(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateTraining); err != nil {
		return err
	}
	p, err := h.trainingPage(r)
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("saved") {
	case "licence":
		p.Notice = p.T("training.licence_saved")
	case "external":
		p.Notice = p.T("training.external_saved")
	}
	return h.render(w, http.StatusOK, "training", p)
}

// trainingPage reads the signed-in user's training into a page.
func (h *Handler) trainingPage(r *http.Request) (*trainingPage, error) {
	ctx := r.Context()
	p := &trainingPage{Page: h.page(r, "training.title"), Fields: map[string]string{}}
	c, err := h.cfg.Training.MyCompliance(ctx)
	if err != nil {
		return nil, err
	}
	p.Compliance = p.complianceView(c)
	if c.Licence != nil {
		p.Licence = *c.Licence
	}
	done, err := h.cfg.Training.TrainingCompletions(ctx)
	if err != nil {
		return nil, err
	}
	missing, err := h.cfg.Training.ScreeningTrainingMissing(ctx)
	if err != nil {
		return nil, err
	}
	ms, textLang := training.ModulesIn(p.Lang)
	for _, m := range ms {
		row := moduleRow{ID: m.ID, Title: m.Title, Summary: m.Summary, Hours: formatHours(m.CEHours), Required: m.RequiredForScreening,
			Lang: fallbackLang(p.Lang, textLang)}
		for _, d := range done {
			if d.ModuleID == m.ID && d.Passed {
				row.Passed = d.CompletedAt.In(p.zoneOrUTC()).Format(time.DateOnly)
				break
			}
		}
		p.Modules = append(p.Modules, row)
		for _, id := range missing {
			if id == m.ID {
				p.Missing = append(p.Missing, row)
			}
		}
	}
	for _, t := range training.Rules().LicenceTypes {
		p.LicenceTypes = append(p.LicenceTypes, Option{Value: t.ID, Label: p.T("licence." + t.ID), Selected: t.ID == p.Licence.LicenceType})
	}
	p.Jurisdictions = strings.Join(training.Rules().Codes(), ", ")
	p.Caution, p.CheckedOn = training.Rules().Caution, training.Rules().CheckedOn
	ext, err := h.cfg.Training.ExternalTrainings(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range ext {
		p.External = append(p.External, externalRow{ID: e.ID, Provider: e.Provider, Title: e.Title, Hours: formatHours(e.Hours),
			On: e.CompletedOn, Approved: e.Approved, HasFile: e.CertificateType != ""})
	}
	role := p.User.Role
	p.CanSeeStaff = role == haven.RoleSupervisor || role == haven.RoleAdmin
	p.IsAdmin = gateTrainingPolicy.allows(role)
	return p, nil
}

type trainingModulePage struct {
	Page
	M haven.TrainingModule
	// TextLang is the language of the module's text when the modules are
	// not translated into the page's language (then English), else "".
	TextLang string
}

func (h *Handler) trainingModule(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateTraining); err != nil {
		return err
	}
	p, ok := newTrainingModulePage(h.page(r, "training.module_title"), r.PathValue("id"))
	if !ok {
		return errNotFound
	}
	return h.render(w, http.StatusOK, "trainingmodule", p)
}

// newTrainingModulePage is module id's page with its text in the page's
// language, or in English when the modules are not translated into it.
func newTrainingModulePage(pg Page, id string) (*trainingModulePage, bool) {
	m, textLang, ok := training.ModuleIn(id, pg.Lang)
	if !ok {
		return nil, false
	}
	return &trainingModulePage{Page: pg, M: m, TextLang: fallbackLang(pg.Lang, textLang)}, true
}

// trainingSubmit scores the quiz and shows the attempt.
func (h *Handler) trainingSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateTraining); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.Invalid, "The form could not be read.")
	}
	// The quiz is graded against the module itself, whatever the language
	// of the page it was answered on: the answers are option indices and
	// every translation has the same questions, options and answers.
	m, ok := training.Module(r.PathValue("id"))
	if !ok {
		return errNotFound
	}
	answers := map[string]int{}
	for _, q := range m.Questions {
		if v := r.PostForm.Get("q-" + q.ID); v != "" {
			a, err := strconv.Atoi(v)
			if err != nil {
				return haven.Errorf(haven.Invalid, "An answer is not one of the options.")
			}
			answers[q.ID] = a
		}
	}
	c, err := h.cfg.Training.SubmitQuiz(r.Context(), m.ID, answers)
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/training/attempts/"+c.ID, http.StatusSeeOther)
	return nil
}

type trainingAttemptPage struct {
	Page
	C        *haven.TrainingCompletion
	M        haven.TrainingModule
	TextLang string
	Score    string
	Needed   string
}

func (h *Handler) trainingAttempt(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateTraining); err != nil {
		return err
	}
	c, err := h.cfg.Training.TrainingCompletion(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	p := trainingAttemptPage{Page: h.page(r, "training.attempt_title"), C: c}
	m, textLang, _ := training.ModuleIn(c.ModuleID, p.Lang)
	p.M, p.TextLang = m, fallbackLang(p.Lang, textLang)
	p.Score = fmt.Sprintf(p.T("training.score"), c.Correct, c.Total)
	p.Needed = fmt.Sprintf(p.T("training.pass_mark"), m.PassPercent)
	return h.render(w, http.StatusOK, "trainingattempt", &p)
}

type trainingCertificatePage struct {
	Page
	C          *haven.TrainingCompletion
	M          haven.TrainingModule
	TextLang   string
	Name, Date string
	Hours      string
}

// trainingCertificate is the printable certificate of a passed attempt:
// an HTML page that the browser prints or saves as PDF (no PDF library in
// the binary; the print style drops the navigation and forms).
func (h *Handler) trainingCertificate(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateTraining); err != nil {
		return err
	}
	c, err := h.cfg.Training.TrainingCompletion(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if !c.Passed {
		return errNotFound
	}
	p := trainingCertificatePage{Page: h.page(r, "training.certificate_title"), C: c, Hours: formatHours(c.CEHours)}
	m, textLang, _ := training.ModuleIn(c.ModuleID, p.Lang)
	p.M, p.TextLang = m, fallbackLang(p.Lang, textLang)
	p.Name = p.User.DisplayName
	if p.Name == "" {
		p.Name = p.User.Username
	}
	p.Date = c.CompletedAt.In(p.zoneOrUTC()).Format(time.DateOnly)
	return h.render(w, http.StatusOK, "trainingcertificate", &p)
}

// trainingLicence saves the user's own licence.
func (h *Handler) trainingLicence(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateTraining); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.Invalid, "The form could not be read.")
	}
	l := haven.Licence{Jurisdiction: r.PostForm.Get("jurisdiction"), LicenceType: r.PostForm.Get("licence_type"),
		RenewalOn: r.PostForm.Get("renewal_on")}
	if err := h.cfg.Training.SetLicence(r.Context(), l); len(haven.ErrorFields(err)) > 0 {
		p, perr := h.trainingPage(r)
		if perr != nil {
			return perr
		}
		p.Licence = l
		for k := range haven.ErrorFields(err) {
			p.Fields[k] = p.T("training.invalid_" + k)
		}
		return h.render(w, http.StatusBadRequest, "training", p)
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/training?saved=licence", http.StatusSeeOther)
	return nil
}

// trainingExternal records an external training with its certificate.
func (h *Handler) trainingExternal(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateTraining); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, haven.CertificateMaxBytes+64<<10)
	fields := map[string]string{}
	if err := r.ParseMultipartForm(haven.CertificateMaxBytes + 64<<10); err != nil {
		var tooBig *http.MaxBytesError
		if !errors.As(err, &tooBig) {
			return haven.Errorf(haven.Invalid, "The form could not be read.")
		}
		fields["certificate"] = "too_large"
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	hours, _ := strconv.ParseFloat(r.FormValue("hours"), 64)
	t := haven.ExternalTraining{Provider: r.FormValue("provider"), Title: r.FormValue("title"), Hours: hours,
		CompletedOn: r.FormValue("completed_on"), Approved: r.FormValue("approved") == "1"}
	var file []byte
	if len(fields) == 0 {
		if f, _, err := r.FormFile("certificate"); err == nil {
			file, err = io.ReadAll(io.LimitReader(f, haven.CertificateMaxBytes+1))
			f.Close()
			if err != nil {
				return haven.Errorf(haven.Invalid, "The file could not be read.")
			}
		}
		if _, err := h.cfg.Training.AddExternalTraining(r.Context(), t, file); len(haven.ErrorFields(err)) > 0 {
			for k := range haven.ErrorFields(err) {
				fields[k] = k
			}
		} else if err != nil {
			return err
		}
	}
	if len(fields) > 0 {
		p, err := h.trainingPage(r)
		if err != nil {
			return err
		}
		p.Ext = t
		for k := range fields {
			p.Fields["ext_"+k] = p.T("training.invalid_" + k)
		}
		return h.render(w, http.StatusBadRequest, "training", p)
	}
	http.Redirect(w, r, "/training?saved=external", http.StatusSeeOther)
	return nil
}

// trainingExternalFile sends the owner their certificate file, as a
// download that the browser never renders in Haven's origin.
func (h *Handler) trainingExternalFile(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateTraining); err != nil {
		return err
	}
	file, ct, err := h.cfg.Training.ExternalCertificate(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	ext := map[string]string{"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}[ct]
	hd := w.Header()
	hd.Set("Content-Type", ct)
	hd.Set("Content-Disposition", `attachment; filename="certificate`+ext+`"`)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	_, err = w.Write(file)
	return err
}

type trainingCompliancePage struct {
	Page
	Rows      []complianceView
	Attention int
}

// trainingCompliance is the supervisors' view of their teams' staff (an
// administrator's of everyone); the store refuses other roles.
func (h *Handler) trainingCompliance(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateTraining); err != nil {
		return err
	}
	list, err := h.cfg.Training.StaffCompliance(r.Context())
	if err != nil {
		return err
	}
	p := trainingCompliancePage{Page: h.page(r, "training.compliance_title")}
	for _, c := range list {
		v := p.complianceView(c)
		if v.Attention {
			p.Attention++
		}
		p.Rows = append(p.Rows, v)
	}
	return h.render(w, http.StatusOK, "trainingcompliance", &p)
}

type trainingAdminPage struct {
	Page
	Policy       haven.TrainingPolicy
	Users        []Option
	LicenceTypes []Option
	Fields       map[string]string
}

func (h *Handler) trainingAdmin(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateTrainingPolicy); err != nil {
		return err
	}
	p, err := h.trainingAdminPage(r)
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("saved") {
	case "policy":
		p.Notice = p.T("training.policy_saved")
	case "licence":
		p.Notice = p.T("training.licence_saved")
	}
	return h.render(w, http.StatusOK, "trainingadmin", p)
}

func (h *Handler) trainingAdminPage(r *http.Request) (*trainingAdminPage, error) {
	pol, err := h.cfg.Training.TrainingPolicy(r.Context())
	if err != nil {
		return nil, err
	}
	staff, err := h.cfg.Training.StaffCompliance(r.Context())
	if err != nil {
		return nil, err
	}
	p := &trainingAdminPage{Page: h.page(r, "training.admin_title"), Policy: pol, Fields: map[string]string{}}
	for _, s := range staff {
		p.Users = append(p.Users, Option{Value: s.UserID, Label: s.UserName})
	}
	for _, t := range training.Rules().LicenceTypes {
		p.LicenceTypes = append(p.LicenceTypes, Option{Value: t.ID, Label: p.T("licence." + t.ID)})
	}
	return p, nil
}

func (h *Handler) trainingAdminSave(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateTrainingPolicy); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.Invalid, "The form could not be read.")
	}
	pol := haven.TrainingPolicy{ScreeningRequiresTraining: r.PostForm.Get("screening") == "1", ModulesApproved: r.PostForm.Get("approved") == "1"}
	if err := h.cfg.Training.SetTrainingPolicy(r.Context(), pol); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/training?saved=policy", http.StatusSeeOther)
	return nil
}

// trainingAdminLicence sets another user's licence.
func (h *Handler) trainingAdminLicence(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateTrainingPolicy); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.Invalid, "The form could not be read.")
	}
	l := haven.Licence{UserID: r.PostForm.Get("user_id"), Jurisdiction: r.PostForm.Get("jurisdiction"),
		LicenceType: r.PostForm.Get("licence_type"), RenewalOn: r.PostForm.Get("renewal_on")}
	if l.UserID == "" {
		return haven.Errorf(haven.Invalid, "Choose a user.")
	}
	if err := h.cfg.Training.SetLicence(r.Context(), l); len(haven.ErrorFields(err)) > 0 {
		p, perr := h.trainingAdminPage(r)
		if perr != nil {
			return perr
		}
		for k := range haven.ErrorFields(err) {
			p.Fields[k] = p.T("training.invalid_" + k)
		}
		return h.render(w, http.StatusBadRequest, "trainingadmin", p)
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/training?saved=licence", http.StatusSeeOther)
	return nil
}

type trainingRequiredPage struct {
	Page
	SurvivorID string
	Missing    []moduleRow
}

// refuseUntrained refuses the screening pages, with the reason, to a user
// whom the training policy requires to pass modules first.
func (h *Handler) refuseUntrained(w http.ResponseWriter, r *http.Request, survivorID string) (bool, error) {
	if h.cfg.Training == nil {
		return false, nil
	}
	missing, err := h.cfg.Training.ScreeningTrainingMissing(r.Context())
	if err != nil || len(missing) == 0 {
		return err != nil, err
	}
	p := trainingRequiredPage{Page: h.page(r, "training.required_title"), SurvivorID: survivorID}
	for _, id := range missing {
		m, textLang, _ := training.ModuleIn(id, p.Lang)
		p.Missing = append(p.Missing, moduleRow{ID: m.ID, Title: m.Title, Lang: fallbackLang(p.Lang, textLang)})
	}
	return true, h.render(w, http.StatusForbidden, "trainingrequired", &p)
}
