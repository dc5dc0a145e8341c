package server_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// aliases repeats a field n times under distinct aliases.
func aliases(n int, field string) string {
	var b strings.Builder
	b.WriteString("{ ")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "a%d: %s ", i, field)
	}
	b.WriteString("}")
	return b.String()
}

// Every field that reaches the database costs something: a thousand aliases of an aggregate are refused
// before any resolver runs (the only queries are the actor's resolution), with a coded, Vietnamese error.
func TestCostRefusesAliasedDatabaseFields(t *testing.T) {
	t.Parallel()
	f, ids := seeded(t, 0)
	tok := f.token("board", "GL")
	unit := gid("Unit", ids["GL"])
	// Warm up: the actor's resolution is all a refused request may cost.
	if r := f.query(tok, `{ viewer { subject } }`, nil); len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	f.qc.Reset()
	if r := f.query(tok, `{ viewer { subject } }`, nil); len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	authQueries := f.qc.Count()
	for name, field := range map[string]string{
		"funnel":           `funnel(unitId: "` + unit + `") { count }`,
		"progress":         `progress(unitId: "` + unit + `", periodKind: YEAR) { targetCount }`,
		"childrenProgress": `childrenProgress(unitId: $u, periodKind: YEAR, first: 1) { pageInfo { hasNextPage } }`,
		"dueList":          `dueList(unitId: $u, first: 1) { pageInfo { hasNextPage } }`,
		"memberCounts":     `memberCounts(unitId: "` + unit + `") { count }`,
		"unit children":    `unit(id: $u) { childCount descendantCounts { count } }`,
	} {
		f.qc.Reset()
		n, q := 1000, aliases(1000, field)
		if strings.Contains(field, "$u") {
			n = 500 // the parser's token limit would refuse 1,000 of these first
			q = "query($u: ID!) " + aliases(n, field)
		}
		r := f.query(tok, q, map[string]any{"u": unit})
		if r.code() != "INVALID_INPUT" || r.Errors[0].Extensions["reason"] != "COST_LIMIT" || r.Data != nil ||
			!strings.Contains(r.Errors[0].Message, "quá") {
			t.Errorf("%s ×%d: %d %+v", name, n, r.status, r.Errors)
		}
		if c := f.qc.Count(); c > authQueries {
			t.Errorf("%s ×%d ran %d queries before the refusal (auth alone: %d)", name, n, c, authQueries)
		}
	}
	// An ordinary dashboard still passes: a few aggregates and a page of units with their counts.
	r := f.query(tok, `query($u: ID!) { funnel(unitId: $u) { stage count } progress(unitId: $u, periodKind: YEAR) { targetCount }
		unit(code: "GL") { children(first: 50) { nodes { code childCount parent { code } } } } }`, map[string]any{"u": unit})
	if len(r.Errors) > 0 {
		t.Errorf("dashboard: %+v", r.Errors)
	}
}

// Outside dev mode no validation message hints at a name of the schema.
func TestNoSuggestionsOutsideDev(t *testing.T) {
	t.Parallel()
	prod := newFixture(t, false)
	dev := newFixture(t, true)
	seed(t, prod.db.App, 0)
	seed(t, dev.db.App, 0)
	queries := map[string]string{
		"field":       `{ viewr { subject } }`,
		"argument":    `{ unit(cod: "GL") { code } }`,
		"enum":        `{ searchUnits(text: "x", kind: CEL, first: 1) { totalCount } }`,
		"input field": `mutation { renameUnit(input: {unitI: "x", name: "y", document: {effective: "2024-01-01"}}) { unit { code } } }`,
		"type":        `query($k: UnitKnd) { searchUnits(text: "x", kind: $k, first: 1) { totalCount } }`,
		"fragment":    `{ node(id: "x") { ... on Unt { code } } }`,
		"inline":      `{ node(id: "x") { cod } }`,
	}
	for name, q := range queries {
		r := prod.query(prod.token("admin", ""), q, nil)
		if r.code() != "INVALID_INPUT" {
			t.Errorf("%s: %+v", name, r)
		}
		for _, e := range r.Errors {
			if strings.Contains(strings.ToLower(e.Message), "did you mean") || strings.Contains(fmt.Sprint(e.Extensions), "mean") {
				t.Errorf("%s: a hint outside dev mode: %q", name, e.Message)
			}
		}
	}
	// Variables are checked by another path of the validator.
	r := prod.query(prod.token("admin", ""), `query($k: UnitKind) { searchUnits(text: "x", kind: $k, first: 1) { totalCount } }`,
		map[string]any{"k": "CEL"})
	if r.code() != "INVALID_INPUT" || strings.Contains(strings.ToLower(r.Errors[0].Message), "did you mean") {
		t.Errorf("enum variable: %+v", r)
	}
	// Dev mode keeps them: they help the developer.
	r = dev.query(dev.token("admin", ""), queries["field"], nil)
	if len(r.Errors) == 0 || !strings.Contains(r.Errors[0].Message, "Did you mean") {
		t.Errorf("dev mode lost the field hint: %+v", r)
	}
}

// Introspection is refused with FORBIDDEN however it is reached: at the top, through an inline fragment, a
// named fragment, or nested fragments.
func TestIntrospectionThroughFragmentsForbidden(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	seed(t, f.db.App, 0)
	admin := f.token("admin", "")
	for name, q := range map[string]string{
		"top":            `{ __schema { types { name } } }`,
		"inline":         `{ ...on Query { __schema { types { name } } } }`,
		"named":          `query { ...F } fragment F on Query { __schema { types { name } } }`,
		"nested":         `query { ...F } fragment F on Query { ... on Query { ...G } } fragment G on Query { __type(name: "Unit") { name } }`,
		"type in inline": `{ viewer { subject } ... { __type(name: "Person") { fields { name } } } }`,
	} {
		r := f.query(admin, q, nil)
		if r.code() != "FORBIDDEN" || r.Data != nil {
			t.Errorf("%s: %d %+v", name, r.status, r)
		}
	}
	// __typename is not introspection of the schema.
	if r := f.query(admin, `{ ...on Query { __typename viewer { __typename } } }`, nil); len(r.Errors) > 0 {
		t.Errorf("__typename: %+v", r.Errors)
	}
}

// Every refusal of the HTTP layer or the GraphQL layer carries extensions.code.
func TestEveryRefusalIsCoded(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	seed(t, f.db.App, 0)
	tok := f.token("admin", "")
	post := func(ct string, body io.Reader, chunked bool) gqlResponse {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/graphql", body)
		req.Header.Set("Content-Type", ct)
		if chunked {
			req.ContentLength = -1 // Transfer-Encoding: chunked, the size unknown in advance
		}
		return f.send(tok, req)
	}
	big := `{"query": "{ viewer { subject } }", "variables": {"x": "` + strings.Repeat("a", 2<<20) + `"}}`
	deep := "{ viewer { unit { " + strings.Repeat("parent { ", 15) + "code" + strings.Repeat(" }", 15) + " } } }"
	var many strings.Builder
	many.WriteString("{ ")
	for i := 0; i < 8000; i++ {
		fmt.Fprintf(&many, "a%d: __typename ", i)
	}
	many.WriteString("}")
	cases := map[string]struct {
		r      func() gqlResponse
		code   string
		status int
	}{
		"body too large": {func() gqlResponse { return post("application/json", strings.NewReader(big), false) }, "INVALID_INPUT", 413},
		"body too large, chunked": {func() gqlResponse {
			return post("application/json", io.MultiReader(strings.NewReader(big)), true)
		}, "INVALID_INPUT", 413},
		"not JSON":     {func() gqlResponse { return post("application/json", strings.NewReader(`{"query": `), false) }, "INVALID_INPUT", 400},
		"parse error":  {func() gqlResponse { return f.query(tok, `{ viewer { `, nil) }, "INVALID_INPUT", 422},
		"token limit":  {func() gqlResponse { return f.query(tok, many.String(), nil) }, "INVALID_INPUT", 422},
		"depth":        {func() gqlResponse { return f.query(tok, deep, nil) }, "INVALID_INPUT", 422},
		"cost":         {func() gqlResponse { return f.query(tok, aliases(1000, `funnel { count }`), nil) }, "INVALID_INPUT", 422},
		"no operation": {func() gqlResponse { return post("application/json", strings.NewReader(`{}`), false) }, "INVALID_INPUT", 422},
		"GET mutation": {func() gqlResponse { return f.get(tok, `mutation { __typename }`) }, "INVALID_INPUT", 406},
		"multipart junk": {func() gqlResponse {
			return post("multipart/form-data; boundary=x", strings.NewReader("--x\r\nnonsense"), false)
		}, "INVALID_INPUT", 422},
		"multipart operations not JSON": {func() gqlResponse {
			return multipartPost(t, f, tok, "{", `{"0": ["variables.file"]}`, "a.csv", "x")
		}, "INVALID_INPUT", 422},
		"multipart map to nowhere": {func() gqlResponse {
			return multipartPost(t, f, tok, `{"query": "mutation($f: Upload!) { importList(input: {file: $f}) { rows } }", "variables": {"file": null}}`,
				`{"0": ["variables.nothing.deeper"]}`, "a.csv", "x")
		}, "INVALID_INPUT", 422},
		"multipart path through a string": {func() gqlResponse {
			return multipartPost(t, f, tok, `{"query": "{ viewer { subject } }", "variables": {"file": "x"}}`, `{"0": ["variables.file.0"]}`, "a.csv", "x")
		}, "INVALID_INPUT", 422},
		"multipart file missing": {func() gqlResponse {
			return multipartPost(t, f, tok, `{"query": "{ viewer { subject } }"}`, `{"0": ["variables.file"], "1": ["variables.other"]}`, "a.csv", "x")
		}, "INVALID_INPUT", 422},
		"multipart too large": {func() gqlResponse {
			var b bytes.Buffer
			mw := multipart.NewWriter(&b)
			_ = mw.WriteField("operations", `{"query": "{ viewer { subject } }"}`)
			_ = mw.WriteField("map", `{}`)
			_ = mw.Close()
			// A chunked upload that never ends as announced: the transport's limit stops it.
			return post(mw.FormDataContentType(), io.MultiReader(bytes.NewReader(b.Bytes()[:b.Len()-8]),
				&repeatReader{b: []byte("0123456789"), n: 40 << 20}), true)
		}, "INVALID_FILE", 413},
	}
	for name, c := range cases {
		r := c.r()
		if r.code() != c.code {
			t.Errorf("%s: code %q, want %q: %d %+v", name, r.code(), c.code, r.status, r.Errors)
			continue
		}
		if r.status != c.status {
			t.Errorf("%s: status %d, want %d", name, r.status, c.status)
		}
		for _, e := range r.Errors {
			if e.Extensions["code"] == nil || e.Message == "" {
				t.Errorf("%s: an error without code or message: %+v", name, e)
			}
			if len(e.Message) > 300 {
				t.Errorf("%s: message of %d bytes echoes the request", name, len(e.Message))
			}
		}
	}
}

type repeatReader struct {
	b []byte
	n int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	for n < len(p) && n < r.n {
		n += copy(p[n:], r.b)
	}
	if n > r.n {
		n = r.n
	}
	r.n -= n
	return n, nil
}

func multipartPost(t *testing.T, f *testServer, tok, operations, mapping, filename, content string) gqlResponse {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("operations", operations)
	_ = mw.WriteField("map", mapping)
	w, _ := mw.CreateFormFile("0", filename)
	_, _ = w.Write([]byte(content))
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/graphql", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return f.send(tok, req)
}

func (f *testServer) get(tok, q string) gqlResponse {
	f.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/graphql?query="+url.QueryEscape(q), nil)
	return f.send(tok, req)
}

// introspectionQuery is exactly what graphql-js 16's getIntrospectionQuery() returns with its default
// options (the version embedded in GraphiQL 3.8.3, internal/graphiql/assets, and used by
// graphql-codegen's URL loader): nine levels of ofType, 15 fields deep.
var introspectionQuery = `
    query IntrospectionQuery {
      __schema {
        
        queryType { name }
        mutationType { name }
        subscriptionType { name }
        types {
          ...FullType
        }
        directives {
          name
          description
          
          locations
          args {
            ...InputValue
          }
        }
      }
    }

    fragment FullType on __Type {
      kind
      name
      description
      
      
      fields(includeDeprecated: true) {
        name
        description
        args {
          ...InputValue
        }
        type {
          ...TypeRef
        }
        isDeprecated
        deprecationReason
      }
      inputFields {
        ...InputValue
      }
      interfaces {
        ...TypeRef
      }
      enumValues(includeDeprecated: true) {
        name
        description
        isDeprecated
        deprecationReason
      }
      possibleTypes {
        ...TypeRef
      }
    }

    fragment InputValue on __InputValue {
      name
      description
      type { ...TypeRef }
      defaultValue
      
      
    }

` + typeRefFragment(9) + "  "

// typeRefFragment writes graphql-js's TypeRef fragment: kind and name, then ofType nested depth times, in
// graphql-js's indentation.
func typeRefFragment(depth int) string {
	var b strings.Builder
	b.WriteString("    fragment TypeRef on __Type {\n")
	for i := 0; i <= depth; i++ {
		in := strings.Repeat("  ", 3+i)
		b.WriteString(in + "kind\n" + in + "name\n")
		if i < depth {
			b.WriteString(in + "ofType {\n")
		}
	}
	for i := depth - 1; i >= -1; i-- {
		b.WriteString(strings.Repeat("  ", 3+i) + "}\n")
	}
	return b.String()
}

// In dev mode GraphiQL and graphql-codegen load the schema with the standard introspection query; the depth
// limit is for data, not for the schema's description. Outside dev mode the same query is FORBIDDEN.
func TestDevIntrospectionQueryOfGraphQLJS(t *testing.T) {
	t.Parallel()
	dev := newFixture(t, true)
	seed(t, dev.db.App, 0)
	for _, q := range []string{introspectionQuery,
		// GraphiQL asks with inputValueDeprecation: true.
		strings.Replace(strings.Replace(introspectionQuery, "args {", "args(includeDeprecated: true) {", -1),
			"inputFields {", "inputFields(includeDeprecated: true) {", 1)} {
		r := dev.query(dev.token("board", "GL"), q, nil)
		if len(r.Errors) > 0 {
			t.Fatalf("dev introspection: %+v", r.Errors)
		}
		schema, _ := r.Data["__schema"].(map[string]any)
		types, _ := schema["types"].([]any)
		found := false
		for _, ty := range types {
			if ty.(map[string]any)["name"] == "Candidate" {
				found = true
			}
		}
		if !found || schema["queryType"].(map[string]any)["name"] != "Query" {
			t.Errorf("introspection result lacks the schema: %d types", len(types))
		}
	}
	// Data queries keep their depth limit in dev mode.
	deep := "{ viewer { unit { " + strings.Repeat("parent { ", 15) + "code" + strings.Repeat(" }", 15) + " } } }"
	if r := dev.query(dev.token("board", "GL"), deep, nil); r.code() != "INVALID_INPUT" {
		t.Errorf("deep data query in dev mode: %+v", r)
	}
	// Outside dev mode the same query is refused as introspection, not as too deep.
	prod := newFixture(t, false)
	seed(t, prod.db.App, 0)
	if r := prod.query(prod.token("admin", ""), introspectionQuery, nil); r.code() != "FORBIDDEN" {
		t.Errorf("introspection outside dev: %+v", r)
	}
}
