package screening

import "fmt"

// maxDepth is the deepest JSON nesting Haven accepts in a Questionnaire or
// QuestionnaireResponse: 64 levels of objects and arrays, some thirty
// nested groups or fifteen answers nested under answers, far beyond any
// real instrument. Each level of items is decoded by its own
// UnmarshalJSON, which rescans the bytes below it, so the bound keeps
// decoding linear in the size of the document.
const maxDepth = 64

// checkDepth returns an error when data nests objects and arrays more than
// max levels deep. It scans once, skipping the contents of strings.
func checkDepth(data []byte, max int) error {
	depth, inString, escaped := 0, false, false
	for _, c := range data {
		switch {
		case inString && escaped:
			escaped = false
		case inString:
			escaped, inString = c == '\\', c != '"'
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			if depth++; depth > max {
				return fmt.Errorf("the document nests more than %d levels deep", max)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}
