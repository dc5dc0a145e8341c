package graph

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
)

// ErrorPresenter maps errors to GraphQL errors with a stable extensions.code. Domain errors show their
// Vietnamese message (and the English one, the rule and the field in extensions); errors of the
// GraphQL layer itself (parse, validation) are INVALID_INPUT; anything else is INTERNAL: logged with
// the request id, shown only as a generic message.
//
// Outside dev mode the validator's hints ("Did you mean …?") are cut from every message: they would
// spell out the schema's field, argument, type and enum names to anyone who guesses near one.
func ErrorPresenter(log *slog.Logger, dev bool) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		if e, ok := apperr.As(err); ok {
			reason, _ := gqlErr.Extensions["code"].(string) // set by a limit (COST_LIMIT, DEPTH_LIMIT)
			gqlErr.Message = e.Message
			ext := map[string]any{"code": string(e.Code)}
			if reason != "" && reason != string(e.Code) {
				ext["reason"] = reason
			}
			if e.MessageEN != "" {
				ext["messageEn"] = e.MessageEN
			}
			if e.Rule != "" {
				ext["rule"] = e.Rule
			}
			if e.Field != "" {
				ext["field"] = e.Field
			}
			gqlErr.Extensions = ext
			return gqlErr
		}
		var ge *gqlerror.Error
		if errors.As(err, &ge) && ge.Unwrap() == nil {
			// Raised by the GraphQL layer itself: the request was malformed.
			reason, _ := ge.Extensions["code"].(string)
			if !dev {
				gqlErr.Message = withoutHints(gqlErr.Message)
			}
			gqlErr.Extensions = map[string]any{"code": string(apperr.InvalidInput)}
			if reason != "" {
				gqlErr.Extensions["reason"] = reason
			}
			return gqlErr
		}
		reqID := ""
		if a, aerr := auth.FromContext(ctx); aerr == nil {
			reqID = a.RequestID
		}
		log.ErrorContext(ctx, "internal error", "err", err, "request_id", reqID, "path", gqlErr.Path.String())
		gqlErr.Message = "Lỗi hệ thống, vui lòng thử lại sau (mã yêu cầu " + reqID + ")."
		gqlErr.Extensions = map[string]any{"code": string(apperr.Internal), "requestId": reqID}
		return gqlErr
	}
}

// hint matches the validator's suggestions: "Cannot query field "viewr" on type "Query". Did you mean
// "viewer"?", "…; Did you mean the enum value "CELL"?", "Did you mean to use an inline fragment on …?".
var hint = regexp.MustCompile(`(?s)[.;,]?\s*Did you mean\b.*$`)

// withoutHints removes the suggestions from a validation message and ends it with a full stop.
func withoutHints(msg string) string {
	out := hint.ReplaceAllString(msg, "")
	if out != msg && !strings.HasSuffix(out, ".") {
		out += "."
	}
	return out
}
