// Package haven holds Haven's domain: the types, rules and service
// interfaces that every adapter (storage, HTTP, CLI) builds on. It imports
// only the standard library.
package haven

import (
	"errors"
	"fmt"
)

// Kind classifies an error so that each surface (HTML, JSON, FHIR, CLI) can
// map it to a response in one place without inspecting message text.
type Kind string

// The error kinds. A record the actor may not see is reported as NotFound so
// that its existence does not leak.
const (
	Invalid         Kind = "invalid"
	NotFound        Kind = "not_found"
	Conflict        Kind = "conflict"
	Unauthenticated Kind = "unauthenticated"
	Forbidden       Kind = "forbidden"
	Unavailable     Kind = "unavailable"
	Internal        Kind = "internal"
)

// Error is Haven's one error type. Message and Fields are safe to show to
// the user; Err carries the underlying cause for logs and is never shown.
type Error struct {
	Kind    Kind
	Message string
	// Fields maps an input field name to what is wrong with it, for forms
	// that show validation messages beside their fields.
	Fields map[string]string
	Err    error
}

// Error implements error.
func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = string(e.Kind)
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error of the given kind with a formatted, user-safe message.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an Invalid error naming one field.
func FieldError(field, problem string) *Error {
	return &Error{Kind: Invalid, Message: "Please correct the highlighted field.", Fields: map[string]string{field: problem}}
}

// ErrorKind returns the kind of the first *Error in err's chain, or Internal
// for any other non-nil error.
func ErrorKind(err error) Kind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// ErrorMessage returns the user-safe message of err: the message of the
// first *Error in its chain, or "Internal error." for anything else.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Kind != Internal && e.Message != "" {
		return e.Message
	}
	return "Internal error."
}

// ErrorFields returns the per-field problems of err, if any.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
