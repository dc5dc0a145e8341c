package db

import (
	"context"
	"crypto/sha256"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/schema"
)

// Prepared statements. bun formats its arguments into the SQL text, so PostgreSQL plans every
// statement again: for a lookup by id, planning is most of the cost (1 ms to plan, 0.1 ms to run).
// Scan sends a read with bind parameters instead ($1, …, the text the same from one call to the next),
// and the application pool prepares it once per connection and reuses it. A scoped read outside a
// transaction stays one round trip: the scope's setting and the read go as one pipeline with one Sync
// (Parse once per connection, then Bind/Execute of the prepared setting and of the prepared read),
// which PostgreSQL runs as one implicit transaction, so the transaction-local setting holds for the read
// and ends with it, as it does in the one-message form.
//
// The arguments travel to the driver in the context (bun formats the text and runs its query hooks, so
// statements are still counted and scanned by bun), keyed by the exact text they belong to.

// Scan runs query, written with bun's placeholders (? or ?0, ?1, …, not both), with args as bind
// parameters on the application pool, and scans the rows into dest as bun's NewRaw(…).Scan does. On a pool
// that does not prepare (the owner's) or for a query it cannot number, it is NewRaw(query, args…).Scan.
//
// A prepared statement may be run with a generic plan after its fifth execution (plan_cache_mode auto),
// one plan whatever the values: right for lookups by id and for pages of a commune, not for aggregates
// over a subtree whose size the values decide (a province's progress counts ran at 60 % of their
// throughput: target's counts keep NewRaw, planned for their values).
func Scan(ctx context.Context, idb bun.IDB, dest any, query string, args ...any) error {
	raw := idb.NewRaw("")
	if !preparing(raw.DB()) {
		return idb.NewRaw(query, args...).Scan(ctx, dest)
	}
	numbered, n, ok := numberPlaceholders(query)
	if !ok || n > len(args) {
		return idb.NewRaw(query, args...).Scan(ctx, dest)
	}
	vals := make([]driver.NamedValue, n)
	for i := range vals {
		if _, ok := args[i].(*pgdialect.ArrayValue); !ok {
			if _, ok := args[i].(schema.QueryAppender); ok { // bun.Ident, bun.Safe, bun.In: text, not a value
				return idb.NewRaw(query, args...).Scan(ctx, dest)
			}
		}
		vals[i] = driver.NamedValue{Ordinal: i + 1, Value: bindValue(args[i])}
	}
	ctx = context.WithValue(ctx, boundKey{}, bound{query: numbered, args: vals})
	return idb.NewRaw(numbered).Scan(ctx, dest)
}

// preparing reports whether d is a pool whose connections take Scan's bound arguments.
func preparing(d *bun.DB) bool {
	if d == nil || d.DB == nil {
		return false
	}
	_, ok := d.DB.Driver().(scopedDriver)
	return ok
}

type boundKey struct{}

// bound is the query text Scan numbered and its arguments.
type bound struct {
	query string
	args  []driver.NamedValue
}

// boundArgs returns the arguments Scan bound to query in ctx.
func boundArgs(ctx context.Context, query string) ([]driver.NamedValue, bool) {
	b, ok := ctx.Value(boundKey{}).(bound)
	if !ok || b.query != query {
		return nil, false
	}
	return b.args, true
}

// numberPlaceholders rewrites bun's placeholders to PostgreSQL's: "?" in order to $1, $2, …, "?N" to
// $(N+1). It returns the number of parameters, and false for a text it does not handle (named
// placeholders, both kinds mixed, a "$" already there, a "?" in quotes). Quoted strings and
// identifiers are copied as they are.
func numberPlaceholders(q string) (string, int, bool) {
	if strings.Contains(q, "$") {
		return "", 0, false
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	plain, numbered, n := false, false, 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch c {
		case '\'', '"':
			j := strings.IndexByte(q[i+1:], c)
			if j < 0 {
				return "", 0, false
			}
			if strings.IndexByte(q[i+1:i+1+j], '?') >= 0 {
				return "", 0, false // bun would replace it: leave such a text to bun
			}
			b.WriteString(q[i : i+j+2])
			i += j + 1
			continue
		case '?':
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			if j < len(q) && (q[j] == '_' || q[j] >= 'a' && q[j] <= 'z' || q[j] >= 'A' && q[j] <= 'Z') {
				return "", 0, false // ?TableName and the like
			}
			if j == i+1 {
				plain = true
				n++
				b.WriteString("$" + strconv.Itoa(n))
			} else {
				numbered = true
				k, err := strconv.Atoi(q[i+1 : j])
				if err != nil || k > 1000 {
					return "", 0, false
				}
				n = max(n, k+1)
				b.WriteString("$" + strconv.Itoa(k+1))
				i = j - 1
			}
			if plain && numbered {
				return "", 0, false
			}
			continue
		}
		b.WriteByte(c)
	}
	return b.String(), n, true
}

// bindValue turns an argument bun would format into one pgx binds: an array is its slice (a slice of
// strings as an array literal, PostgreSQL parsing it for the parameter's type, such as ltree[]), a time
// stays a time.
func bindValue(v any) any {
	if a, ok := v.(*pgdialect.ArrayValue); ok {
		v = a.Value()
	}
	switch s := v.(type) {
	case []string:
		var b strings.Builder
		b.WriteByte('{')
		for i, e := range s {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('"')
			b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(e))
			b.WriteByte('"')
		}
		b.WriteByte('}')
		return b.String()
	case time.Time:
		return s
	}
	return v
}

// scopedDriver is the application pool's driver (pgx's), recognisable by Scan.
type scopedDriver struct{ driver.Driver }

// resultFormats are the columns read in binary, as pgx's database/sql driver reads them (the rest as
// text, which the driver values of oneMessageRows expect).
var resultFormats = pgx.QueryResultFormatsByOID{
	pgtype.BoolOID: 1, pgtype.ByteaOID: 1, pgtype.CIDOID: 1, pgtype.DateOID: 1, pgtype.Float4OID: 1,
	pgtype.Float8OID: 1, pgtype.Int2OID: 1, pgtype.Int4OID: 1, pgtype.Int8OID: 1, pgtype.OIDOID: 1,
	pgtype.TimestampOID: 1, pgtype.TimestamptzOID: 1, pgtype.XIDOID: 1,
}

// maxPrepared bounds the statements a connection keeps; past it a connection prepares no more (the
// statements of the code are a few dozen texts).
const maxPrepared = 500

// prepare returns the statement description of sql on the connection, preparing it on first use.
func (c *scopedConn) prepare(ctx context.Context, sql string) (*pgconn.StatementDescription, error) {
	if sd, ok := c.prepared[sql]; ok {
		return sd, nil
	}
	if len(c.prepared) >= maxPrepared {
		return nil, nil
	}
	sum := sha256.Sum256([]byte(sql))
	sd, err := c.Conn.Conn().PgConn().Prepare(ctx, "ptdv_"+hex.EncodeToString(sum[:12]), sql, nil)
	if err != nil {
		return nil, err
	}
	if c.prepared == nil {
		c.prepared = map[string]*pgconn.StatementDescription{}
	}
	c.prepared[sql] = sd
	return sd, nil
}

// scopeParams is the prepared form of setScopeSQL: the statement and its text parameters. ok is false
// for a scope given by unit alone (looked up by ptdv_scope_for: the one-message path keeps it).
func scopeParams(ctx context.Context) (sql string, params [][]byte, ok bool) {
	s, has := ctx.Value(scopeKey{}).(scope)
	switch {
	case !has:
		return "", nil, false
	case s.national:
		return "SELECT set_config('ptdv.scope', 'all', true)", nil, true
	case s.path != "":
		return "SELECT set_config('ptdv.day', $1, true), set_config('ptdv.scope', $2, true)",
			[][]byte{[]byte(s.day.Format(time.DateOnly)), []byte(s.path)}, true
	}
	return "", nil, false
}

// queryPipeline runs a scoped read with bound arguments outside a transaction as one pipeline: the
// prepared setting, then the prepared read, then one Sync. ok is false when it does not apply (the
// scope is not in prepared form, the connection holds its maximum of statements): the caller then goes
// the other way.
func (c *scopedConn) queryPipeline(ctx context.Context, query string, args []driver.NamedValue) (rows driver.Rows, ok bool, err error) {
	setSQL, setParams, ok := scopeParams(ctx)
	if !ok {
		return nil, false, nil
	}
	conn := c.Conn.Conn()
	if conn.IsClosed() {
		return nil, true, driver.ErrBadConn
	}
	setSD, err := c.prepare(ctx, setSQL)
	if err != nil || setSD == nil {
		return nil, err != nil, err
	}
	sd, err := c.prepare(ctx, query)
	if err != nil || sd == nil {
		return nil, err != nil, refusal(err)
	}
	vals := make([]any, len(args))
	for i, a := range args {
		vals[i] = a.Value
	}
	var eqb pgx.ExtendedQueryBuilder
	if err := eqb.Build(conn.TypeMap(), sd, vals); err != nil {
		return nil, true, err
	}
	formats := make([]int16, len(sd.Fields))
	for i, f := range sd.Fields {
		formats[i] = resultFormats[f.DataTypeOID]
	}

	p := conn.PgConn().StartPipeline(ctx)
	p.SendQueryPrepared(setSD.Name, setParams, nil, nil)
	p.SendQueryPrepared(sd.Name, eqb.ParamValues, eqb.ParamFormats, formats)
	if err := p.Sync(); err != nil {
		return nil, true, errors.Join(err, p.Close())
	}
	fail := func(err error) (driver.Rows, bool, error) {
		err = errors.Join(err, p.Close())
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "0A000" && !conn.IsClosed() {
			// "cached plan must not change result type": the schema changed under the statement
			// (a migration by another server). Forget it; the next use prepares it again.
			delete(c.prepared, query)
			if derr := conn.PgConn().Deallocate(context.Background(), sd.Name); derr != nil {
				err = errors.Join(err, derr)
			}
			return nil, true, errStale{err}
		}
		return nil, true, refusal(err)
	}
	res, err := p.GetResults() // the setting's
	if err != nil {
		return fail(err)
	}
	rr, isRR := res.(*pgconn.ResultReader)
	if !isRR {
		return fail(errors.New("db: no result for the scope's setting"))
	}
	if _, err := rr.Close(); err != nil {
		return fail(err)
	}
	if res, err = p.GetResults(); err != nil {
		return fail(err)
	}
	if rr, isRR = res.(*pgconn.ResultReader); !isRR {
		return fail(errors.New("db: the query returned no result"))
	}
	pr := pgx.RowsFromResultReader(conn.TypeMap(), rr)
	more := pr.Next()
	if err := pr.Err(); err != nil {
		pr.Close()
		return fail(err)
	}
	return &oneMessageRows{typeMap: conn.TypeMap(), rows: pr, done: p.Close, skipNext: true, skipNextMore: more}, true, nil
}

// errStale is the failure of a statement prepared before the schema changed; it was forgotten, so the
// read can be sent again (nothing of it was returned, its implicit transaction ended).
type errStale struct{ error }

func (e errStale) Unwrap() error { return e.error }
