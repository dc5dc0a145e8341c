// Package byid holds what every read by id does with its rows, written once: rows keyed by their id
// (what a batch read such as pipeline.Get or the GraphQL loaders return), rows grouped by the id they
// hang on (a case's sponsors, a person's spans), and one row out of a batch, or NOT_FOUND when the
// batch does not hold it (a row that does not exist and one out of the actor's scope look the same).
package byid

import (
	"strconv"

	"ptdv/internal/apperr"
)

// Map keys rows by id(row).
func Map[T any](rows []T, id func(T) int64) map[int64]T {
	m := make(map[int64]T, len(rows))
	for _, r := range rows {
		m[id(r)] = r
	}
	return m
}

// Keyed is Map of a read's result (rows, err): nil and err when the read failed.
func Keyed[T any](rows []T, err error, id func(T) int64) (map[int64]T, error) {
	if err != nil {
		return nil, err
	}
	return Map(rows, id), nil
}

// Group gathers rows by id(row), each group in the rows' order.
func Group[T any](rows []T, id func(T) int64) map[int64][]T {
	m := map[int64][]T{}
	for _, r := range rows {
		m[id(r)] = append(m[id(r)], r)
	}
	return m
}

// One returns row id of a batch read (m, err), or NOT_FOUND of entity when the batch does not hold it.
func One[T any](m map[int64]T, err error, entity string, id int64) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	r, ok := m[id]
	if !ok {
		return zero, apperr.NotFoundf(entity, strconv.FormatInt(id, 10))
	}
	return r, nil
}
