package graph

import (
	"context"
	"errors"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
)

// ErrorPresenter maps errors to GraphQL errors with a stable extensions.code. Domain errors show their
// Vietnamese message (and the English one, the rule and the field in extensions); errors of the
// GraphQL layer itself (parse, validation) are INVALID_INPUT; anything else is INTERNAL: logged with
// the request id, shown only as a generic message.
func ErrorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		if e, ok := apperr.As(err); ok {
			gqlErr.Message = e.Message
			ext := map[string]any{"code": string(e.Code)}
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
