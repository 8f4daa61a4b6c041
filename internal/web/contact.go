package web

import (
	"net/http"
	"strings"

	"github.com/haven-care/haven"
)

// contactSection is the record's contact history: the form that records
// a contact (under the safe-contact plan shown first on the page) and the
// contacts made, newest first.
type contactSection struct {
	Rows []contactRow
	// Outcomes are the form's choices; Outcome and Note what the user
	// typed, shown again with Fields' problems when the store refused them.
	Outcomes []Option
	Note     string
	Error    string
	Fields   map[string]string
}

// contactRow is one contact made: when, who, how, what came of it.
type contactRow struct {
	When, Who, Channel, Outcome string
	Voicemail                   bool
	Note                        []string
}

// loadContacts fills the contact history of p's record (an audited read).
func (h *Handler) loadContacts(r *http.Request, p *survivorPage) error {
	list, err := h.cfg.Survivors.Contacts(r.Context(), p.S.ID)
	if err != nil {
		return err
	}
	for _, c := range list {
		p.Contacts.Rows = append(p.Contacts.Rows, contactRow{When: p.When(c.MadeAt), Who: c.UserName,
			Channel: p.T("channel." + string(c.Channel)), Outcome: p.T("contact.outcome." + string(c.Outcome)),
			Voicemail: c.Voicemail, Note: lines(c.Note)})
	}
	p.Contacts.setOutcomes(p, "")
	return nil
}

// setOutcomes lists the outcomes for the form, with chosen checked.
func (s *contactSection) setOutcomes(p *survivorPage, chosen haven.ContactOutcome) {
	s.Outcomes = s.Outcomes[:0]
	for _, o := range haven.ContactOutcomes {
		s.Outcomes = append(s.Outcomes, Option{Value: string(o), Label: p.T("contact.outcome." + string(o)), Selected: o == chosen})
	}
}

// contactInvalid shows the record again with the contact form's problems
// beside their fields and what the user typed.
func (h *Handler) contactInvalid(w http.ResponseWriter, r *http.Request, c haven.NewContact, err error) error {
	p, perr := h.survivorPage(r)
	if perr != nil {
		return perr
	}
	p.Contacts.setOutcomes(p, c.Outcome)
	p.Contacts.Note, p.Contacts.Fields = c.Note, map[string]string{}
	for field := range haven.ErrorFields(err) {
		p.Contacts.Fields[field] = p.T("contact.err." + field)
	}
	p.Contacts.Error = p.T("form.correct_fields")
	return h.render(w, http.StatusBadRequest, "survivor", p)
}

// contactForm reads the contact form.
func contactForm(r *http.Request) haven.NewContact {
	return haven.NewContact{Channel: haven.ContactChannel(r.PostFormValue("channel")), Voicemail: r.PostFormValue("voicemail") == "1",
		Outcome: haven.ContactOutcome(r.PostFormValue("outcome")), Note: strings.TrimSpace(r.PostFormValue("note"))}
}
