package screening

import (
	"fmt"
	"strings"

	"github.com/haven-care/haven"
)

// Problem is one reason an instrument or a response is refused: the item's
// linkId (empty for the resource itself) and what is wrong with it.
type Problem struct {
	LinkID string `json:"link_id,omitempty"`
	// Path is the element of the resource itself that is wrong (status,
	// authored), as a FHIRPath below the resource, when LinkID is empty.
	Path   string `json:"path,omitempty"`
	Reason string `json:"reason"`
}

// FHIRPath is where the problem is, as a FHIRPath expression on a
// resource of resourceType (Questionnaire or QuestionnaireResponse): the
// element, the item by its linkId at any depth, or the resource.
func (p Problem) FHIRPath(resourceType string) string {
	switch {
	case p.LinkID != "":
		children := "item"
		if resourceType == "QuestionnaireResponse" {
			children = "item | answer.item"
		}
		return resourceType + ".repeat(" + children + ").where(linkId = '" + fhirPathString(p.LinkID) + "')"
	case p.Path != "":
		return resourceType + "." + p.Path
	}
	return resourceType
}

// fhirPathString escapes s for a single-quoted FHIRPath string literal.
func fhirPathString(s string) string {
	return strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s)
}

// String formats the problem as "item LINKID: REASON".
func (p Problem) String() string {
	if p.LinkID == "" && p.Path != "" {
		return p.Path + ": " + p.Reason
	}
	if p.LinkID == "" {
		return p.Reason
	}
	return fmt.Sprintf("item %q: %s", p.LinkID, p.Reason)
}

// Problems is every problem found in one document. It is the Err of the
// haven.Error that ParseQuestionnaire and Validate return, so callers can
// list them with errors.As.
type Problems []Problem

// Error implements error, one problem per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// add appends a problem with a formatted reason.
func (ps *Problems) add(linkID, format string, args ...any) {
	*ps = append(*ps, Problem{LinkID: linkID, Reason: fmt.Sprintf(format, args...)})
}

// addAt appends a problem with the resource's own element at path.
func (ps *Problems) addAt(path, format string, args ...any) {
	*ps = append(*ps, Problem{Path: path, Reason: fmt.Sprintf(format, args...)})
}

// maxListed is how many problems the error message lists; Problems and
// Fields keep them all.
const maxListed = 20

// asError wraps the problems in an Invalid haven.Error whose message lists
// the first maxListed (they name items, never answers, so they are safe to
// show) and whose Fields map each linkId to its reasons. It runs in time
// linear in the problems, however many share a linkId.
func (ps Problems) asError(what string) error {
	reasons := map[string][]string{}
	for _, p := range ps {
		key := p.LinkID
		if key == "" {
			key = what
		}
		reasons[key] = append(reasons[key], p.Reason)
	}
	f := make(map[string]string, len(reasons))
	for key, rs := range reasons {
		f[key] = strings.Join(rs, "; ")
	}
	listed := ps[:min(len(ps), maxListed)]
	msg := fmt.Sprintf("The %s was refused (%d problem(s)):\n%s", what, len(ps), listed.Error())
	if len(ps) > maxListed {
		msg += fmt.Sprintf("\n… and %d more.", len(ps)-maxListed)
	}
	return &haven.Error{Kind: haven.Invalid, Message: msg, Fields: f, Err: ps}
}
