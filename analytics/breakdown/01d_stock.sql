-- The member stock of every period date in one pass (02_fact.sql reads it per date). Counting the members
-- present on each date separately read every membership span once per date (nationally ≈ 6 million members
-- × 9 dimensions × 65 dates); here each span is read once: cut into the runs of consecutive period dates on
-- which everything it is counted by stays the same (its unit's top two levels as they were, its age band), it
-- adds 1 to its groups at the first date of a run and takes it away after the last, and a running sum over the
-- dates gives every date's stock. Counts stay integers (the weights of today's map multiply them at the end),
-- so the result is exactly what counting each date would give.
--
-- dix: the distinct period dates in order (i = 1 … n), with year * 12 + month (ages are counted from it).
CREATE TEMP TABLE dix AS
SELECT (row_number() OVER (ORDER BY on_date))::INTEGER AS i, on_date AS d, (year(on_date) * 12 + month(on_date))::INTEGER AS ym
FROM (SELECT DISTINCT on_date FROM period);
CREATE TEMP TABLE dix_bound AS
SELECT min(d) AS d1, max(d) + 1 AS d_after, min(ym) AS ym1, max(ym) + 1 AS ym_after, count(*)::INTEGER AS n FROM dix;
-- day_ix: for every day from the first period date to the day after the last, the index of the first period
-- date on or after it (n + 1 after the last). A day outside is clamped into that range first: before the
-- first date it is 1, after the last n + 1.
CREATE TEMP TABLE day_ix AS
SELECT r.day, (1 + count(x.i))::INTEGER AS i
FROM (SELECT range::DATE AS day FROM dix_bound b, range(b.d1, b.d_after + 1, INTERVAL 1 DAY)) r
LEFT JOIN dix x ON x.d < r.day GROUP BY r.day;
-- ym_ix: the same for months (year * 12 + month): the index of the first period date in that month or after.
CREATE TEMP TABLE ym_ix AS
SELECT r.ym, (1 + count(x.i))::INTEGER AS i
FROM (SELECT range::INTEGER AS ym FROM dix_bound b, range(b.ym1, b.ym_after + 1)) r
LEFT JOIN dix x ON x.ym < r.ym GROUP BY r.ym;

-- top_run: each unit's top two levels as they were (02_fact.sql's tw_d: its last link starting on or before
-- the date) over runs of period dates [lo, hi]; NULL before its first link.
CREATE TEMP TABLE top_run AS
WITH l AS (
	SELECT t.unit_id, t.top, t.valid_from, x.i AS lo
	FROM top_link t CROSS JOIN dix_bound b JOIN day_ix x ON x.day = least(greatest(t.valid_from, b.d1), b.d_after)),
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
	FROM member_span m CROSS JOIN dix_bound b
	JOIN day_ix a ON a.day = least(greatest(m.valid_from, b.d1), b.d_after)
	JOIN day_ix z ON z.day = least(greatest(m.valid_to, b.d1), b.d_after)
	WHERE a.i < z.i),
t AS (
	SELECT s.* EXCLUDE (lo, hi), greatest(s.lo, r.lo) AS lo, least(s.hi, r.hi) AS hi, r.top AS top_was
	FROM s JOIN top_run r ON r.unit_id = s.unit_id AND r.lo <= s.hi AND r.hi >= s.lo),
-- band(i): the age band's index on date i; k runs over the bands from the first date's to the last's
a AS (
	SELECT t.*, CASE WHEN t.birth_ym IS NULL THEN 5 ELSE (CASE WHEN (xl.ym - t.birth_ym) // 12 <= 30 THEN 0
			WHEN (xl.ym - t.birth_ym) // 12 <= 40 THEN 1 WHEN (xl.ym - t.birth_ym) // 12 <= 50 THEN 2
			WHEN (xl.ym - t.birth_ym) // 12 <= 60 THEN 3 WHEN (xl.ym - t.birth_ym) // 12 <= 70 THEN 4 ELSE 5 END) END AS band_lo,
		CASE WHEN t.birth_ym IS NULL THEN 5 ELSE (CASE WHEN (xh.ym - t.birth_ym) // 12 <= 30 THEN 0
			WHEN (xh.ym - t.birth_ym) // 12 <= 40 THEN 1 WHEN (xh.ym - t.birth_ym) // 12 <= 50 THEN 2
			WHEN (xh.ym - t.birth_ym) // 12 <= 60 THEN 3 WHEN (xh.ym - t.birth_ym) // 12 <= 70 THEN 4 ELSE 5 END) END AS band_hi
	FROM t JOIN dix xl ON xl.i = t.lo JOIN dix xh ON xh.i = t.hi),
k AS (SELECT a.*, unnest(range(band_lo, band_hi + 1)) AS k FROM a),
-- band k (k >= 1) starts at age 21 + 10k (31, 41, …): the first date whose month is birth_ym + 12 (21 + 10k) or later
c AS (
	SELECT k.*,
		CASE WHEN k.k = k.band_lo THEN k.lo ELSE ks.i END AS p_lo,
		CASE WHEN k.k = k.band_hi THEN k.hi ELSE ke.i - 1 END AS p_hi
	FROM k CROSS JOIN dix_bound b
	JOIN ym_ix ks ON ks.ym = least(greatest(coalesce(k.birth_ym, 0) + 12 * (21 + 10 * k.k), b.ym1), b.ym_after)
	JOIN ym_ix ke ON ke.ym = least(greatest(coalesce(k.birth_ym, 0) + 12 * (31 + 10 * k.k), b.ym1), b.ym_after))
SELECT c.* EXCLUDE (unit_id, birth_ym, lo, hi, band_lo, band_hi, k, p_lo, p_hi), c.p_lo AS lo, c.p_hi AS hi,
	(ab.dc + c.k)::SMALLINT AS age_band, coalesce(tt.top, 0) AS top_today,
	coalesce(tt.first, true) AS first, coalesce(tt.weight, 0) AS weight
FROM c CROSS JOIN age_base ab LEFT JOIN unit_top_today tt USING (unit_id)
WHERE c.p_lo <= c.p_hi;

-- stock_run: per group (the top two levels on both maps, whether the row counts on the map as it was, the
-- weight on today's map, the dimension category) the number of members on the dates lo … hi. The changes
-- at each date are summed per group (the nine base dimensions, as 02_fact.sql counts them), then run up.
CREATE TABLE work.stock_run AS
WITH e AS (
	SELECT p.* EXCLUDE (lo, hi), p.lo AS i, 1 AS sgn FROM stock_piece p
	UNION ALL
	SELECT p.* EXCLUDE (lo, hi), p.hi + 1, -1 FROM stock_piece p CROSS JOIN dix_bound b WHERE p.hi < b.n),
g AS (
	SELECT top_was, top_today, first, weight, i,
		coalesce(grade, sex, ethnicity, age_band, general_education, professional_qualification, political_theory,
			religion, occupation)::SMALLINT AS dc,
		sum(sgn) AS dn
	FROM e
	GROUP BY GROUPING SETS (
		(top_was, top_today, first, weight, i, grade), (top_was, top_today, first, weight, i, sex),
		(top_was, top_today, first, weight, i, ethnicity), (top_was, top_today, first, weight, i, age_band),
		(top_was, top_today, first, weight, i, general_education),
		(top_was, top_today, first, weight, i, professional_qualification),
		(top_was, top_today, first, weight, i, political_theory), (top_was, top_today, first, weight, i, religion),
		(top_was, top_today, first, weight, i, occupation))),
r AS (
	SELECT g.top_was, g.top_today, g.first, g.weight, g.dc, g.i AS lo,
		coalesce(lead(g.i) OVER w, b.n + 1) - 1 AS hi, sum(g.dn) OVER w AS n
	FROM g CROSS JOIN dix_bound b
	WINDOW w AS (PARTITION BY g.top_was, g.top_today, g.first, g.weight, g.dc ORDER BY g.i))
SELECT * FROM r WHERE n <> 0;
DROP TABLE stock_piece;
