package api

import (
	"bytes"
	"encoding/json"
	"reflect"

	"github.com/order-saga/shop/domain"
)

// LineJSON is one order line as a client sends it (an order's item, a reservation's line); pointers
// tell a missing field from a zero.
type LineJSON struct {
	ProductCode *string `json:"productCode"`
	Quantity    *Number `json:"quantity"`
}

// Lines decodes an array of order lines one element at a time and refuses it as soon as it holds more
// than domain.MaxOrderLines: a megabyte of empty lines costs a hundred small decodes, not a slice of
// hundreds of thousands and an error for each. DecodeJSON names the field that held it.
type Lines []LineJSON

// tooManyLines marks the type error of an over-long array of lines, for DecodeJSON to say so.
const tooManyLines = "too many lines"

var linesType = reflect.TypeFor[[]LineJSON]()

// UnmarshalJSON implements json.Unmarshaler. Its type errors carry no field: the outer decoder
// prefixes the field that held the array ("items", "items.quantity").
func (l *Lines) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return &json.UnmarshalTypeError{Value: "not an array", Type: linesType}
	}
	lines := Lines{}
	for dec.More() {
		if len(lines) == domain.MaxOrderLines {
			return &json.UnmarshalTypeError{Value: tooManyLines, Type: linesType}
		}
		var line LineJSON
		if err := dec.Decode(&line); err != nil {
			return err
		}
		lines = append(lines, line)
	}
	*l = lines
	return nil
}

// ReadLine reads one line's fields, naming each missing or non-whole one with prefix (such as
// "items[0]."). It checks the shape only: what makes lines valid is domain.ValidateOrderLines's to say,
// in the use case.
func ReadLine(v *domain.ValidationError, prefix string, code *string, qty *Number) (string, int64) {
	var (
		productCode string
		quantity    int64
	)
	if code == nil {
		v.Add(prefix+"productCode", "is required")
	} else {
		productCode = *code
	}
	if qty == nil {
		v.Add(prefix+"quantity", "is required")
	} else if n, err := qty.Int64(); err != nil {
		v.Add(prefix+"quantity", "must be a whole number")
	} else {
		quantity = n
	}
	return productCode, quantity
}
