package inventory

import (
	"context"
	"fmt"
	"math/big"
	"strings"
	"unicode"
)

// SearchQuery is a catalogue search: full text over name, description and code, tolerant of a typo,
// with filters. Results are ordered by product code, so a page's cursor is the last code, as in List.
type SearchQuery struct {
	Text string
	// MinPrice and MaxPrice bound the price (inclusive), as plain decimals; empty means unbounded.
	MinPrice, MaxPrice string
	// InStock keeps products with available stock only.
	InStock bool
	After   string
	Limit   int
}

// Searcher answers catalogue searches. Two implementations keep the same contract
// (inventory/searchtest): Elasticsearch's read model, and Service.Search over the store itself, used
// when Elasticsearch is not configured.
type Searcher interface {
	Search(ctx context.Context, q SearchQuery) ([]ProductView, error)
}

// Search answers q from the catalogue and the ledger: the fallback when there is no search index. It
// reads the catalogue in code order and keeps what matches, so it costs a scan; it is meant for
// small catalogues and for running without Elasticsearch.
func (s *Service) Search(ctx context.Context, q SearchQuery) ([]ProductView, error) {
	if q.Limit <= 0 || q.Limit > MaxPageSize {
		return nil, fmt.Errorf("search products: limit %d out of 1..%d", q.Limit, MaxPageSize)
	}
	var out []ProductView
	after := q.After
	for len(out) < q.Limit {
		page, err := s.catalog.List(ctx, ListQuery{After: after, Limit: MaxPageSize})
		if err != nil {
			return nil, fmt.Errorf("search products: %w", err)
		}
		for _, p := range page {
			if !MatchesText(q.Text, p.Code, p.Name, p.Description) || !PriceWithin(p.Price.String(), q.MinPrice, q.MaxPrice) {
				continue
			}
			head, err := s.ledger.Head(ctx, p.Code)
			if err != nil {
				return nil, fmt.Errorf("search products: stock of %s: %w", p.Code, err)
			}
			if q.InStock && head.Level.Available() <= 0 {
				continue
			}
			out = append(out, ProductView{Product: p, Stock: head.Level})
			if len(out) == q.Limit {
				break
			}
		}
		if len(page) < MaxPageSize {
			break
		}
		after = page[len(page)-1].Code
	}
	return out, nil
}

// MatchesText reports whether every word of text matches the fields, the way the Elasticsearch
// query does: a word matches a field's word when it is its prefix or within Elasticsearch's "AUTO"
// edit distance (0 for up to 2 letters, 1 for up to 5, else 2; a swap of neighbours counts 1), and
// it also matches when it is part of the product code (fields[0]). Empty text matches everything;
// text without a single word (".*", say) matches nothing: it is text, not a pattern.
func MatchesText(text string, fields ...string) bool {
	if NoWords(text) {
		return false
	}
	var words []string
	for _, f := range fields {
		words = append(words, Words(f)...)
	}
	code := ""
	if len(fields) > 0 {
		code = strings.ToLower(fields[0])
	}
	for _, t := range Words(text) {
		if !strings.Contains(code, t) && !matchesAnyWord(t, words) {
			return false
		}
	}
	return true
}

func matchesAnyWord(t string, words []string) bool {
	for _, w := range words {
		if strings.HasPrefix(w, t) || editDistance(t, w) <= Fuzziness(t) {
			return true
		}
	}
	return false
}

// NoWords reports whether text is not blank but holds no word to search for.
func NoWords(text string) bool {
	return strings.TrimSpace(text) != "" && len(Words(text)) == 0
}

// Words splits s the way Elasticsearch's standard analyzer roughly does: lower-cased runs of letters
// and digits.
func Words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// Fuzziness is Elasticsearch's "AUTO" edit distance for a word.
func Fuzziness(word string) int {
	switch n := len([]rune(word)); {
	case n <= 2:
		return 0
	case n <= 5:
		return 1
	default:
		return 2
	}
}

// editDistance is the optimal string alignment distance: insertions, deletions, substitutions and
// swaps of neighbours each cost 1 (Elasticsearch's fuzzy queries count transpositions the same way).
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// PriceWithin reports whether the decimal price lies within [lo, hi]; an empty bound is open.
// Decimals are compared exactly (big.Rat), never as floats.
func PriceWithin(price, lo, hi string) bool {
	p, ok := new(big.Rat).SetString(price)
	if !ok {
		return false
	}
	if l, ok := new(big.Rat).SetString(lo); lo != "" && ok && p.Cmp(l) < 0 {
		return false
	}
	if h, ok := new(big.Rat).SetString(hi); hi != "" && ok && p.Cmp(h) > 0 {
		return false
	}
	return true
}
