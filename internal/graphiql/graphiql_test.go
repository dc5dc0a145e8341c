package graphiql

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"ptdv/internal/fixture"
)

var (
	scriptSrcRE  = regexp.MustCompile(`(?i)<script\b[^>]*\bsrc="([^"]*)"`)
	linkHrefRE   = regexp.MustCompile(`(?i)<link\b[^>]*\bhref="([^"]*)"`)
	configRE     = regexp.MustCompile(`(?s)<script id="graphiql-config" type="application/json">(.*?)</script>`)
	titleRE      = regexp.MustCompile(`(?s)<title>(.*?)</title>`)
	remoteAttrRE = regexp.MustCompile(`(?i)\b(?:src|href)\s*=\s*["']?\s*(?:https?:|//)`)
)

// hostile values that must come out escaped.
const (
	testEndpoint = `/graphql?x=<b>&y="q"'</script>`
	testToken    = `tok</script><script>alert(1)</script>&"'\`
	testQuery    = "query Q { a(s: \"</script>\") }\n"
	testTitle    = `<b>ptdv</b> & "IDE"`
)

func get(t *testing.T, client *http.Client, rawURL string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return fixture.Do(t, client, req)
}

func wantContentType(name string) string {
	switch {
	case strings.HasSuffix(name, ".js"):
		return "text/javascript; charset=utf-8"
	case strings.HasSuffix(name, ".css"):
		return "text/css; charset=utf-8"
	case strings.HasSuffix(name, ".svg"):
		return "image/svg+xml"
	case strings.HasSuffix(name, ".txt"):
		return "text/plain; charset=utf-8"
	}
	return ""
}

// checkPage fetches the page at pageURL and every asset it references, and
// returns the page body.
func checkPage(t *testing.T, pageURL string) string {
	t.Helper()
	resp, body := get(t, nil, pageURL, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200", pageURL, resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("page Content-Type = %q", ct)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("page Cache-Control = %q, want no-store", cc)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "connect-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	page := string(body)
	if remoteAttrRE.MatchString(page) {
		t.Errorf("page references a remote URL: %q", remoteAttrRE.FindString(page))
	}
	for _, bad := range []string{`src="http`, `href="http`, `src="//`, `href="//`} {
		if strings.Contains(strings.ToLower(page), bad) {
			t.Errorf("page contains %q", bad)
		}
	}

	base, err := url.Parse(resp.Request.URL.String())
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, m := range scriptSrcRE.FindAllStringSubmatch(page, -1) {
		refs = append(refs, m[1])
	}
	nScripts := len(refs)
	for _, m := range linkHrefRE.FindAllStringSubmatch(page, -1) {
		refs = append(refs, m[1])
	}
	if nScripts != 4 || len(refs) != 6 {
		t.Fatalf("page has %d script srcs and %d link hrefs, want 4 and 2: %q", nScripts, len(refs)-nScripts, refs)
	}
	for _, ref := range refs {
		raw := html.UnescapeString(ref)
		u, err := url.Parse(raw)
		if err != nil {
			t.Errorf("bad asset URL %q: %v", raw, err)
			continue
		}
		if u.IsAbs() || u.Host != "" || strings.HasPrefix(u.Path, "/") || !strings.HasPrefix(u.Path, "assets/") {
			t.Errorf("asset URL %q is not relative below assets/", raw)
			continue
		}
		abs := base.ResolveReference(u).String()
		aresp, abody := get(t, nil, abs, nil)
		if aresp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: status %d", abs, aresp.StatusCode)
			continue
		}
		if len(abody) == 0 {
			t.Errorf("GET %s: empty body", abs)
		}
		if got, want := aresp.Header.Get("Content-Type"), wantContentType(u.Path); got != want {
			t.Errorf("GET %s: Content-Type %q, want %q", abs, got, want)
		}
		if cc := aresp.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") {
			t.Errorf("GET %s: Cache-Control %q, want a long max-age", abs, cc)
		}
	}
	return page
}

func TestPageAtRoot(t *testing.T) {
	srv := httptest.NewServer(Handler(Options{
		Endpoint:     testEndpoint,
		Token:        testToken,
		DefaultQuery: testQuery,
		Title:        testTitle,
	}))
	defer srv.Close()

	page := checkPage(t, srv.URL+"/")

	// Nothing injected may break out of its context.
	for _, raw := range []string{testToken, testEndpoint, testTitle, "<script>alert(1)", `</script>")`} {
		if strings.Contains(page, raw) {
			t.Errorf("page contains unescaped %q", raw)
		}
	}
	if got := strings.Count(page, "</script>"); got != 5 {
		t.Errorf("page has %d </script> tags, want 5 (config + 4 scripts)", got)
	}

	m := titleRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no <title>")
	}
	if m[1] != "&lt;b&gt;ptdv&lt;/b&gt; &amp; &#34;IDE&#34;" {
		t.Errorf("title = %q", m[1])
	}
	if html.UnescapeString(m[1]) != testTitle {
		t.Errorf("title unescapes to %q, want %q", html.UnescapeString(m[1]), testTitle)
	}

	m = configRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no graphiql-config script")
	}
	// The browser hands the raw text of the element to JSON.parse.
	var cfg struct {
		Endpoint       string `json:"endpoint"`
		DefaultQuery   string `json:"defaultQuery"`
		DefaultHeaders string `json:"defaultHeaders"`
	}
	if err := json.Unmarshal([]byte(m[1]), &cfg); err != nil {
		t.Fatalf("config %q is not JSON: %v", m[1], err)
	}
	if cfg.Endpoint != testEndpoint {
		t.Errorf("endpoint = %q, want %q", cfg.Endpoint, testEndpoint)
	}
	if cfg.DefaultQuery != testQuery {
		t.Errorf("defaultQuery = %q, want %q", cfg.DefaultQuery, testQuery)
	}
	var headers map[string]string
	if err := json.Unmarshal([]byte(cfg.DefaultHeaders), &headers); err != nil {
		t.Fatalf("defaultHeaders %q is not JSON: %v", cfg.DefaultHeaders, err)
	}
	if want := map[string]string{"Authorization": "Bearer " + testToken}; len(headers) != 1 || headers["Authorization"] != want["Authorization"] {
		t.Errorf("defaultHeaders = %v, want %v", headers, want)
	}
	// The escaped forms are what html/template's JS escaping produces.
	for _, want := range []string{`\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e\u0026`, `/graphql?x=\u003cb\u003e\u0026y=`} {
		if !strings.Contains(m[1], want) {
			t.Errorf("config %q lacks escaped %q", m[1], want)
		}
	}

	// /index.html is the same page.
	resp, body := get(t, nil, srv.URL+"/index.html", nil)
	if resp.StatusCode != http.StatusOK || string(body) != page {
		t.Errorf("GET /index.html: status %d, same page %v", resp.StatusCode, string(body) == page)
	}
}

func TestNoToken(t *testing.T) {
	srv := httptest.NewServer(Handler(Options{}))
	defer srv.Close()
	page := checkPage(t, srv.URL+"/")
	m := configRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no graphiql-config script")
	}
	var cfg map[string]any
	if err := json.Unmarshal([]byte(m[1]), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg["endpoint"] != DefaultEndpoint {
		t.Errorf("endpoint = %v, want %q", cfg["endpoint"], DefaultEndpoint)
	}
	if _, ok := cfg["defaultHeaders"]; ok {
		t.Errorf("defaultHeaders set without a token: %v", cfg)
	}
	if strings.Contains(page, "Authorization") || strings.Contains(page, "Bearer") {
		t.Error("page mentions Authorization without a token")
	}
	if m := titleRE.FindStringSubmatch(page); m == nil || m[1] != DefaultTitle {
		t.Errorf("title = %v, want %q", m, DefaultTitle)
	}
}

func TestStripPrefixMount(t *testing.T) {
	h := Handler(Options{Endpoint: "/graphql", Token: "t"})
	mux := http.NewServeMux()
	mux.Handle("/ide/", http.StripPrefix("/ide", h))
	mux.Handle("/ide2/", http.StripPrefix("/ide2/", h))
	mux.Handle("/ide3", http.StripPrefix("/ide3", h))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	checkPage(t, srv.URL+"/ide/")
	checkPage(t, srv.URL+"/ide2/")
	// ServeMux redirects /ide to /ide/.
	checkPage(t, srv.URL+"/ide")

	// An exact mount strips the path to "": the handler redirects below the
	// prefix so that relative asset URLs resolve.
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, _ := get(t, noRedirect, srv.URL+"/ide3?a=b", nil)
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "ide3/?a=b" {
		t.Errorf("GET /ide3: status %d Location %q, want 301 to ide3/?a=b", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestAssets(t *testing.T) {
	srv := httptest.NewServer(Handler(Options{}))
	defer srv.Close()

	for _, name := range []string{"graphiql.min.js", "graphiql.min.css", "react.production.min.js", "react-dom.production.min.js", "graphiql-init.js", "favicon.svg", "VERSIONS.txt"} {
		a, ok := assets[name]
		if !ok {
			t.Errorf("asset %s is not embedded", name)
			continue
		}
		resp, body := get(t, nil, srv.URL+"/assets/"+name, nil)
		if resp.StatusCode != http.StatusOK || !bytes.Equal(body, a.data) {
			t.Errorf("GET /assets/%s: status %d, %d bytes, want 200 and %d bytes", name, resp.StatusCode, len(body), len(a.data))
		}
		if got, want := resp.Header.Get("Content-Type"), wantContentType(name); got != want {
			t.Errorf("GET /assets/%s: Content-Type %q, want %q", name, got, want)
		}
		if got := resp.Header.Get("Cache-Control"); got != assetCacheControl {
			t.Errorf("GET /assets/%s: Cache-Control %q", name, got)
		}

		// Gzip when asked for (the header is set by hand, so the transport
		// does not decompress).
		resp, body = get(t, nil, srv.URL+"/assets/"+name, map[string]string{"Accept-Encoding": "gzip"})
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			plain, err := io.ReadAll(zr)
			if err != nil || !bytes.Equal(plain, a.data) {
				t.Errorf("%s: gzip body does not decompress to the asset (err %v)", name, err)
			}
		} else if len(a.data) > 10000 {
			t.Errorf("%s: not gzipped", name)
		}

		// Conditional requests.
		etag := resp.Header.Get("ETag")
		resp, _ = get(t, nil, srv.URL+"/assets/"+name, map[string]string{"Accept-Encoding": "gzip", "If-None-Match": etag})
		if resp.StatusCode != http.StatusNotModified {
			t.Errorf("%s: If-None-Match %s: status %d, want 304", name, etag, resp.StatusCode)
		}
	}

	resp, _ := get(t, nil, srv.URL+"/assets/graphiql.min.js", map[string]string{"Accept-Encoding": "gzip;q=0, identity"})
	if resp.Header.Get("Content-Encoding") != "" {
		t.Error("gzip sent although q=0")
	}
	resp, _ = get(t, nil, srv.URL+"/assets/graphiql.min.js?v=stale", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("stale ?v: status %d, Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}

	for _, p := range []string{"/assets/", "/assets/nope.js", "/assets/../graphiql.go", "/assets/%2e%2e/index.html", "/index.htm", "/graphiql.go", "/favicon.ico"} {
		resp, _ := get(t, nil, srv.URL+p, nil)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", p, resp.StatusCode)
		}
	}

	resp, err := http.Post(srv.URL+"/", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /: status %d, want 405", resp.StatusCode)
	}
}

// The IDE must work on closed networks: no embedded file may load anything
// from an external URL (links in license comments are fine).
func TestNoExternalResources(t *testing.T) {
	cssRemote := regexp.MustCompile(`(?i)@import|url\(\s*['"]?\s*(?:https?:|//)`)
	cdnHosts := regexp.MustCompile(`(?i)(?:https?:)?//[a-z0-9.-]*(?:fonts\.googleapis\.com|fonts\.gstatic\.com|unpkg\.com|jsdelivr\.net|cdnjs\.cloudflare\.com|esm\.sh|googletagmanager\.com|google-analytics\.com)`)
	for name, a := range assets {
		if name == "VERSIONS.txt" {
			continue
		}
		if strings.HasSuffix(name, ".css") {
			if m := cssRemote.Find(a.data); m != nil {
				t.Errorf("%s: remote CSS reference %q", name, m)
			}
		}
		if m := cdnHosts.Find(a.data); m != nil {
			t.Errorf("%s: references CDN host %q", name, m)
		}
		if bytes.Contains(a.data, []byte("sourceMappingURL=")) {
			t.Errorf("%s: references a source map that is not embedded", name)
		}
	}
	if m := cdnHosts.FindString(indexHTML); m != "" {
		t.Errorf("index.html references CDN host %q", m)
	}
	if remoteAttrRE.MatchString(indexHTML) {
		t.Errorf("index.html references a remote URL: %q", remoteAttrRE.FindString(indexHTML))
	}
}

func TestContentSecurityPolicyEndpointOrigin(t *testing.T) {
	csp := contentSecurityPolicy("https://api.example.org:8443/graphql")
	if !strings.Contains(csp, "connect-src 'self' https://api.example.org:8443 wss://api.example.org:8443;") {
		t.Errorf("csp = %q", csp)
	}
	csp = contentSecurityPolicy("/graphql")
	if !strings.Contains(csp, "connect-src 'self';") {
		t.Errorf("csp = %q", csp)
	}
}

func TestAcceptsGzip(t *testing.T) {
	for ae, want := range map[string]bool{
		"":                      false,
		"gzip":                  true,
		"deflate, gzip;q=1.0":   true,
		"br, GZIP ; q=0.5":      true,
		"gzip;q=0":              false,
		"gzip;q=0.000, deflate": false,
		"identity":              false,
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if ae != "" {
			r.Header.Set("Accept-Encoding", ae)
		}
		if got := acceptsGzip(r); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", ae, got, want)
		}
	}
}
