package web

import (
	"errors"
	"testing"

	"confidant/counselling"
)

func TestShowsForm(t *testing.T) {
	for _, tc := range []struct {
		err  error
		form bool
	}{
		{counselling.FieldError("name", "Please write something first."), true},
		{errTooLarge, true},
		{counselling.Errorf(counselling.EConflict, "This nickname is already taken."), true},
		{counselling.Errorf(counselling.EUnauthorized, "The nickname or password is not right."), true},
		{errTooManyAttempts, true},
		{counselling.Errorf(counselling.EUnavailable, "Busy right now"), true},
		{errNotFound, false},
		{counselling.Errorf(counselling.EForbidden, "Not allowed"), false},
		{errCrossOrigin, false},
		{errors.New("disk full"), false},
		{counselling.Errorf(counselling.EInternal, "Something went wrong"), false},
	} {
		if got := showsForm(tc.err); got != tc.form {
			t.Errorf("showsForm(%v) = %v, want %v", tc.err, got, tc.form)
		}
	}
}
