package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
	"ptdv/internal/bulk"
	"ptdv/internal/org"
	"ptdv/internal/sheet"
)

// importCmd: ptdv import candidates|members|units|targets FILE, or ptdv import template KIND.
func importCmd(fs *flag.FlagSet) func(context.Context, *env) error {
	skip := fs.Bool("skip-invalid", false, "ghi các dòng hợp lệ, đưa dòng lỗi ra tệp lỗi (mặc định: có dòng lỗi thì không ghi gì)")
	reject := fs.String("reject", "", "tệp ghi các dòng lỗi (mặc định: <tệp>.loi.<đuôi>)")
	out := fs.String("out", "", "với template: tệp mẫu cần ghi (mặc định: mau-<loại>.xlsx)")
	return func(ctx context.Context, e *env) error {
		if len(e.args) != 2 {
			fmt.Fprintln(os.Stderr, "Cách dùng: ptdv import candidates|members|units|targets TỆP.xlsx|TỆP.csv [--skip-invalid] | ptdv import template candidates|members|units|targets [--out TỆP]")
			return errUsage
		}
		if e.args[0] == "template" {
			k, err := bulk.ParseKind(e.args[1])
			if err != nil {
				return userErr(err)
			}
			path := *out
			if path == "" {
				path = "mau-" + string(k) + ".xlsx"
			}
			main, help := bulk.Template(k)
			if err := writeSheet(path, main, help); err != nil {
				return err
			}
			fmt.Printf("Đã ghi tệp mẫu %s.\n", path)
			return nil
		}
		k, err := bulk.ParseKind(e.args[0])
		if err != nil {
			return userErr(err)
		}
		t, err := sheet.ReadFile(e.args[1], sheet.DefaultLimits)
		if err != nil {
			return userErr(err)
		}
		hash, err := fileHash(e.args[1])
		if err != nil {
			return err
		}
		_, app, err := e.migratedApp(ctx)
		if err != nil {
			return err
		}
		start := time.Now()
		rep, err := bulk.Import(auth.WithActor(ctx, auth.System("import")), app, k, t, bulk.Options{SkipInvalid: *skip, FileHash: hash})
		if err != nil {
			return userErr(err)
		}
		took := time.Since(start)
		for i, p := range rep.Problems {
			if i == 50 {
				fmt.Fprintf(os.Stderr, "… và %d lỗi khác (xem tệp lỗi).\n", len(rep.Problems)-50)
				break
			}
			fmt.Fprintln(os.Stderr, p.String())
		}
		for i, w := range rep.Warnings {
			if i == 50 {
				fmt.Fprintf(os.Stderr, "… và %d cảnh báo khác.\n", len(rep.Warnings)-50)
				break
			}
			fmt.Fprintln(os.Stderr, "Cảnh báo: "+w.String())
		}
		if rep.Bad() > 0 {
			path := *reject
			if path == "" {
				ext := filepath.Ext(e.args[1])
				path = strings.TrimSuffix(e.args[1], ext) + ".loi" + ext
			}
			if err := writeSheet(path, rep.Rejected); err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "%d dòng lỗi đã ghi ra %s (sửa rồi nhập lại tệp này).\n", rep.Bad(), path)
		}
		if !rep.Written {
			return fmt.Errorf("không ghi dòng nào: %d/%d dòng có lỗi (dùng --skip-invalid để chỉ ghi các dòng hợp lệ)", rep.Bad(), rep.Rows)
		}
		fmt.Printf("Đã nhập %d dòng trong %s (%.0f dòng/giây): %d mới, %d bổ sung, %d không đổi, %d bỏ qua vì lỗi, %d bước quá hạn được ghi nhận.\n",
			rep.Rows, took.Round(time.Millisecond), float64(rep.Rows)/took.Seconds(), rep.Created, rep.Updated, rep.Unchanged, rep.Bad(), len(rep.Warnings))
		return nil
	}
}

// exportCmd: ptdv export candidates|members|units|targets --unit CODE [--out FILE].
func exportCmd(fs *flag.FlagSet) func(context.Context, *env) error {
	unit := fs.String("unit", "", "mã đơn vị: xuất toàn bộ cây đơn vị trực thuộc (bắt buộc)")
	out := fs.String("out", "", "tệp cần ghi, .xlsx hoặc .csv (mặc định: <loại>-<mã>.xlsx)")
	on := fs.String("on", "", "ngày chốt danh sách YYYY-MM-DD (mặc định: hôm nay)")
	return func(ctx context.Context, e *env) error {
		if len(e.args) != 1 || *unit == "" {
			fmt.Fprintln(os.Stderr, "Cách dùng: ptdv export candidates|members|units|targets --unit MÃ [--out TỆP.xlsx|TỆP.csv]")
			return errUsage
		}
		k, err := bulk.ParseKind(e.args[0])
		if err != nil {
			return userErr(err)
		}
		day := time.Now()
		if *on != "" {
			if day, err = time.Parse(time.DateOnly, *on); err != nil {
				return fmt.Errorf("--on: %w", err)
			}
		}
		path := *out
		if path == "" {
			path = string(k) + "-" + *unit + ".xlsx"
		}
		if _, err := sheet.FormatOf(path); err != nil {
			return userErr(err)
		}
		_, app, err := e.migratedApp(ctx)
		if err != nil {
			return err
		}
		ctx = auth.WithActor(ctx, auth.System("export"))
		u, err := org.GetByCode(ctx, app, *unit, day)
		if err != nil {
			return userErr(err)
		}
		s, err := bulk.Export(ctx, app, k, u.ID, day)
		if err != nil {
			return userErr(err)
		}
		if err := writeSheet(path, s); err != nil {
			return err
		}
		fmt.Printf("Đã xuất %d dòng của %s ra %s.\n", len(s.Rows), u.Name, path)
		return nil
	}
}

// writeSheet writes a sheet to a file in the format its extension names, atomically.
func writeSheet(path string, s sheet.Sheet, extra ...sheet.Sheet) error {
	f, err := sheet.FormatOf(path)
	if err != nil {
		return userErr(err)
	}
	var buf bytes.Buffer
	if err := sheet.Write(&buf, f, s, extra...); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// userErr shows a domain error by its Vietnamese message and code.
func userErr(err error) error {
	var e *apperr.Error
	if errors.As(err, &e) {
		return fmt.Errorf("%s (%s)", e.Message, e.Code)
	}
	return err
}

// fileHash is the SHA-256 (hex) of a file, for the audit row of its import.
func fileHash(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
