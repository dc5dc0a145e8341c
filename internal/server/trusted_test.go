package server_test

import (
	"bytes"
	"crypto/sha1" //nolint:gosec // the client preset's default document hash
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"ptdv/graph"
	"ptdv/internal/pgtest"
	"ptdv/internal/server"
)

func sha1Hex(s string) string   { h := sha1.Sum([]byte(s)); return hex.EncodeToString(h[:]) } //nolint:gosec
func sha256Hex(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }

// The documents of a frontend, as graphql-codegen's client preset prints them, and its manifest
// (persisted-documents.json): SHA-1 keys by default, a SHA-256 key with its prefix.
const (
	docViewer = "query Viewer {\n  viewer {\n    role\n  }\n}"
	docUnit   = "query UnitCode($u: ID!) {\n  unit(id: $u) {\n    code\n  }\n}"
)

func manifest() []byte {
	b, _ := json.Marshal(map[string]string{sha1Hex(docViewer): docViewer, "sha256:" + sha256Hex(docUnit): docUnit})
	return b
}

func trustedFixture(t *testing.T, only bool) *testServer {
	d := pgtest.New(t)
	tr, err := graph.ParseTrustedDocuments(manifest())
	if err != nil {
		t.Fatal(err)
	}
	tr.Only = only
	h := server.New(server.Config{DB: d.App, JWTSecret: secret, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Trusted: tr})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &testServer{t: t, srv: srv, db: d}
}

func (f *testServer) post(tok string, body map[string]any) gqlResponse {
	f.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/graphql", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	return f.send(tok, req)
}

func TestTrustedDocumentsManifestIsChecked(t *testing.T) {
	good := map[string]string{sha1Hex(docViewer): docViewer}
	for name, m := range map[string]any{
		"a hash of another document": map[string]string{sha1Hex(docUnit): docViewer},
		"not a hash":                 map[string]string{"viewer": docViewer},
		"invalid for this schema":    map[string]string{sha1Hex("{ nope }"): "{ nope }"},
		"not an object":              []string{docViewer},
		"empty":                      map[string]string{},
	} {
		b, _ := json.Marshal(m)
		if _, err := graph.ParseTrustedDocuments(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	b, _ := json.Marshal(good)
	if tr, err := graph.ParseTrustedDocuments(b); err != nil || tr.Len() != 1 {
		t.Errorf("good manifest: %v", err)
	}
}

func TestTrustedDocumentsOnly(t *testing.T) {
	t.Parallel()
	f := trustedFixture(t, true)
	ids := seed(t, f.db.App, 0)
	tok := f.token("board", "GL.PK")
	unitVars := map[string]any{"u": gid("Unit", ids["GL.PK"])}
	role := func(r gqlResponse) any {
		v, _ := r.Data["viewer"].(map[string]any)
		return v["role"]
	}
	unitCode := func(r gqlResponse) any {
		v, _ := r.Data["unit"].(map[string]any)
		return v["code"]
	}
	// By documentId (SHA-1, as the client preset writes it; and SHA-256 with or without its prefix).
	if r := f.post(tok, map[string]any{"documentId": sha1Hex(docViewer)}); role(r) != "BOARD" {
		t.Errorf("documentId sha1: %+v", r)
	}
	for _, id := range []string{"sha256:" + sha256Hex(docUnit), sha256Hex(docUnit)} {
		if r := f.post(tok, map[string]any{"documentId": id, "variables": unitVars}); unitCode(r) != "GL.PK" {
			t.Errorf("documentId %s: %+v", id, r)
		}
	}
	// GET with ?documentId=.
	v, _ := json.Marshal(unitVars)
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/graphql?"+url.Values{"documentId": {sha256Hex(docUnit)}, "variables": {string(v)}}.Encode(), nil)
	if r := f.send(tok, req); unitCode(r) != "GL.PK" {
		t.Errorf("GET documentId: %+v", r)
	}
	// The APQ form, with the hash in the manifest.
	if r := f.post(tok, map[string]any{"variables": unitVars,
		"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": sha256Hex(docUnit)}}}); unitCode(r) != "GL.PK" {
		t.Errorf("APQ form: %+v", r)
	}
	// The full text of a trusted document runs too.
	if r := f.post(tok, map[string]any{"query": docViewer}); role(r) != "BOARD" {
		t.Errorf("trusted text: %+v", r)
	}
	// Anything else is refused before it runs, with codes.
	const other = "{ viewer { subject } }"
	for name, c := range map[string]struct {
		body         map[string]any
		code, reason string
	}{
		"another query":           {map[string]any{"query": other}, "FORBIDDEN", graph.ReasonDocumentRequired},
		"a trusted text, changed": {map[string]any{"query": strings.Replace(docViewer, "role", "subject", 1)}, "FORBIDDEN", graph.ReasonDocumentRequired},
		"an unknown id":           {map[string]any{"documentId": sha1Hex(other)}, "NOT_FOUND", graph.ReasonDocumentNotFound},
		"APQ registration": {map[string]any{"query": other,
			"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": sha256Hex(other)}}}, "NOT_FOUND", graph.ReasonDocumentNotFound},
	} {
		r := f.post(tok, c.body)
		if r.code() != c.code || r.Errors[0].Extensions["reason"] != c.reason || r.Data != nil {
			t.Errorf("%s: %+v", name, r)
		}
	}
}

// Without Only (development), the manifest's ids work beside any query and automatic persisted queries.
func TestTrustedDocumentsBesideAPQ(t *testing.T) {
	t.Parallel()
	f := trustedFixture(t, false)
	seed(t, f.db.App, 0)
	tok := f.token("board", "GL.PK")
	if r := f.post(tok, map[string]any{"documentId": sha1Hex(docViewer)}); len(r.Errors) > 0 {
		t.Errorf("documentId: %+v", r)
	}
	const other = "{ viewer { subject } }"
	if r := f.post(tok, map[string]any{"query": other}); len(r.Errors) > 0 {
		t.Errorf("any query: %+v", r)
	}
	apq := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": sha256Hex(other)}}
	if r := f.post(tok, map[string]any{"extensions": apq}); len(r.Errors) == 0 || r.Errors[0].Message != "PersistedQueryNotFound" {
		t.Errorf("APQ before registration: %+v", r)
	}
	if r := f.post(tok, map[string]any{"query": other, "extensions": apq}); len(r.Errors) > 0 {
		t.Errorf("APQ registration: %+v", r)
	}
	if r := f.post(tok, map[string]any{"extensions": apq}); len(r.Errors) > 0 || r.Data["viewer"] == nil {
		t.Errorf("APQ by hash: %+v", r)
	}
	if r := f.post(tok, map[string]any{"documentId": sha1Hex(other)}); r.code() != "NOT_FOUND" {
		t.Errorf("unknown documentId: %+v", r)
	}
}
