// Package counselling holds Confidant's domain: the types a counselling office is
// made of, the rules that decide who may do what and when data expires, and the
// error type every layer speaks. It knows nothing of HTTP, HTML or SQL; the store
// persists what it defines and the web package translates requests into its calls.
package counselling

import (
	"errors"
	"fmt"
)

// Code classifies an error for users and for the web layer's status map.
type Code string

// Error codes.
const (
	EInvalid      Code = "invalid"      // the input broke a rule; Message says which
	ENotFound     Code = "not_found"    // does not exist, or the caller may not see it
	EConflict     Code = "conflict"     // taken, or changed by someone else first
	EUnauthorized Code = "unauthorized" // not logged in, or credentials wrong
	EForbidden    Code = "forbidden"    // logged in, but not allowed
	ETooMany      Code = "too_many"     // slowed down; try again later
	ETooLarge     Code = "too_large"    // the request body was larger than allowed
	EUnavailable  Code = "unavailable"  // busy; try again shortly
	EInternal     Code = "internal"     // a fault of ours; users see a generic text
)

// Error is an error with a code and a message that is safe to show to the user.
// The wrapped Err carries the internal cause for logs; it never holds personal data.
type Error struct {
	Code    Code
	Message string
	// Fields maps form field names to what is wrong with each, for forms.
	Fields map[string]string
	Err    error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error with a user-safe message. The message is a
// catalogue id, translated when it is shown, so it takes no arguments: a
// message built at run time would have no translation.
func Errorf(code Code, message string) *Error {
	return &Error{Code: code, Message: message}
}

// FieldError returns an EInvalid error about one form field.
func FieldError(field, message string) *Error {
	return &Error{Code: EInvalid, Message: message, Fields: map[string]string{field: message}}
}

// ErrorCode returns the code of err, EInternal for errors that are not *Error.
func ErrorCode(err error) Code {
	var e *Error
	if err == nil {
		return ""
	}
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-safe message of err.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EInternal {
		return e.Message
	}
	return "Something went wrong on our side. Please try again in a moment."
}

// ErrorFields returns the per-field messages of err, if any.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// Problems collects field errors while validating a form.
type Problems map[string]string

// Add records message for field unless the field already has one.
func (p Problems) Add(field, message string) {
	if _, ok := p[field]; !ok {
		p[field] = message
	}
}

// Err returns nil when there are no problems, otherwise an EInvalid error.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	return &Error{Code: EInvalid, Message: "Please correct the marked fields.", Fields: p}
}
