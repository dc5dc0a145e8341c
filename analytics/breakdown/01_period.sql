-- period: the periods every breakdown is computed for, limited to what the data covers.
--   year     every year from the first admission or membership span on record (at most 10 years back) to
--            the as-of year;
--   quarter, month   the as-of year and the two before it only (the cross product of ~450,000 units and
--            every month of a decade is what would not fit in a nightly run; two years back gives every
--            recent month its "same period last year");
--   term     the terms (nhiệm kỳ) recorded for province-level units, each distinct date range once,
--            labelled by its dates (2020-10-15/2025-10-14).
-- A period that has not ended is cut at the as-of date: on_date = least(ends_on, as_of) is the date of the
-- stock and of the tree ("the subtree as of the period end"); admissions count from starts_on to on_date.
CREATE TABLE period AS
WITH b AS (
	SELECT greatest(least(
		coalesce((SELECT min(year(coalesce(decision_date, effective))) FROM member_event WHERE kind IN ('admitted', 'readmitted')), year({{as_of}})),
		coalesce((SELECT min(year(valid_from)) FROM member_status_span), year({{as_of}}))), year({{as_of}}) - 10) AS y0),
y AS (SELECT range AS y FROM b, range(b.y0, year({{as_of}}) + 1)),
p AS (
	SELECT 'year' AS kind, y::VARCHAR AS label, make_date(y::INT, 1, 1) AS starts_on, make_date(y::INT, 12, 31) AS ends_on FROM y
	UNION ALL
	SELECT 'quarter', y || '-Q' || q, make_date(y::INT, 3 * q - 2, 1), last_day(make_date(y::INT, 3 * q, 1))
	FROM y, range(1, 5) t(q) WHERE y >= year({{as_of}}) - 2
	UNION ALL
	SELECT 'month', y || '-' || lpad(m::VARCHAR, 2, '0'), make_date(y::INT, m::INT, 1), last_day(make_date(y::INT, m::INT, 1))
	FROM y, range(1, 13) t(m) WHERE y >= year({{as_of}}) - 2
	UNION ALL
	SELECT DISTINCT 'term', strftime(t.starts_on, '%Y-%m-%d') || '/' || strftime(t.ends_on, '%Y-%m-%d'), t.starts_on, t.ends_on
	FROM term t JOIN org_unit u ON u.id = t.unit_id AND u.kind = 'province')
SELECT row_number() OVER (ORDER BY kind, starts_on, ends_on)::INTEGER AS id, kind, label, starts_on, ends_on,
	least(ends_on, {{as_of}}) AS on_date
FROM p WHERE starts_on <= {{as_of}};

-- The period a year before (a term: the term before it), for "same period last year". Provinces'
-- terms have different dates, so several terms may end in the month before a term starts: the one
-- that ends last before it is its predecessor (a province's own previous term ends the day before).
ALTER TABLE period ADD COLUMN ly_period_id INTEGER;
UPDATE period SET ly_period_id = (
	SELECT q.id FROM period q WHERE q.kind = period.kind AND (
		(period.kind <> 'term' AND q.starts_on = period.starts_on - INTERVAL 1 YEAR)
		OR (period.kind = 'term' AND q.ends_on < period.starts_on AND q.ends_on >= period.starts_on - INTERVAL 1 MONTH))
	ORDER BY q.ends_on DESC, q.starts_on DESC LIMIT 1);

-- term_province: the provinces whose term a term period is. A term is published for the units of those
-- provinces only (provinces' terms have different dates: a term of one province is no period of another's).
CREATE TEMP TABLE term_province AS
SELECT DISTINCT p.id AS period_id, t.unit_id AS province_id
FROM period p JOIN term t ON p.kind = 'term' AND t.starts_on = p.starts_on AND t.ends_on = p.ends_on
JOIN org_unit u ON u.id = t.unit_id AND u.kind = 'province';

-- unit_province: the province of every unit: its last path's root (for a unit that exists on the
-- as-of date, its province then). The published breakdown and funnel carry it (05, 06).
CREATE TEMP TABLE unit_province AS
SELECT unit_id AS id, TRY_CAST(split_part(arg_max(path, valid_from), '.', 1) AS BIGINT) AS province_id
FROM org_link WHERE valid_from <= {{as_of}} GROUP BY unit_id;

-- unit_today: where a unit's figures go on today's map. A unit that exists on the as-of date maps to
-- itself; a unit that ended in a merge or split maps to its successors in org_lineage, followed until
-- they exist on the as-of date. org_lineage records no shares: a split's direct figures (its cells are
-- moved to the successors whole, so this is only what was recorded on the split unit itself) are
-- shared equally among its successors (weight 1/k).
CREATE TEMP TABLE unit_today AS
WITH RECURSIVE alive AS (
	SELECT DISTINCT unit_id FROM org_link WHERE valid_from <= {{as_of}} AND (valid_to IS NULL OR valid_to > {{as_of}})),
succ AS (
	SELECT predecessor_id, successor_id, 1.0 / count(*) OVER (PARTITION BY predecessor_id) AS w FROM org_lineage),
walk(unit_id, cur, w, steps) AS (
	SELECT id, id, 1.0::DOUBLE, 0 FROM org_unit
	UNION ALL
	SELECT walk.unit_id, s.successor_id, walk.w * s.w, walk.steps + 1
	FROM walk JOIN succ s ON s.predecessor_id = walk.cur
	WHERE walk.cur NOT IN (SELECT unit_id FROM alive) AND walk.steps < 20)
SELECT unit_id, cur AS today_id, sum(w) AS weight
FROM walk WHERE cur IN (SELECT unit_id FROM alive)
GROUP BY unit_id, cur;

-- The path of every unit on the as-of date (today's map).
CREATE TEMP TABLE path_today AS
SELECT unit_id, path FROM org_link WHERE valid_from <= {{as_of}} AND (valid_to IS NULL OR valid_to > {{as_of}});

-- Working days: a day index that counts working days (Monday–Friday unless calendar_day says
-- otherwise), so the working days between two dates are the difference of their indexes.
CREATE TEMP TABLE workday AS
SELECT d::DATE AS day, sum(CASE WHEN c.kind IN ('holiday', 'day_off') THEN 0 WHEN c.kind = 'work_day' THEN 1
		WHEN isodow(d) >= 6 THEN 0 ELSE 1 END) OVER (ORDER BY d) AS idx
FROM range(DATE '2000-01-01', {{as_of}} + INTERVAL 1 DAY, INTERVAL 1 DAY) r(d)
LEFT JOIN calendar_day c ON c.day = r.d;

-- breakdown_raw: the counts per map, unit, period, measure and dimension category (dc, 01b_member.sql),
-- filled by 02_fact.sql one period date at a time and read by 05_breakdown.sql.
-- funnel_leaf: the funnel's stage entries and exits per period at the grain of the top two levels of the
-- tree as it was (01b_member.sql), with the working days spent in the stage (exits) kept as a value so that
-- medians and percentiles stay exact.
SET preserve_insertion_order = false;
CREATE TABLE work.breakdown_raw (map VARCHAR, unit_id BIGINT, period_id INTEGER, measure VARCHAR, dc SMALLINT, n DOUBLE);
-- breakdown: the published figures, filled by 05_breakdown.sql one period at a time.
CREATE TABLE breakdown (map VARCHAR, unit_id BIGINT, province_id BIGINT, period_kind VARCHAR, period VARCHAR,
	starts_on DATE, ends_on DATE, on_date DATE, measure VARCHAR, dimension VARCHAR, category VARCHAR,
	n DOUBLE, total DOUBLE, share DOUBLE, n_last_year DOUBLE, total_last_year DOUBLE, share_last_year DOUBLE,
	change DOUBLE);
-- funnel, funnel_dropout: the published funnel, filled by 06_funnel.sql one period at a time.
CREATE TABLE funnel (unit_id BIGINT, province_id BIGINT, period_kind VARCHAR, period VARCHAR, starts_on DATE,
	ends_on DATE, on_date DATE, stage VARCHAR, stage_order INTEGER, entered BIGINT, exited BIGINT, conversion DOUBLE,
	median_working_days DOUBLE, p90_working_days DOUBLE);
CREATE TABLE funnel_dropout (unit_id BIGINT, province_id BIGINT, period_kind VARCHAR, period VARCHAR, stage VARCHAR,
	from_stage VARCHAR, reason VARCHAR, n BIGINT);
CREATE TABLE work.funnel_leaf (period_id INTEGER, on_date DATE, top_was VARCHAR, stage VARCHAR, from_stage VARCHAR,
	entered BOOLEAN, reason VARCHAR, wd INTEGER, n BIGINT);
