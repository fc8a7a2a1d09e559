package fakecentral

// A v1.RawQuery's pagination: limit, offset and sort.

import (
	"sort"
	"strings"
)

// rawQuery is a parsed v1.RawQuery: the search string and its pagination.
type rawQuery struct {
	query          string
	limit, offset  int64
	sortField      string
	sortReversed   bool
	anyParamForRaw bool
}

// rawQuery reads a v1.RawQuery whose fields start with prefix ("query." in DeleteImages).
func (p params) rawQuery(prefix string) (rawQuery, *centralError) {
	var q rawQuery
	var e *centralError
	if q.query, e = p.str(prefix + "query"); e != nil {
		return q, e
	}
	if q.limit, e = p.int32(prefix + "pagination.limit"); e != nil {
		return q, e
	}
	if q.offset, e = p.int32(prefix + "pagination.offset"); e != nil {
		return q, e
	}
	if q.sortField, e = p.str(prefix + "pagination.sortOption.field"); e != nil {
		return q, e
	}
	if q.sortReversed, e = p.bool(prefix + "pagination.sortOption.reversed"); e != nil {
		return q, e
	}
	for k := range p {
		if prefix != "" && strings.HasPrefix(k, prefix) {
			q.anyParamForRaw = true
		}
	}
	return q, nil
}

// paginate sorts, reverses and pages what a search found. maxLimit > 0 caps the page
// (ListImages: limit 0 or >1000 means 1000); 0 means a limit of 0 is no limit
// (DeleteImages, counts).
func (q rawQuery) paginate(out []*fakeImage, maxLimit int64) []*fakeImage {
	if f := strings.ToLower(q.sortField); f == "image" || f == "image name" {
		sort.SliceStable(out, func(i, j int) bool { return out[i].name < out[j].name })
	}
	if q.sortReversed {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	limit := q.limit
	if maxLimit > 0 && (limit <= 0 || limit > maxLimit) {
		limit = maxLimit
	}
	off := min(max(q.offset, 0), int64(len(out)))
	out = out[off:]
	if limit > 0 && int64(len(out)) > limit {
		out = out[:limit]
	}
	return out
}
