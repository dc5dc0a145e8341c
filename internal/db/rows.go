package db

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// queryOneMessage runs a scoped read outside a transaction as one Query message, "set; query": PostgreSQL
// runs the statements of one simple Query message as one implicit transaction, so the transaction-local
// setting holds for the query and ends with it, as it does in BEGIN … COMMIT, without the two more
// round trips (the request's statements each paid BEGIN and the setting, then COMMIT, on top of their
// own). pgx's Query reads only the first result of such a message (the setting's), so the rows are
// read here from the second one.
func (c *scopedConn) queryOneMessage(ctx context.Context, set, query string) (driver.Rows, error) {
	conn := c.Conn.Conn()
	if conn.IsClosed() {
		return nil, driver.ErrBadConn
	}
	mrr := conn.PgConn().Exec(ctx, set+";\n"+query)
	if !mrr.NextResult() { // the setting's result
		return nil, refusal(closedWith(mrr, errors.New("db: no result for the scope's setting")))
	}
	if _, err := mrr.ResultReader().Close(); err != nil {
		return nil, refusal(closedWith(mrr, err))
	}
	if !mrr.NextResult() {
		return nil, refusal(closedWith(mrr, errors.New("db: the query returned no result")))
	}
	rows := pgx.RowsFromResultReader(conn.TypeMap(), mrr.ResultReader())
	// Read the first row now, as pgx's stdlib does: errors of the statement surface here, and the
	// columns are known before database/sql asks.
	more := rows.Next()
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, refusal(closedWith(mrr, err))
	}
	return &oneMessageRows{typeMap: conn.TypeMap(), rows: rows, done: mrr.Close, skipNext: true, skipNextMore: more}, nil
}

// closedWith drains the rest of the message (to ReadyForQuery) and returns err, or the message's error.
func closedWith(mrr *pgconn.MultiResultReader, err error) error {
	if cerr := mrr.Close(); cerr != nil {
		return cerr
	}
	return err
}

// oneMessageRows is pgx's stdlib.Rows (github.com/jackc/pgx/v5/stdlib, MIT licence) over the second
// result of a message or pipeline: the same conversions to driver values, so what database/sql and bun
// scan is what they scanned before. Close drains the message (done).
type oneMessageRows struct {
	typeMap      *pgtype.Map
	rows         pgx.Rows
	done         func() error // reads the rest of the message or pipeline, to ReadyForQuery
	valueFuncs   []rowValueFunc
	skipNext     bool
	skipNextMore bool
	columnNames  []string
	closed       bool
}

type rowValueFunc func(src []byte) (driver.Value, error)

func (r *oneMessageRows) Columns() []string {
	if r.columnNames == nil {
		fields := r.rows.FieldDescriptions()
		r.columnNames = make([]string, len(fields))
		for i, fd := range fields {
			r.columnNames[i] = string(fd.Name)
		}
	}
	return r.columnNames
}

// ColumnTypeDatabaseTypeName returns the database system type name. If the name is unknown the OID is returned.
func (r *oneMessageRows) ColumnTypeDatabaseTypeName(index int) string {
	if dt, ok := r.typeMap.TypeForOID(r.rows.FieldDescriptions()[index].DataTypeOID); ok {
		return strings.ToUpper(dt.Name)
	}
	return strconv.FormatInt(int64(r.rows.FieldDescriptions()[index].DataTypeOID), 10)
}

const varHeaderSize = 4

// ColumnTypeLength returns the length of the column type if the column is a variable length type.
func (r *oneMessageRows) ColumnTypeLength(index int) (int64, bool) {
	fd := r.rows.FieldDescriptions()[index]
	switch fd.DataTypeOID {
	case pgtype.TextOID, pgtype.ByteaOID:
		return math.MaxInt64, true
	case pgtype.VarcharOID, pgtype.BPCharArrayOID:
		return int64(fd.TypeModifier - varHeaderSize), true
	case pgtype.VarbitOID:
		return int64(fd.TypeModifier), true
	default:
		return 0, false
	}
}

// ColumnTypePrecisionScale returns the precision and scale of decimal columns.
func (r *oneMessageRows) ColumnTypePrecisionScale(index int) (precision, scale int64, ok bool) {
	fd := r.rows.FieldDescriptions()[index]
	switch fd.DataTypeOID {
	case pgtype.NumericOID:
		mod := fd.TypeModifier - varHeaderSize
		return int64((mod >> 16) & 0xffff), int64(mod & 0xffff), true
	default:
		return 0, 0, false
	}
}

// ColumnTypeScanType returns the value type that can be used to scan types into.
func (r *oneMessageRows) ColumnTypeScanType(index int) reflect.Type {
	switch r.rows.FieldDescriptions()[index].DataTypeOID {
	case pgtype.Float8OID:
		return reflect.TypeOf(float64(0))
	case pgtype.Float4OID:
		return reflect.TypeOf(float32(0))
	case pgtype.Int8OID:
		return reflect.TypeOf(int64(0))
	case pgtype.Int4OID:
		return reflect.TypeOf(int32(0))
	case pgtype.Int2OID:
		return reflect.TypeOf(int16(0))
	case pgtype.BoolOID:
		return reflect.TypeOf(false)
	case pgtype.NumericOID:
		return reflect.TypeOf(float64(0))
	case pgtype.DateOID, pgtype.TimestampOID, pgtype.TimestamptzOID:
		return reflect.TypeOf(time.Time{})
	case pgtype.ByteaOID:
		return reflect.TypeOf([]byte(nil))
	default:
		return reflect.TypeOf("")
	}
}

// Close reads the rest of the result and of the message: the implicit transaction ends with it.
func (r *oneMessageRows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	r.rows.Close()
	err := r.rows.Err()
	if cerr := r.done(); err == nil {
		err = cerr
	}
	return refusal(err)
}

func (r *oneMessageRows) Next(dest []driver.Value) error {
	m := r.typeMap
	fieldDescriptions := r.rows.FieldDescriptions()
	if r.valueFuncs == nil {
		r.valueFuncs = make([]rowValueFunc, len(fieldDescriptions))
		for i, fd := range fieldDescriptions {
			r.valueFuncs[i] = valueFunc(m, fd.DataTypeOID, fd.Format)
		}
	}
	var more bool
	if r.skipNext {
		more = r.skipNextMore
		r.skipNext = false
	} else {
		more = r.rows.Next()
	}
	if !more {
		if r.rows.Err() == nil {
			return io.EOF
		}
		return refusal(r.rows.Err())
	}
	for i, rv := range r.rows.RawValues() {
		if rv == nil {
			dest[i] = nil
			continue
		}
		var err error
		if dest[i], err = r.valueFuncs[i](rv); err != nil {
			return fmt.Errorf("convert field %d failed: %w", i, err)
		}
	}
	return nil
}

// valueFunc converts a column's raw values to driver values as pgx's stdlib does.
func valueFunc(m *pgtype.Map, oid uint32, format int16) rowValueFunc {
	switch oid {
	case pgtype.BoolOID:
		return scanAs(m, oid, format, asIs[bool])
	case pgtype.ByteaOID, pgtype.JSONOID, pgtype.JSONBOID, pgtype.XMLOID:
		return scanAs(m, oid, format, asIs[[]byte])
	case pgtype.CIDOID, pgtype.OIDOID, pgtype.XIDOID:
		return scanAs(m, oid, format, pgtype.Uint32.Value)
	case pgtype.DateOID:
		return scanAs(m, oid, format, pgtype.Date.Value)
	case pgtype.Float4OID:
		return scanAs(m, oid, format, func(d float32) (driver.Value, error) { return float64(d), nil })
	case pgtype.Float8OID:
		return scanAs(m, oid, format, asIs[float64])
	case pgtype.Int2OID:
		return scanAs(m, oid, format, func(d int16) (driver.Value, error) { return int64(d), nil })
	case pgtype.Int4OID:
		return scanAs(m, oid, format, func(d int32) (driver.Value, error) { return int64(d), nil })
	case pgtype.Int8OID:
		return scanAs(m, oid, format, asIs[int64])
	case pgtype.TimestampOID:
		return scanAs(m, oid, format, pgtype.Timestamp.Value)
	case pgtype.TimestamptzOID:
		return scanAs(m, oid, format, pgtype.Timestamptz.Value)
	default:
		return scanAs(m, oid, format, asIs[string])
	}
}

// scanAs scans a column's raw values into a T, with the scan plan made once, and converts each with value.
func scanAs[T any](m *pgtype.Map, oid uint32, format int16, value func(T) (driver.Value, error)) rowValueFunc {
	var d T
	plan := m.PlanScan(oid, format, &d)
	return func(src []byte) (driver.Value, error) {
		if err := plan.Scan(src, &d); err != nil {
			return nil, err
		}
		return value(d)
	}
}

// asIs is a driver value as it was scanned.
func asIs[T any](d T) (driver.Value, error) { return d, nil }
