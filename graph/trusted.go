package graph

import (
	"bytes"
	"context"
	"crypto/sha1" //nolint:gosec // the client preset's default document hash; identifies, does not protect
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"sort"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"ptdv/internal/apperr"
)

// TrustedDocuments is the manifest of the operations a frontend ships ("trusted documents", persisted
// operations), in the format graphql-codegen's client preset writes with `persistedDocuments: true`:
// a JSON object from each document's hash (hex SHA-1 by default, SHA-256 with hashAlgorithm sha256;
// a "sha256:" or "sha1:" prefix is accepted) to the document's text.
//
// A client runs a document by its hash: `{"documentId": "<hash>", "variables": …}` (POST, or GET with
// ?documentId=), or the APQ form `extensions.persistedQuery.sha256Hash`. With Only, the server runs
// nothing else: a query text not in the manifest is refused with FORBIDDEN
// (reason PERSISTED_DOCUMENT_REQUIRED), an unknown hash with NOT_FOUND (reason
// PERSISTED_DOCUMENT_NOT_FOUND).
type TrustedDocuments struct {
	byID  map[string]string // hash (lower-case hex, no prefix) → document
	texts map[string]bool   // the documents, for clients that send a trusted document's full text
	// Only refuses every operation that is not in the manifest (production).
	Only bool
}

// Reasons of the refusals (extensions.reason beside extensions.code).
const (
	ReasonDocumentRequired = "PERSISTED_DOCUMENT_REQUIRED"
	ReasonDocumentNotFound = "PERSISTED_DOCUMENT_NOT_FOUND"
)

// LoadTrustedDocuments reads a manifest file (see ParseTrustedDocuments).
func LoadTrustedDocuments(path string) (*TrustedDocuments, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("trusted documents: %w", err)
	}
	t, err := ParseTrustedDocuments(b)
	if err != nil {
		return nil, fmt.Errorf("trusted documents %s: %w", path, err)
	}
	return t, nil
}

// ParseTrustedDocuments reads a manifest and checks it whole before the server starts: every key is
// the SHA-1 or SHA-256 of its document (a manifest from another build, or edited by hand, is refused),
// and every document is valid against this server's schema (a frontend built against another version
// of the API is refused at start, not at its users' first click).
func ParseTrustedDocuments(b []byte) (*TrustedDocuments, error) {
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("not a JSON object of hash → document: %w", err)
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("no documents")
	}
	schema := NewExecutableSchema(Config{}).Schema()
	t := &TrustedDocuments{byID: make(map[string]string, len(m)), texts: make(map[string]bool, len(m))}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		doc := m[k]
		id := normalID(k)
		var sum string
		switch len(id) {
		case 40:
			s := sha1.Sum([]byte(doc)) //nolint:gosec
			sum = hex.EncodeToString(s[:])
		case 64:
			s := sha256.Sum256([]byte(doc))
			sum = hex.EncodeToString(s[:])
		}
		if sum != id {
			return nil, fmt.Errorf("key %q is not the SHA-1 or SHA-256 of its document", k)
		}
		if _, errs := gqlparser.LoadQuery(schema, doc); len(errs) > 0 {
			return nil, fmt.Errorf("document %s: %v", k, errs)
		}
		t.byID[id], t.texts[doc] = doc, true
	}
	return t, nil
}

// Len is the number of documents.
func (t *TrustedDocuments) Len() int { return len(t.byID) }

// normalID strips an algorithm prefix and lower-cases a document id.
func normalID(id string) string {
	if _, rest, ok := strings.Cut(id, ":"); ok {
		id = rest
	}
	return strings.ToLower(id)
}

func (t *TrustedDocuments) ExtensionName() string                   { return "TrustedDocuments" }
func (t *TrustedDocuments) Validate(graphql.ExecutableSchema) error { return nil }

// documentIDKey is where Middleware puts a request's documentId among the extensions (gqlgen's
// transports read only query, operationName, variables and extensions).
const documentIDKey = "documentId"

// MutateOperationParameters puts the manifest's document in place of its id, and with Only refuses the
// rest. It runs before automatic persisted queries: an APQ hash that is in the manifest is answered
// from it; one that is not goes on to APQ (outside Only).
func (t *TrustedDocuments) MutateOperationParameters(_ context.Context, p *graphql.RawParams) *gqlerror.Error {
	id, apq := "", false
	if s, ok := p.Extensions[documentIDKey].(string); ok {
		id = s
	} else if pq, ok := p.Extensions["persistedQuery"].(map[string]any); ok {
		if s, ok := pq["sha256Hash"].(string); ok {
			id, apq = s, true
		}
	}
	if id != "" {
		if doc, ok := t.byID[normalID(id)]; ok {
			p.Query = doc
			ext := make(map[string]any, len(p.Extensions))
			for k, v := range p.Extensions {
				if k != documentIDKey && k != "persistedQuery" {
					ext[k] = v
				}
			}
			p.Extensions = ext
			return nil
		}
		if t.Only || !apq {
			return refuseWith(ReasonDocumentNotFound, apperr.New(apperr.NotFound,
				"Truy vấn đã đăng ký không tồn tại trên máy chủ này (documentId không có trong danh sách).",
				"persisted document not found in the manifest"))
		}
		return nil
	}
	if t.Only && !t.texts[p.Query] {
		return refuseWith(ReasonDocumentRequired, apperr.New(apperr.Forbidden,
			"Máy chủ này chỉ chạy các truy vấn đã đăng ký: gửi documentId của truy vấn trong danh sách.",
			"only trusted documents run on this server: send a documentId from the manifest"))
	}
	return nil
}

func refuseWith(reason string, e *apperr.Error) *gqlerror.Error {
	return &gqlerror.Error{Message: e.Message, Err: e, Extensions: map[string]any{"code": reason}}
}

// Middleware carries a request's top-level documentId (the GraphQL-over-HTTP persisted documents
// form the client preset's examples send) into the extensions, where MutateOperationParameters reads it.
func (t *TrustedDocuments) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			q := r.URL.Query()
			if id := q.Get("documentId"); id != "" {
				ext := map[string]any{}
				if e := q.Get("extensions"); e != "" {
					_ = json.Unmarshal([]byte(e), &ext) // a bad one is the GET transport's to refuse
				}
				ext[documentIDKey] = id
				b, _ := json.Marshal(ext)
				q.Set("extensions", string(b))
				q.Del("documentId")
				r2 := r.Clone(r.Context())
				r2.URL.RawQuery = q.Encode()
				r = r2
			}
		case http.MethodPost:
			if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
				break
			}
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, "body", http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			if !bytes.Contains(body, []byte(`"documentId"`)) {
				break
			}
			var req map[string]json.RawMessage
			if json.Unmarshal(body, &req) != nil {
				break // the POST transport refuses it
			}
			var id string
			if json.Unmarshal(req["documentId"], &id) != nil || id == "" {
				break
			}
			ext := map[string]json.RawMessage{}
			if e, ok := req["extensions"]; ok {
				_ = json.Unmarshal(e, &ext)
			}
			ext[documentIDKey], _ = json.Marshal(id)
			req["extensions"], _ = json.Marshal(ext)
			delete(req, "documentId")
			body, _ = json.Marshal(req)
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
		}
		next.ServeHTTP(w, r)
	})
}
