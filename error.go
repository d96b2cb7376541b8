// Package mesh holds the vocabulary shared by every MESH package: error codes,
// field errors and the acting user. It imports nothing of the project.
package mesh

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. Each maps to one HTTP status and one CLI exit status in a single place
// (api.statusFor, cmd/mesh), so handlers and stores only pick a code.
const (
	ECONFLICT       = "conflict"
	EINTERNAL       = "internal"
	EINVALID        = "invalid"
	ENOTFOUND       = "not_found"
	EFORBIDDEN      = "forbidden"
	EUNAUTHORIZED   = "unauthorized"
	ETOOLARGE       = "too_large"
	ENOTIMPLEMENTED = "not_implemented"
)

// Error is the project's one error type. Message is safe to show to a user;
// Fields lists every bad input found, each naming the field and the rule.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
}

// FieldError names one bad input: a machine code, a dotted field path and a plain message.
type FieldError struct {
	Code    string `json:"code"`
	Field   string `json:"field"`
	Message string `json:"message"`
	// Rule and Args let the message be said in another language: Message is
	// fmt.Sprintf(Rule, Args...), and the catalogs hold Rule's translations under a
	// key made from it (i18n.RuleKey). Empty when the message has no rule.
	Rule string `json:"-"`
	Args []any  `json:"-"`
}

// Rule returns a field error whose message, text, is also its rule: the catalogs
// may say it in other languages under i18n.RuleKey(text).
func Rule(code, field, text string) FieldError {
	return FieldError{Code: code, Field: field, Message: text, Rule: strings.ReplaceAll(text, "%", "%%")}
}

// RuleError returns a field error whose message is fmt.Sprintf(rule, args...), with
// the rule kept for translation. Put the field itself in args when rule names it.
func RuleError(code, field, rule string, args ...any) FieldError {
	return FieldError{Code: code, Field: field, Message: fmt.Sprintf(rule, args...), Rule: rule, Args: args}
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("mesh error: code=%s message=%s field=%s", e.Code, e.Message, e.Fields[0].Field)
	}
	return fmt.Sprintf("mesh error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error carrying the given field errors.
func Invalid(fields ...FieldError) *Error {
	msg := "invalid input"
	if len(fields) == 1 {
		msg = fields[0].Message
	}
	return &Error{Code: EINVALID, Message: msg, Fields: fields}
}

// ErrorCode returns the code of err, EINTERNAL when err is not an *Error, "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns a message safe to show for err; internal errors are not described.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrorFields returns the field errors carried by err, if any.
func ErrorFields(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
