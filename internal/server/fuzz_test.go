package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"ptdv/internal/fixture"
	"ptdv/internal/pgtest"
)

// fingerprintSQL is what a refused request must leave unchanged: the row counts of the tables the API's
// mutations write. (The audit log is left out: a refusal may be audited on purpose.)
const fingerprintSQL = `SELECT concat_ws(',',
	(SELECT count(*) FROM org_unit), (SELECT count(*) FROM org_unit_name), (SELECT count(*) FROM org_operation),
	(SELECT count(*) FROM org_link), (SELECT count(*) FROM org_lineage), (SELECT count(*) FROM village),
	(SELECT count(*) FROM person), (SELECT count(*) FROM person_unit), (SELECT count(*) FROM candidate_case),
	(SELECT count(*) FROM case_event), (SELECT count(*) FROM member_event), (SELECT count(*) FROM course),
	(SELECT count(*) FROM term), (SELECT count(*) FROM target))`

func fingerprint(t testing.TB, d *pgtest.DB) string {
	var s string
	if err := d.Owner.NewRaw(fingerprintSQL).Scan(context.Background(), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// checkResponse: a response to any body is JSON with errors that all carry a code, never INTERNAL (a
// client's bytes are never the server's fault), and a request that wrote nothing visible (no data, or
// only nulls) left the database as it was.
func checkResponse(t *testing.T, f *testServer, before string, status int, raw []byte) {
	t.Helper()
	var r gqlResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("status %d, not JSON: %q", status, raw)
	}
	if status >= 500 {
		t.Fatalf("status %d: %s", status, raw)
	}
	for _, e := range r.Errors {
		code, _ := e.Extensions["code"].(string)
		if code == "" || code == "INTERNAL" || e.Message == "" {
			t.Fatalf("status %d, error %+v", status, e)
		}
	}
	wrote := false
	for _, v := range r.Data {
		if v != nil {
			wrote = true
		}
	}
	if !wrote {
		if after := fingerprint(t, f.db); after != before {
			t.Fatalf("a request refused whole wrote rows (%s → %s): %s", before, after, raw)
		}
	}
}

var fuzzSeeds = []string{
	`{"query": "{ viewer { subject role unit { code name } } }"}`,
	`{"query": "query($c: String) { unit(code: $c) { code children(first: 5) { nodes { code childCount } pageInfo { endCursor } } } }", "variables": {"c": "GL.PK.HT"}}`,
	`{"query": "{ searchUnits(text: \"hoi\", first: 3, after: \"azpHTA\") { nodes { code } } }"}`,
	`{"query": "{ node(id: \"VW5pdDox\") { id ... on Unit { code } } }"}`,
	`{"query": "{ funnel { stage count } dueList(first: 2) { edges { cursor } } }"}`,
	`{"query": "{ progress(unitId: \"VW5pdDox\", periodKind: YEAR, asOf: \"0001-01-01\") { targetCount } }"}`,
	`{"query": "mutation { createPerson(input: {person: {fullName: \"Lê Thị Hoa\", sex: FEMALE, birthDate: \"2001-02-03\", nationalId: \"064301000001\", unitId: \"VW5pdDo1\", generalEducation: \"upper_secondary\", ethnicity: \"kinh\"}}) { person { id } } }"}`,
	`{"query": "mutation { createPerson(input: {person: {fullName: \"Lê Thị Hoa\", sex: FEMALE, birthDate: \"9999-12-31\", nationalId: \"064301000002\", unitId: \"VW5pdDo1\", generalEducation: \"nope\", ethnicity: \"kinh\"}}) { person { id } } }"}`,
	`{"query": "mutation($i: RenameUnitInput!) { renameUnit(input: $i) { unit { name } } }", "variables": {"i": {"unitId": "VW5pdDo1", "name": "", "document": {"effective": "2024-02-30"}}}}`,
	`{"query": "mutation { mergeUnits(input: {unitIds: [\"VW5pdDo1\", \"VW5pdDo1\"], into: {code: \"X\", name: \"Y\", kind: CELL}, document: {effective: \"2024-01-01\"}}) { unit { code } } }"}`,
	`{"query": "{ ...on Query { __schema { types { name } } } }"}`,
	`{"query": "query Q { a: viewer { subject } } query R { viewer { role } }", "operationName": "S"}`,
	`{"query": "{ viewer { subject } }", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "x"}}}`,
	`[{"query": "{ viewer { subject } }"}]`,
	`{"query": 1}`, `{"variables": []}`, `null`, ``,
}

// FuzzGraphQLBody posts any bytes as a JSON GraphQL request to the real handler over a real database.
func FuzzGraphQLBody(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	fix := fuzzFixture(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		before := fingerprint(t, fix.db)
		req, _ := http.NewRequest(http.MethodPost, fix.srv.URL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+fix.tok)
		status, raw := do(t, req)
		checkResponse(t, fix.testServer, before, status, raw)
	})
}

// FuzzMultipartRequest sends any operations and map in a multipart upload, with a small file.
func FuzzMultipartRequest(f *testing.F) {
	f.Add(`{"query": "mutation($f: Upload!) { importList(input: {file: $f}) { rows } }", "variables": {"f": null}}`, `{"0": ["variables.f"]}`)
	f.Add(`{"query": "{ viewer { subject } }", "variables": {"file": "x"}}`, `{"0": ["variables.file.0"]}`)
	f.Add(`{"query": "{ viewer { subject } }", "variables": {"l": [null]}}`, `{"0": ["variables.l.7"]}`)
	f.Add(`{"query": "{ viewer { subject } }"}`, `{"0": ["variables.file"], "1": ["x"]}`)
	f.Add(`[{"query": "{ viewer { subject } }"}]`, `{"0": ["0.variables.file"]}`)
	f.Add(`{`, `}`)
	fix := fuzzFixture(f)
	f.Fuzz(func(t *testing.T, operations, mapping string) {
		before := fingerprint(t, fix.db)
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		_ = mw.WriteField("operations", operations)
		_ = mw.WriteField("map", mapping)
		w, _ := mw.CreateFormFile("0", "danh-sach.csv")
		_, _ = w.Write([]byte("Họ và tên,Số CCCD\nLê Văn A,064099000001\n"))
		_ = mw.Close()
		req, _ := http.NewRequest(http.MethodPost, fix.srv.URL+"/graphql", &b)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+fix.tok)
		status, raw := do(t, req)
		checkResponse(t, fix.testServer, before, status, raw)
	})
}

type fuzzFix struct {
	*testServer
	tok string
}

// fuzzFixture is one server and database for the whole fuzz run, seeded with a small province, and a
// board token of its district (it may write).
func fuzzFixture(f *testing.F) fuzzFix {
	fx := newFixture(f, false)
	seed(f, fx.db.App, 3)
	return fuzzFix{testServer: fx, tok: fx.token("board", "GL.PK")}
}

// fuzzClient gives up on a request after 10 s: a request that hangs is a finding too.
var fuzzClient = &http.Client{Timeout: 10 * time.Second}

func do(t *testing.T, req *http.Request) (int, []byte) {
	resp, raw := fixture.Do(t, fuzzClient, req)
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/graphql-response+json") {
		t.Fatalf("status %d, content type %q: %q", resp.StatusCode, resp.Header.Get("Content-Type"), raw)
	}
	return resp.StatusCode, raw
}
