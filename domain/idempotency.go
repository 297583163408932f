package domain

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
)

// MaxIdempotencyKeyLen bounds an Idempotency-Key (IETF draft "The Idempotency-Key HTTP Header Field").
const MaxIdempotencyKeyLen = 255

// ParseIdempotencyKey reads an Idempotency-Key header value. The draft makes it a Structured Field
// String ("…", RFC 8941), but many clients send the bare key: both are accepted, and `"abc"` and `abc`
// are the same key. It must be 1 to MaxIdempotencyKeyLen visible ASCII characters.
func ParseIdempotencyKey(v *ValidationError, header string) string {
	const field = "Idempotency-Key"
	if len(header) > MaxIdempotencyKeyLen+2 { // the quotes do not count
		v.Add(field, "must be at most %d characters", MaxIdempotencyKeyLen)
		return ""
	}
	key := header
	if len(key) >= 2 && key[0] == '"' && key[len(key)-1] == '"' {
		unquoted, ok := unquoteSFString(key[1 : len(key)-1])
		if !ok {
			v.Add(field, "is not a valid quoted string")
			return ""
		}
		key = unquoted
	}
	switch {
	case key == "":
		v.Add(field, "must not be empty")
	case len(key) > MaxIdempotencyKeyLen:
		v.Add(field, "must be at most %d characters", MaxIdempotencyKeyLen)
	case !visibleOrSpace(key):
		v.Add(field, "must be visible ASCII characters")
	default:
		return key
	}
	return ""
}

// unquoteSFString undoes the escapes of an RFC 8941 String's content: \" and \\ only.
func unquoteSFString(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			if i+1 == len(s) || (s[i+1] != '"' && s[i+1] != '\\') {
				return "", false
			}
			i++
			b.WriteByte(s[i])
		case c == '"':
			return "", false
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

func visibleOrSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// OrderFingerprint identifies what an order request asks for, whatever its shape: the customer, the
// payment token and the lines merged per product (the order of lines and a product split over several
// lines do not matter). Two requests with the same fingerprint place the same order.
func OrderFingerprint(customerID, paymentToken string, lines []OrderLine) string {
	type merged struct {
		Code string `json:"c"`
		Qty  int64  `json:"q"`
	}
	var all []merged
	for _, l := range lines {
		i := slices.IndexFunc(all, func(m merged) bool { return m.Code == l.ProductCode })
		if i < 0 {
			all = append(all, merged{Code: l.ProductCode})
			i = len(all) - 1
		}
		all[i].Qty += l.Quantity
	}
	slices.SortFunc(all, func(a, b merged) int { return cmp.Compare(a.Code, b.Code) })
	canonical, err := json.Marshal(struct {
		Customer string   `json:"customer"`
		Token    string   `json:"token"`
		Lines    []merged `json:"lines"`
	}{customerID, paymentToken, all})
	if err != nil {
		panic("marshal of strings and numbers failed: " + err.Error()) // cannot happen
	}
	sum := sha256.Sum256(canonical)
	return hex.EncodeToString(sum[:])
}
