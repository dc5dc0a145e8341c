// Package graphiql serves a GraphiQL IDE whose assets (GraphiQL, React,
// ReactDOM, CSS with inlined fonts) are all embedded in the binary, so the
// page works on closed networks: nothing is loaded from a CDN or any other
// external URL. See assets/VERSIONS.txt for the bundled versions and licenses.
//
// The handler serves the IDE page at "/" (and "/index.html") and the embedded
// files under "/assets/". The page refers to its assets with relative URLs, so
// the handler can be mounted at the root or below a prefix with
// http.StripPrefix:
//
//	mux.Handle("/graphiql/", http.StripPrefix("/graphiql", graphiql.Handler(opts)))
package graphiql

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultEndpoint is the GraphQL endpoint used when Options.Endpoint is empty.
const DefaultEndpoint = "/graphql"

// DefaultTitle is the page title used when Options.Title is empty.
const DefaultTitle = "GraphiQL"

// Options configures Handler.
type Options struct {
	// Endpoint is the URL of the GraphQL endpoint the IDE sends requests to,
	// e.g. "/graphql" or "https://api.example.org/graphql". A relative URL is
	// resolved by the browser against the IDE page's URL, so use an absolute
	// path when the handler is mounted below a prefix. Empty means
	// DefaultEndpoint.
	Endpoint string
	// Token, when non-empty, makes GraphiQL send "Authorization: Bearer
	// <Token>" by default: it prefills GraphiQL's headers editor (via the
	// defaultHeaders prop), where the user can change or remove it.
	Token string
	// DefaultQuery is shown in the query editor of a fresh GraphiQL (no tabs
	// saved in the browser's localStorage yet) and of every new tab. Empty
	// means GraphiQL's built-in welcome text.
	DefaultQuery string
	// Title is the HTML page title. Empty means DefaultTitle.
	Title string
}

//go:embed index.html
var indexHTML string

//go:embed assets
var assetFS embed.FS

var indexTmpl = template.Must(template.New("index.html").Parse(indexHTML))

// assetCacheControl is sent with every asset. Asset URLs in the page carry a
// content hash (?v=...), so a new build never hits a stale cached copy.
const assetCacheControl = "public, max-age=31536000, immutable"

type asset struct {
	name        string
	contentType string
	data        []byte
	hash        string // hex SHA-256 prefix of data

	gzOnce sync.Once
	gz     []byte // gzip of data, nil if not worth it
}

func (a *asset) gzipped() []byte {
	a.gzOnce.Do(func() {
		if !strings.HasPrefix(a.contentType, "text/") && a.contentType != "image/svg+xml" {
			return
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(a.data)
		_ = zw.Close()
		if buf.Len() < len(a.data) {
			a.gz = buf.Bytes()
		}
	})
	return a.gz
}

var contentTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".txt": "text/plain; charset=utf-8",
	".svg": "image/svg+xml",
}

// assets maps a file name under assets/ to the embedded file.
var assets = loadAssets()

func loadAssets() map[string]*asset {
	m := make(map[string]*asset)
	entries, err := fs.ReadDir(assetFS, "assets")
	if err != nil {
		panic(fmt.Sprintf("graphiql: reading embedded assets: %v", err))
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := assetFS.ReadFile("assets/" + e.Name())
		if err != nil {
			panic(fmt.Sprintf("graphiql: reading embedded asset %s: %v", e.Name(), err))
		}
		ct, ok := contentTypes[path.Ext(e.Name())]
		if !ok {
			ct = "application/octet-stream"
		}
		sum := sha256.Sum256(data)
		m[e.Name()] = &asset{
			name:        e.Name(),
			contentType: ct,
			data:        data,
			hash:        hex.EncodeToString(sum[:8]),
		}
	}
	return m
}

// pageConfig is injected into the page as JSON and read by graphiql-init.js.
type pageConfig struct {
	Endpoint       string `json:"endpoint"`
	DefaultQuery   string `json:"defaultQuery,omitempty"`
	DefaultHeaders string `json:"defaultHeaders,omitempty"`
}

// pageData is the data of index.html.
type pageData struct {
	Title  string
	Config pageConfig
}

// Asset returns the relative URL of an embedded asset, with a cache-busting
// content hash.
func (pageData) Asset(name string) (string, error) {
	a, ok := assets[name]
	if !ok {
		return "", fmt.Errorf("graphiql: no embedded asset %q", name)
	}
	return "assets/" + a.name + "?v=" + a.hash, nil
}

type handler struct {
	page []byte
	etag string
	csp  string
}

// Handler returns an http.Handler serving the GraphiQL IDE configured by opts.
// It serves the page at "/" and "/index.html" and the embedded assets at
// "/assets/<name>", relative to wherever it is mounted (see the package doc).
func Handler(opts Options) http.Handler {
	if opts.Endpoint == "" {
		opts.Endpoint = DefaultEndpoint
	}
	if opts.Title == "" {
		opts.Title = DefaultTitle
	}
	data := pageData{
		Title: opts.Title,
		Config: pageConfig{
			Endpoint:     opts.Endpoint,
			DefaultQuery: opts.DefaultQuery,
		},
	}
	if opts.Token != "" {
		data.Config.DefaultHeaders = defaultHeaders(opts.Token)
	}
	var buf bytes.Buffer
	if err := indexTmpl.Execute(&buf, data); err != nil {
		// The template and asset names are fixed at build time; the test
		// suite executes them.
		panic(fmt.Sprintf("graphiql: rendering index.html: %v", err))
	}
	sum := sha256.Sum256(buf.Bytes())
	return &handler{
		page: buf.Bytes(),
		etag: `"` + hex.EncodeToString(sum[:8]) + `"`,
		csp:  contentSecurityPolicy(opts.Endpoint),
	}
}

// defaultHeaders returns the initial text of GraphiQL's headers editor.
func defaultHeaders(token string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // the page template escapes for HTML itself
	enc.SetIndent("", "  ")
	if err := enc.Encode(map[string]string{"Authorization": "Bearer " + token}); err != nil {
		panic(err) // cannot happen for a map of strings
	}
	return strings.TrimSpace(buf.String())
}

// contentSecurityPolicy forbids loading anything but the handler's own assets
// (fonts and icons may be data: URIs) and lets the page talk only to its own
// origin and to the GraphQL endpoint's origin.
func contentSecurityPolicy(endpoint string) string {
	connect := []string{"'self'"}
	if u, err := url.Parse(endpoint); err == nil && u.Host != "" {
		switch strings.ToLower(u.Scheme) {
		case "http", "ws":
			connect = append(connect, "http://"+u.Host, "ws://"+u.Host)
		case "https", "wss":
			connect = append(connect, "https://"+u.Host, "wss://"+u.Host)
		}
	}
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self'",
		"style-src 'self' 'unsafe-inline'",
		"font-src 'self' data:",
		"img-src 'self' data:",
		"connect-src " + strings.Join(connect, " "),
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'self'",
	}, "; ")
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	p := strings.TrimPrefix(r.URL.Path, "/")
	switch {
	case p == "" || p == "index.html":
		if r.URL.Path == "" && redirectToSlash(w, r) {
			return
		}
		h.servePage(w, r)
	case strings.HasPrefix(p, "assets/"):
		a, ok := assets[strings.TrimPrefix(p, "assets/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		serveAsset(w, r, a)
	default:
		http.NotFound(w, r)
	}
}

// redirectToSlash handles a request whose path was stripped to "" by
// http.StripPrefix, e.g. "/graphiql" under StripPrefix("/graphiql", h): the
// page's relative asset URLs only resolve correctly below "/graphiql/", so it
// redirects there. It reports whether it wrote a redirect.
func redirectToSlash(w http.ResponseWriter, r *http.Request) bool {
	orig, err := url.ParseRequestURI(r.RequestURI)
	if err != nil || orig.Path == "" || strings.HasSuffix(orig.Path, "/") {
		return false
	}
	// Relative to the original URL, so it is right whatever the prefix.
	target := &url.URL{Path: path.Base(orig.Path) + "/", RawQuery: r.URL.RawQuery}
	w.Header().Set("Location", target.String())
	w.WriteHeader(http.StatusMovedPermanently)
	return true
}

func (h *handler) servePage(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	// The page may embed a bearer token: keep it out of shared caches.
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("Content-Security-Policy", h.csp)
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("ETag", h.etag)
	http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(h.page))
}

func serveAsset(w http.ResponseWriter, r *http.Request, a *asset) {
	hdr := w.Header()
	hdr.Set("Content-Type", a.contentType)
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Add("Vary", "Accept-Encoding")
	if v := r.URL.Query().Get("v"); v != "" && v != a.hash {
		// A page from another build asked for this asset: do not let a
		// long-lived cache entry pin the wrong content to that URL.
		hdr.Set("Cache-Control", "no-cache")
	} else {
		hdr.Set("Cache-Control", assetCacheControl)
	}
	body, etag := a.data, `"`+a.hash+`"`
	if acceptsGzip(r) {
		if gz := a.gzipped(); gz != nil {
			body, etag = gz, `"`+a.hash+`-gz"`
			hdr.Set("Content-Encoding", "gzip")
		}
	}
	hdr.Set("ETag", etag)
	http.ServeContent(w, r, a.name, time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip.
func acceptsGzip(r *http.Request) bool {
	for _, field := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(field, ",") {
			coding, params, _ := strings.Cut(part, ";")
			if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
				continue
			}
			q := 1.0
			for _, param := range strings.Split(params, ";") {
				k, v, ok := strings.Cut(param, "=")
				if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
					if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
						q = f
					}
				}
			}
			return q > 0
		}
	}
	return false
}
