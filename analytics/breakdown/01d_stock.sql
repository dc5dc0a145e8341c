-- The member stock of every period date (02_fact.sql moves it from date to date). Counting the members
-- present on each date separately read every membership span once per date (nationally ≈ 6 million members
-- × 9 dimensions × 65 dates); here each span is cut once into the runs of consecutive period dates on which
-- everything it is counted by stays the same (its unit's top two levels as they were, its age band), and each
-- date only adds the runs that start on it and takes away those that ended before it. Counts stay integers
-- (the weights of today's map multiply them at the end), so the result is exactly what counting each date
-- would give.
--
-- dix: the distinct period dates in order (i = 1 … n), with year * 12 + month (ages are counted from it).
CREATE TEMP TABLE dix AS
SELECT (row_number() OVER (ORDER BY on_date))::INTEGER AS i, on_date AS d, (year(on_date) * 12 + month(on_date))::INTEGER AS ym
FROM (SELECT DISTINCT on_date FROM period);
CREATE TEMP TABLE dix_bound AS SELECT count(*)::INTEGER AS n FROM dix;
-- day_ix: for every day from the earliest start of a span or a link to the latest date any of them or the
-- periods has, and for the open end 9999-12-31, the index of the first period date on or after it (n + 1
-- after the last). Days are looked up by equality: a join on an expression over two tables (clamping a day
-- into a range, say) makes DuckDB pair every row with every day before filtering.
CREATE TEMP TABLE day_ix AS
WITH b AS (
	SELECT least(coalesce((SELECT min(valid_from) FROM member_span), DATE '9999-12-31'),
			coalesce((SELECT min(valid_from) FROM top_link), DATE '9999-12-31'), (SELECT min(d) FROM dix)) AS lo,
		greatest(coalesce((SELECT max(valid_to) FROM member_span WHERE valid_to < DATE '9999-12-31'), DATE '0001-01-01'),
			coalesce((SELECT max(valid_from) FROM top_link), DATE '0001-01-01'), (SELECT max(d) FROM dix)) AS hi),
r AS (SELECT range::DATE AS day FROM b, range(b.lo, b.hi + 1, INTERVAL 1 DAY) UNION SELECT DATE '9999-12-31')
SELECT r.day, (1 + count(x.i))::INTEGER AS i FROM r LEFT JOIN dix x ON x.d < r.day GROUP BY r.day;
-- ym_ix: the same for months (year * 12 + month): the index of the first period date in that month or after,
-- for every month in which a member turns 31, 41, 51, 61 or 71 (the age bands' bounds).
CREATE TEMP TABLE ym_ix AS
WITH b AS (
	SELECT least(coalesce((SELECT min(birth_ym) FROM member_span), 0) + 12 * 31, (SELECT min(ym) FROM dix)) AS lo,
		greatest(coalesce((SELECT max(birth_ym) FROM member_span), 0) + 12 * 71, (SELECT max(ym) FROM dix)) AS hi),
r AS (SELECT range::INTEGER AS ym FROM b, range(b.lo, b.hi + 1))
SELECT r.ym, (1 + count(x.i))::INTEGER AS i FROM r LEFT JOIN dix x ON x.ym < r.ym GROUP BY r.ym;

-- top_run: each unit's top two levels as they were (02_fact.sql's tw_d: its last link starting on or before
-- the date) over runs of period dates [lo, hi]; NULL before its first link.
CREATE TEMP TABLE top_run AS
WITH l AS (
	SELECT t.unit_id, t.top, t.valid_from, x.i AS lo
	FROM top_link t JOIN day_ix x ON x.day = t.valid_from),
r AS (
	SELECT unit_id, top, lo, coalesce(lead(lo) OVER (PARTITION BY unit_id ORDER BY valid_from), b.n + 1) - 1 AS hi
	FROM l CROSS JOIN dix_bound b)
SELECT unit_id, top, lo, hi FROM r WHERE lo <= hi
UNION ALL
SELECT u.id, NULL, 1, coalesce(min(l.lo), b.n + 1) - 1
FROM org_unit u CROSS JOIN dix_bound b LEFT JOIN l ON l.unit_id = u.id
GROUP BY u.id, b.n HAVING coalesce(min(l.lo), b.n + 1) > 1;

-- stock_piece: the membership spans (01b_member.sql) cut into runs of period dates [lo, hi] on which the
-- span is present (valid_from <= date < valid_to), its unit's top two levels as they were are one, and so is
-- its age band (aged in whole years at the end of the date's month, as 02_fact.sql counts it; no birth
-- month: the last band, as there).
CREATE TABLE work.stock_piece AS
WITH s AS (
	SELECT m.* EXCLUDE (valid_from, valid_to), a.i AS lo, z.i - 1 AS hi
	FROM member_span m JOIN day_ix a ON a.day = m.valid_from JOIN day_ix z ON z.day = m.valid_to
	WHERE a.i < z.i),
t AS (
	SELECT s.* EXCLUDE (lo, hi), greatest(s.lo, r.lo) AS lo, least(s.hi, r.hi) AS hi, r.top AS top_was
	FROM s JOIN top_run r ON r.unit_id = s.unit_id AND r.lo <= s.hi AND r.hi >= s.lo),
-- band(i): the age band's index on date i; k runs over the bands from the first date's to the last's
a AS (
	SELECT t.*, band_ix(xl.ym, t.birth_ym) AS band_lo, band_ix(xh.ym, t.birth_ym) AS band_hi
	FROM t JOIN dix xl ON xl.i = t.lo JOIN dix xh ON xh.i = t.hi),
k AS (SELECT a.*, unnest(range(band_lo, band_hi + 1)) AS k FROM a),
-- band k (k >= 1) starts at age 21 + 10k (31, 41, …): the first date whose month is birth_ym + 12 (21 + 10k) or later
c AS (
	SELECT k.*,
		CASE WHEN k.k = k.band_lo THEN k.lo ELSE ks.i END AS p_lo,
		CASE WHEN k.k = k.band_hi THEN k.hi ELSE ke.i - 1 END AS p_hi
	FROM k LEFT JOIN ym_ix ks ON ks.ym = k.birth_ym + 12 * (21 + 10 * k.k)
	LEFT JOIN ym_ix ke ON ke.ym = k.birth_ym + 12 * (31 + 10 * k.k))
SELECT c.* EXCLUDE (unit_id, birth_ym, lo, hi, band_lo, band_hi, k, p_lo, p_hi), c.p_lo AS lo, c.p_hi AS hi,
	(ab.dc + c.k)::SMALLINT AS age_band, coalesce(tt.top, 0) AS top_today,
	coalesce(tt.first, true) AS first, coalesce(tt.weight, 0) AS weight
FROM c CROSS JOIN age_base ab LEFT JOIN unit_top_today tt USING (unit_id)
WHERE c.p_lo <= c.p_hi;

-- stock_in / stock_out: the pieces by the date they start to count (d_from) and the first date they no longer
-- count (d_until; none after the last date), each in date order so that 02_fact.sql, which runs the dates in
-- order and keeps the running count in stock_cur, reads only one date's row groups of each.
CREATE TABLE work.stock_in AS
SELECT x.d AS d_from, p.* EXCLUDE (lo, hi) FROM stock_piece p JOIN dix x ON x.i = p.lo ORDER BY x.d;
CREATE TABLE work.stock_out AS
SELECT x.d AS d_until, p.* EXCLUDE (lo, hi) FROM stock_piece p JOIN dix x ON x.i = p.hi + 1 ORDER BY x.d;
DROP TABLE stock_piece;
-- stock_cur: the members on the last date done, per group (the top two levels on both maps, whether the row
-- counts on the map as it was, the weight on today's map) and dimension category.
CREATE TEMP TABLE stock_cur (top_was INTEGER, top_today INTEGER, first BOOLEAN, weight DOUBLE, dc SMALLINT, n BIGINT);
