package bot

import (
	"errors"
	"fmt"
)

// Error codes of application errors.
const (
	// EInvalid is input the user can correct: a malformed command, a bad
	// answer.
	EInvalid = "invalid"
	// EUnavailable is a temporary failure the user may retry.
	EUnavailable = "unavailable"
)

// Error is an application error whose Message is safe to show the user.
// Any other error is internal: it is logged and the user sees a generic
// apology.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorMessage returns the user-facing message of err: its own for an
// *Error, a generic apology otherwise.
func ErrorMessage(err error) string {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Message
	}
	return "Sorry, something went wrong on my side. Please try again in a moment."
}

// Rejected reports whether err is the user's doing (an *Error of code
// EInvalid: a bad command or answer), which logs and metrics count as
// "rejected". Any other error, an EUnavailable one included (a store that
// could not save), is a fault of the bot's: "error", logged with its cause.
func Rejected(err error) bool {
	e, ok := errors.AsType[*Error](err)
	return ok && e.Code == EInvalid
}
