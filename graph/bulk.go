package graph

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"strings"

	"github.com/uptrace/bun"

	"ptdv/graph/model"
	"ptdv/internal/apperr"
	"ptdv/internal/bulk"
	"ptdv/internal/sheet"
)

// MaxUpload is the largest file importList accepts (the multipart request as a whole).
const MaxUpload = 32 << 20

// lateCode is the code of a warning: a missed deadline recorded as a fact of the past.
const lateCode = "LATE"

func listKind(k model.ListKind) bulk.Kind {
	switch k {
	case model.ListKindMembers:
		return bulk.Members
	case model.ListKindTargets:
		return bulk.Targets
	case model.ListKindUnits:
		return bulk.Units
	}
	return bulk.Candidates
}

func fileFormat(f *model.FileFormat) sheet.Format {
	if f != nil && *f == model.FileFormatCSV {
		return sheet.CSV
	}
	return sheet.XLSX
}

var contentTypes = map[sheet.Format]string{
	sheet.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	sheet.CSV:  "text/csv; charset=utf-8",
}

// fileOf encodes a sheet as an inline file.
func fileOf(name string, f sheet.Format, s sheet.Sheet) (*model.File, error) {
	var buf bytes.Buffer
	if err := sheet.Write(&buf, f, s); err != nil {
		return nil, err
	}
	return &model.File{Name: name + "." + string(f), ContentType: contentTypes[f], Base64: base64.StdEncoding.EncodeToString(buf.Bytes())}, nil
}

func importPayload(rep bulk.Report, name string, f sheet.Format) (*model.ImportListPayload, error) {
	out := &model.ImportListPayload{Written: rep.Written, Rows: rep.Rows, Created: rep.Created, Updated: rep.Updated,
		Unchanged: rep.Unchanged, Rejected: rep.Bad(), Problems: []model.ImportProblem{}}
	// Every problem and warning, each with its rule's id: an office fixes a file of 200,000 rows from
	// this list as well as from the reject file.
	for _, p := range rep.Problems {
		mp := model.ImportProblem{Row: p.Row, Code: string(p.Code), Message: p.Message}
		if p.Column != "" {
			mp.Column = &p.Column
		}
		if p.Rule != "" {
			mp.Rule = &p.Rule
		}
		out.Problems = append(out.Problems, mp)
	}
	out.Warnings = []model.ImportProblem{}
	for _, w := range rep.Warnings {
		mp := model.ImportProblem{Row: w.Row, Code: lateCode, Message: w.Message, Rule: &w.Rule}
		if w.Column != "" {
			mp.Column = &w.Column
		}
		out.Warnings = append(out.Warnings, mp)
	}
	if rep.Bad() > 0 {
		file, err := fileOf(strings.TrimSuffix(name, "."+string(f))+".loi", f, rep.Rejected)
		if err != nil {
			return nil, err
		}
		out.RejectFile = file
	}
	return out, nil
}

// formatOfUpload reads the format from the uploaded file's name.
func formatOfUpload(name string) (sheet.Format, error) {
	f, err := sheet.FormatOf(name)
	if err != nil {
		if e, ok := apperr.As(err); ok && e.Field == "" {
			e.Field = "file"
		}
	}
	return f, err
}

// importUpload reads an uploaded list, hashing its bytes for the audit row of the run, and imports it. A
// file refused as unreadable is audited here: it never reaches bulk.Import.
func importUpload(ctx context.Context, d *bun.DB, k bulk.Kind, f sheet.Format, file io.Reader, opt bulk.Options) (bulk.Report, error) {
	h := sha256.New()
	t, err := sheet.Read(io.TeeReader(file, h), f, sheet.DefaultLimits)
	opt.FileHash = hex.EncodeToString(h.Sum(nil))
	if err != nil {
		if aerr := bulk.AuditUnreadable(ctx, d, k, opt.FileHash, err); aerr != nil {
			return bulk.Report{}, aerr
		}
		return bulk.Report{}, err
	}
	return bulk.Import(ctx, d, k, t, opt)
}
