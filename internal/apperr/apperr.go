// Package apperr holds the domain errors that reach users: a stable code for programs, a message in
// Vietnamese for people (with an English one for developers), and, for refusals by a rule, the id of
// the rule that refused. The GraphQL error presenter maps them to extensions; any other error is
// internal: it is logged and shown only as a generic message.
package apperr

import (
	"errors"
	"fmt"
)

// Code is the stable, machine-readable kind of an error.
type Code string

const (
	Unauthenticated Code = "UNAUTHENTICATED"
	Forbidden       Code = "FORBIDDEN"
	NotFound        Code = "NOT_FOUND"
	InvalidInput    Code = "INVALID_INPUT"
	RuleViolation   Code = "RULE_VIOLATION"
	Conflict        Code = "CONFLICT"
	// InvalidFile: an uploaded or imported file that cannot be read as what it claims to be (truncated,
	// binary, wrong format, over a size limit). Row-level problems are INVALID_INPUT per row.
	InvalidFile Code = "INVALID_FILE"
	// TooManyRequests: the caller already has its share of the server busy (HTTP 429); retry when its
	// earlier requests are done.
	TooManyRequests Code = "TOO_MANY_REQUESTS"
	Internal        Code = "INTERNAL"
)

// Error is a domain error meant to be shown to the caller.
type Error struct {
	Code      Code
	Message   string // Vietnamese, for the end user
	MessageEN string // English, for developers and logs
	Rule      string // id of the rule that refused, for RULE_VIOLATION
	Field     string // input field at fault, for INVALID_INPUT
}

func (e *Error) Error() string {
	if e.MessageEN != "" {
		return fmt.Sprintf("%s: %s", e.Code, e.MessageEN)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// New returns an error with the given code and messages.
func New(code Code, vi, en string) *Error { return &Error{Code: code, Message: vi, MessageEN: en} }

// Invalid reports bad input in one field.
func Invalid(field, vi, en string) *Error {
	return &Error{Code: InvalidInput, Field: field, Message: vi, MessageEN: en}
}

// Rule reports a refusal by the rule with the given id.
func Rule(rule, vi, en string) *Error {
	return &Error{Code: RuleViolation, Rule: rule, Message: vi, MessageEN: en}
}

// NotFoundf reports a missing (or out-of-scope: the two must look the same) entity. A code the caller
// typed (a unit's code, a global ID) is quoted back; an internal numeric id is not: it would tell an
// outsider how records are numbered, and it means nothing to the clerk.
func NotFoundf(entity, id string) *Error {
	if id == "" || isDigits(id) {
		return &Error{Code: NotFound,
			Message:   fmt.Sprintf("Không tìm thấy %s.", entityVI(entity)),
			MessageEN: fmt.Sprintf("%s not found", entity)}
	}
	return &Error{Code: NotFound,
		Message:   fmt.Sprintf("Không tìm thấy %s %q.", entityVI(entity), id),
		MessageEN: fmt.Sprintf("%s %q not found", entity, id)}
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// ConflictStale reports that somebody else changed the data first.
func ConflictStale(vi, en string) *Error { return &Error{Code: Conflict, Message: vi, MessageEN: en} }

// As returns the *Error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// CodeOf returns the code of err, or Internal for errors that are not domain errors.
func CodeOf(err error) Code {
	if e, ok := As(err); ok {
		return e.Code
	}
	return Internal
}

// entityVI names an entity for the user. Every entity NotFoundf is called with has a name here (an
// English noun must never reach a message: TestEntityNamesAreVietnamese).
func entityVI(entity string) string {
	switch entity {
	case "unit":
		return "tổ chức đảng"
	case "village":
		return "thôn, tổ dân phố"
	case "node":
		return "đối tượng"
	case "person":
		return "hồ sơ quần chúng, đảng viên"
	case "case", "candidate":
		return "hồ sơ kết nạp"
	case "course":
		return "lớp bồi dưỡng"
	case "term":
		return "nhiệm kỳ"
	case "target":
		return "chỉ tiêu"
	case "operation":
		return "thao tác"
	}
	return "đối tượng"
}
