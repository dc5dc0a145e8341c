package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"

	"ptdv/graph"
	"ptdv/internal/bulk"
	"ptdv/internal/sheet"
)

const importMutation = `mutation($file: Upload!, $skip: Boolean) {
  importList(input: {kind: CANDIDATES, file: $file, skipInvalid: $skip}) {
    written rows created updated unchanged rejected
    problems { row column code rule message }
    rejectFile { name contentType base64 }
  }
}`

// upload sends importList as a GraphQL multipart request with the file under the given name.
func (f *testServer) upload(tok, name string, content []byte, skip bool) gqlResponse {
	f.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	ops, _ := json.Marshal(map[string]any{"query": importMutation, "variables": map[string]any{"file": nil, "skip": skip}})
	_ = w.WriteField("operations", string(ops))
	_ = w.WriteField("map", `{"0": ["variables.file"]}`)
	part, _ := w.CreateFormFile("0", name)
	_, _ = part.Write(content)
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/graphql", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return f.send(tok, req)
}

func csvFile(t *testing.T, rows ...[]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := sheet.Write(&buf, sheet.CSV, sheet.Sheet{Header: bulk.Headers(bulk.Candidates), Rows: rows}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// candidateRow fills a candidate row by header.
func candidateRow(kv ...string) []string {
	h := bulk.Headers(bulk.Candidates)
	row := make([]string, len(h))
	for i := 0; i < len(kv); i += 2 {
		for j, name := range h {
			if name == kv[i] {
				row[j] = kv[i+1]
			}
		}
	}
	return row
}

// A board uploads a list through GraphQL; a bad row comes back with its reasons and a reject file,
// a hostile file with INVALID_FILE, and the export returns the recorded rows in the same layout.
func TestImportAndExportThroughGraphQL(t *testing.T) {
	f, ids := seeded(t, 1)
	tok := f.token("board", "GL.PK")
	good := candidateRow("Họ và tên", "Rơ Mah Hơn", "Giới tính", "Nam", "Ngày sinh", "02/03/2001", "Số CCCD", "064201000123",
		"Dân tộc", "Gia Rai", "Mã chi bộ", "GL.PK.HP.1", "Nơi giới thiệu nguồn", "Chi bộ", "Ngày vào danh sách nguồn", "15/01/2025")
	bad := candidateRow("Họ và tên", "Nguyễn Văn Sai", "Giới tính", "Nam", "Ngày sinh", "2001-03-02", "Số CCCD", "064201000124",
		"Mã chi bộ", "GL.PK.HP.1", "Nơi giới thiệu nguồn", "Chi bộ", "Ngày vào danh sách nguồn", "15/01/2025")

	r := f.upload(tok, "danh-sach.csv", csvFile(t, good, bad), false)
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	p := r.Data["importList"].(map[string]any)
	probs := p["problems"].([]any)
	if p["written"] != false || p["rejected"].(float64) != 1 || len(probs) != 1 {
		t.Fatalf("payload = %v", p)
	}
	pr := probs[0].(map[string]any)
	if pr["row"].(float64) != 3 || pr["column"] != "Ngày sinh" || pr["code"] != "INVALID_INPUT" {
		t.Errorf("problem = %v", pr)
	}
	rf := p["rejectFile"].(map[string]any)
	raw, _ := base64.StdEncoding.DecodeString(rf["base64"].(string))
	rej, err := sheet.Read(bytes.NewReader(raw), sheet.CSV, sheet.DefaultLimits)
	if err != nil || len(rej.Rows) != 1 || rej.Header[len(rej.Header)-1] != "Lỗi" || rf["name"] != "danh-sach.loi.csv" {
		t.Fatalf("reject file %v: %+v, %v", rf["name"], rej, err)
	}

	// Every bad row is listed with its reasons, not only the first 1,000.
	many := [][]string{good}
	for i := range 1205 {
		row := slices.Clone(bad)
		row[slices.Index(bulk.Headers(bulk.Candidates), "Số CCCD")] = fmt.Sprintf("0642019%05d", i)
		many = append(many, row)
	}
	r = f.upload(tok, "nhieu-loi.csv", csvFile(t, many...), false)
	if p, _ := r.Data["importList"].(map[string]any); p == nil || len(p["problems"].([]any)) != 1205 {
		t.Errorf("1,205 bad rows: %d problems listed, %v", len(p["problems"].([]any)), r.Errors)
	}

	r = f.upload(tok, "danh-sach.csv", csvFile(t, good, bad), true)
	if p := r.Data["importList"].(map[string]any); p["written"] != true || p["created"].(float64) != 1 {
		t.Fatalf("skip invalid: %v %v", p, r.Errors)
	}

	for name, content := range map[string][]byte{
		"anh.xlsx":      {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0},
		"cat-ngan.xlsx": []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"),
		"ds.csv":        {0, 1, 2, 3, 0xff, 0xfe},
		"ds.pdf":        []byte("%PDF-1.7"),
	} {
		r := f.upload(tok, name, content, false)
		if r.code() != "INVALID_FILE" {
			t.Errorf("%s: %+v", name, r.Errors)
		}
	}

	// Every run is audited under the upload's SHA-256, the unreadable ones too.
	// Read through the owner: row-level security shows the audit trail to the national scope only.
	for content, want := range map[string]string{string(csvFile(t, good, bad)): "refused,written", "\x00\x01\x02\x03\xff\xfe": "invalid"} {
		sum := sha256.Sum256([]byte(content))
		var outcomes string
		var rows []string
		err := f.db.Owner.NewRaw(`SELECT after->>'outcome' FROM audit_log WHERE action = 'import.run' AND entity_id = ? ORDER BY id`,
			hex.EncodeToString(sum[:])).Scan(context.Background(), &rows)
		if outcomes = strings.Join(rows, ","); err != nil || outcomes != want {
			t.Errorf("audit of the runs: %q, want %q (%v)", outcomes, want, err)
		}
	}

	// Over the upload limit: refused before it is read, as a file problem.
	if r := f.upload(tok, "lon.csv", bytes.Repeat([]byte("a,b\n"), graph.MaxUpload/4+1), false); r.code() != "INVALID_FILE" || r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversize upload: %d %+v", r.status, r.Errors)
	}

	r = f.query(tok, `query($u: ID!) { exportList(unitId: $u, kind: CANDIDATES, format: CSV) { name contentType base64 } }`,
		map[string]any{"u": gid("Unit", ids["GL.PK"])})
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	ex := r.Data["exportList"].(map[string]any)
	raw, _ = base64.StdEncoding.DecodeString(ex["base64"].(string))
	got, err := sheet.Read(bytes.NewReader(raw), sheet.CSV, sheet.DefaultLimits)
	if err != nil || len(got.Rows) != 1 || !strings.Contains(strings.Join(got.Rows[0].Cells, "|"), "Rơ Mah Hơn|Nam|02/03/2001|064201000123|Gia Rai") {
		t.Fatalf("export: %+v %v", got, err)
	}
	// A viewer may not import; the upload is refused before a row is read.
	if r := f.upload(f.token("viewer", "GL.PK"), "ds.csv", csvFile(t, good), false); r.code() != "FORBIDDEN" {
		t.Errorf("viewer import: %+v", r.Errors)
	}
}
