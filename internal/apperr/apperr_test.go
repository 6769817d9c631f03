package apperr

import (
	"errors"
	"fmt"
	"testing"
)

func TestKindOf(t *testing.T) {
	base := New(NotFound, "no organisation %q", "x")
	wrapped := fmt.Errorf("loading: %w", base)
	for _, tc := range []struct {
		err  error
		want Kind
	}{
		{base, NotFound},
		{wrapped, NotFound},
		{errors.New("plain"), Internal},
		{Wrap(Conflict, errors.New("dup"), "taken"), Conflict},
	} {
		if got := KindOf(tc.err); got != tc.want {
			t.Errorf("KindOf(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
	if Is(nil, Internal) {
		t.Error("Is(nil) reported true")
	}
}

func TestFieldsKeepOrderAndFirstMessage(t *testing.T) {
	var f Fields
	if f.Err() != nil {
		t.Fatal("empty Fields gave an error")
	}
	f.Add("email", "error.email.required")
	f.Check(false, "name", "error.name.required")
	f.Add("email", "second message ignored")
	f.Check(true, "role", "never")
	err := f.Err()
	if KindOf(err) != Invalid {
		t.Fatalf("kind = %v", KindOf(err))
	}
	var e *Error
	errors.As(err, &e)
	if len(e.Order) != 2 || e.Order[0] != "email" || e.Order[1] != "name" {
		t.Errorf("order = %v", e.Order)
	}
	if FieldsOf(err)["email"] != "error.email.required" {
		t.Errorf("email message = %q", FieldsOf(err)["email"])
	}
}
