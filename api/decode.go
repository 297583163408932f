package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/order-saga/shop/domain"
)

// MaxBodyBytes bounds a request body.
const MaxBodyBytes = 1 << 20

// maxEchoedFieldLen bounds an unknown field's name quoted back in a problem.
const maxEchoedFieldLen = 64

// DecodeJSON reads a request body into dst strictly: one JSON object, no unknown fields, no wrong
// types, at most MaxBodyBytes. Every failure is a *domain.ValidationError naming the field.
func DecodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	body := http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = errors.New("trailing data")
		}
	}
	if err == nil {
		return nil
	}
	var (
		v        domain.ValidationError
		syntax   *json.SyntaxError
		typeErr  *json.UnmarshalTypeError
		tooLarge *http.MaxBytesError
		fieldErr *FieldTypeError
	)
	switch {
	case errors.As(err, &tooLarge):
		v.Add("body", "must be at most %d bytes", MaxBodyBytes)
	case errors.Is(err, io.EOF):
		v.Add("body", "must be a JSON object")
	case errors.As(err, &syntax):
		v.Add("body", "malformed JSON at byte %d", syntax.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		v.Add("body", "malformed JSON: unexpected end")
	case errors.As(err, &fieldErr):
		v.Add(fieldErr.Field, "%s", fieldErr.Msg)
	case errors.As(err, &typeErr):
		field := typeErr.Field
		switch {
		case field == "":
			v.Add("body", "must be a JSON object")
		case typeErr.Value == numberTooLong:
			v.Add(field, "must be a number of at most %d characters", MaxNumberLen)
		case typeErr.Value == tooManyLines:
			v.Add(field, "must list at most %d products", domain.MaxOrderLines)
		default:
			v.Add(field, "must be %s", jsonKind(typeErr.Type.Kind().String()))
		}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		if len(name) > maxEchoedFieldLen { // not worth quoting back
			v.Add("body", "has an unknown field")
		} else {
			v.Add(name, "is not a known field")
		}
	default:
		v.Add("body", "%s", err.Error())
	}
	return &v
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	case "bool":
		return "a boolean"
	default:
		return "a number"
	}
}

// FieldTypeError is a type error raised by a custom field decoder that knows its field.
type FieldTypeError struct {
	Field, Msg string
}

func (e *FieldTypeError) Error() string { return e.Field + ": " + e.Msg }

// Number is a JSON number kept as its literal text, so that money is never parsed through a float
// and a quoted "12" is refused as the wrong type.
type Number string

// MaxNumberLen bounds the literal of a Number: a 1 MB number is refused, not kept and quoted back.
const MaxNumberLen = domain.MaxDecimalLen

// numberTooLong marks the type error of an over-long number, for DecodeJSON to say so.
const numberTooLong = "number too long"

// UnmarshalJSON accepts only a number token of at most MaxNumberLen characters.
func (n *Number) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || !(b[0] == '-' || (b[0] >= '0' && b[0] <= '9')) {
		return &json.UnmarshalTypeError{Value: "not a number", Type: numberType}
	}
	if len(b) > MaxNumberLen {
		return &json.UnmarshalTypeError{Value: numberTooLong, Type: numberType}
	}
	*n = Number(b)
	return nil
}

// Int64 reads the number as a whole number, refusing fractions and exponents.
func (n Number) Int64() (int64, error) {
	v, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("must be a whole number")
	}
	return v, nil
}

var numberType = reflect.TypeFor[float64]()
