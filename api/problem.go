package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/order-saga/shop/domain"
)

// ProblemBase prefixes every problem type URI (RFC 9457 "type").
const ProblemBase = "https://order-saga.example/problems/"

// Problem is an RFC 9457 problem details object, served as application/problem+json.
type Problem struct {
	Type   string              `json:"type"`
	Title  string              `json:"title"`
	Status int                 `json:"status"`
	Detail string              `json:"detail,omitempty"`
	Errors []domain.FieldError `json:"errors,omitempty"`
	// Extensions are extra members, such as the order id of a rejected order.
	Extensions map[string]any `json:"-"`
}

// MarshalJSON writes the extension members beside the standard ones.
func (p Problem) MarshalJSON() ([]byte, error) {
	type plain Problem
	base, err := json.Marshal(plain(p))
	if err != nil || len(p.Extensions) == 0 {
		return base, err
	}
	merged := map[string]any{}
	if err := json.Unmarshal(base, &merged); err != nil {
		return nil, err
	}
	for k, v := range p.Extensions {
		if _, taken := merged[k]; !taken {
			merged[k] = v
		}
	}
	return json.Marshal(merged)
}

// NewProblem builds a problem of a type slug with a status and detail.
func NewProblem(status int, slug, title, detail string) Problem {
	return Problem{Type: ProblemBase + slug, Title: title, Status: status, Detail: detail}
}

// ValidationProblem is the 400 for bad input, listing each bad field up to domain.MaxFieldErrors;
// how many more there were is in the detail and in the member omittedErrors.
func ValidationProblem(invalid *domain.ValidationError) Problem {
	p := NewProblem(http.StatusBadRequest, "validation", "Invalid request", "One or more fields are invalid.")
	p.Errors = invalid.Fields
	omitted := invalid.Omitted
	if len(p.Errors) > domain.MaxFieldErrors { // merged from several checks
		omitted += len(p.Errors) - domain.MaxFieldErrors
		p.Errors = p.Errors[:domain.MaxFieldErrors]
	}
	if omitted > 0 {
		p.Detail = fmt.Sprintf("One or more fields are invalid; %d more errors are not listed.", omitted)
		p.Extensions = map[string]any{"omittedErrors": omitted}
	}
	return p
}

// WriteProblem sends p.
func WriteProblem(w http.ResponseWriter, p Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// WriteError sends the problem an error stands for: bad input 400, not found 404, conflicts 409, an
// unknown product 422; any other error is logged and answered 500 without its text, which may hold
// internals. Each domain refusal has a type of its own (its slug), with the error's fields as
// extension members, so that a client can turn the problem back into the same error.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var (
		invalid *domain.ValidationError
		below   *domain.BelowReservedError
		short   *domain.InsufficientStockError
		unknown *domain.UnknownProductError
	)
	switch {
	case errors.As(err, &invalid):
		WriteProblem(w, ValidationProblem(invalid))
	case errors.Is(err, domain.ErrIdempotencyKeyReused):
		// Names nothing of the first request nor of its order: the key may be someone else's guess.
		WriteProblem(w, NewProblem(http.StatusUnprocessableEntity, "idempotency-key-reused", "Idempotency-Key reused",
			"This Idempotency-Key was already used with a different request. Use a new key for a new request."))
	case errors.As(err, &below):
		p := NewProblem(http.StatusConflict, "below-reserved", "Stock below reserved", below.Error())
		p.Extensions = map[string]any{"productCode": below.ProductCode, "reserved": below.Reserved}
		WriteProblem(w, p)
	case errors.As(err, &short):
		p := NewProblem(http.StatusConflict, "insufficient-stock", "Insufficient stock", short.Error())
		p.Extensions = map[string]any{"productCode": short.ProductCode, "requested": short.Requested, "available": short.Available}
		WriteProblem(w, p)
	case errors.As(err, &unknown):
		// Well-formed, but the catalogue has no such product: no retry of the same request can succeed.
		p := NewProblem(http.StatusUnprocessableEntity, "unknown-product", "Unknown product", unknown.Error())
		p.Extensions = map[string]any{"productCode": unknown.ProductCode}
		WriteProblem(w, p)
	case errors.Is(err, domain.ErrPaymentDeclined):
		WriteProblem(w, NewProblem(http.StatusPaymentRequired, "payment-declined", "Payment declined", err.Error()))
	case errors.Is(err, domain.ErrNotFound):
		WriteProblem(w, NewProblem(http.StatusNotFound, "not-found", "Not found", err.Error()))
	case errors.Is(err, domain.ErrConflict):
		WriteProblem(w, NewProblem(http.StatusConflict, "conflict", "Conflict", err.Error()))
	case errors.Is(err, r.Context().Err()) && r.Context().Err() != nil:
		// The client went away; nobody reads this answer.
		WriteProblem(w, NewProblem(http.StatusServiceUnavailable, "cancelled", "Request cancelled", "The request was cancelled."))
	default:
		log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "error", err)
		WriteProblem(w, NewProblem(http.StatusInternalServerError, "internal", "Internal error",
			"The request could not be completed; it is logged. Retrying later may help."))
	}
}

// WriteJSON sends v as JSON with a status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	writeJSON(w, status, v)
}
