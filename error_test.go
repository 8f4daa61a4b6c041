package haven

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorKindAndMessage(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantKind Kind
		wantMsg  string
	}{
		{"nil", nil, "", "Internal error."},
		{"plain", errors.New("disk on fire"), Internal, "Internal error."},
		{"haven", Errorf(NotFound, "Survivor not found."), NotFound, "Survivor not found."},
		{"wrapped", fmt.Errorf("load: %w", Errorf(Conflict, "Already exists.")), Conflict, "Already exists."},
		{"internal hides message", &Error{Kind: Internal, Message: "secret detail"}, Internal, "Internal error."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorKind(tt.err); got != tt.wantKind {
				t.Errorf("ErrorKind=%q, want %q", got, tt.wantKind)
			}
			if tt.err == nil {
				return
			}
			if got := ErrorMessage(tt.err); got != tt.wantMsg {
				t.Errorf("ErrorMessage=%q, want %q", got, tt.wantMsg)
			}
		})
	}
}

func TestFieldError(t *testing.T) {
	err := fmt.Errorf("save: %w", FieldError("addr", "must be host:port"))
	if got := ErrorKind(err); got != Invalid {
		t.Errorf("Kind=%v, want %v", got, Invalid)
	}
	if got := ErrorFields(err)["addr"]; got != "must be host:port" {
		t.Errorf("Fields[addr]=%q", got)
	}
}
