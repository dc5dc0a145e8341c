package graph

import (
	"encoding/base64"
	"strconv"
	"strings"

	"ptdv/internal/apperr"
)

// Global IDs are "Type:key" in unpadded base64url: opaque to clients, typed for node(id:).
const (
	typeUnit      = "Unit"
	typeOperation = "Operation"
	typeVillage   = "Village"
	typePerson    = "Person"
	typeCandidate = "Candidate"
	typeCourse    = "Course"
	typeTerm      = "Term"
	typeTarget    = "Target"
)

func globalID(typ string, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + strconv.FormatInt(id, 10)))
}

// parseGlobalID decodes a global ID. A malformed ID is reported as not found: to a client, an ID that
// cannot exist and one that does not exist are the same.
func parseGlobalID(id string) (typ string, key int64, err error) {
	b, err := base64.RawURLEncoding.DecodeString(id)
	if err == nil {
		if t, k, ok := strings.Cut(string(b), ":"); ok {
			if key, err = strconv.ParseInt(k, 10, 64); err == nil && key > 0 {
				return t, key, nil
			}
		}
	}
	return "", 0, apperr.NotFoundf("node", id)
}

// idOf decodes a global ID that must be of type want (an input field).
func idOf(field, want, id string) (int64, error) {
	t, k, err := parseGlobalID(id)
	if err != nil || t != want {
		e := apperr.NotFoundf(strings.ToLower(want), id)
		e.Field = field
		return 0, e
	}
	return k, nil
}

func idsOf(field, want string, ids []string) ([]int64, error) {
	out := make([]int64, len(ids))
	for i, s := range ids {
		k, err := idOf(field, want, s)
		if err != nil {
			return nil, err
		}
		out[i] = k
	}
	return out, nil
}

func optID(field, want string, id *string) (*int64, error) {
	if id == nil {
		return nil, nil
	}
	k, err := idOf(field, want, *id)
	if err != nil {
		return nil, err
	}
	return &k, nil
}
