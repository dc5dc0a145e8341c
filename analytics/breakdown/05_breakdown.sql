-- breakdown: the published figures. One row per map, unit, period, measure, dimension and category
-- that has a count this period or in the same period last year.
-- unit_province: the province of every unit: its last path's root (for a unit that exists on the
-- as-of date, its province then).
CREATE TEMP TABLE unit_province AS
SELECT unit_id AS id, TRY_CAST(split_part(arg_max(path, valid_from), '.', 1) AS BIGINT) AS province_id
FROM org_link WHERE valid_from <= {{as_of}} GROUP BY unit_id;

-- bj: this period's count and the same period last year's, per key. One aggregation over the rows of
-- both (the rows of the period a year before carried to the period they are "last year" of) instead of a
-- full join: a hash aggregate spills to disk gracefully under memory_limit, a full join of two
-- breakdown-sized inputs did not.
CREATE TEMP TABLE bj AS
SELECT map, unit_id, period_id, measure, dimension, category, sum(n) AS n, sum(n_ly) AS n_ly
FROM (
	SELECT map, unit_id, period_id, measure, dimension, category, n, 0::DOUBLE AS n_ly FROM breakdown_raw
	UNION ALL
	SELECT r.map, r.unit_id, p.id, r.measure, r.dimension, r.category, 0::DOUBLE, r.n
	FROM breakdown_raw r JOIN period p ON p.ly_period_id = r.period_id)
GROUP BY ALL;
DROP TABLE breakdown_raw;

CREATE TABLE breakdown AS
SELECT j.map, j.unit_id, u.province_id, p.kind AS period_kind, p.label AS period, p.starts_on, p.ends_on, p.on_date,
	j.measure, j.dimension, j.category,
	j.n,
	coalesce(t.n, 0) AS total,
	CASE WHEN t.n > 0 THEN j.n / t.n END AS share,
	CASE WHEN p.ly_period_id IS NOT NULL THEN j.n_ly END AS n_last_year,
	CASE WHEN p.ly_period_id IS NOT NULL THEN coalesce(t.n_ly, 0) END AS total_last_year,
	CASE WHEN p.ly_period_id IS NOT NULL AND t.n_ly > 0 THEN j.n_ly / t.n_ly END AS share_last_year,
	CASE WHEN p.ly_period_id IS NOT NULL THEN j.n - j.n_ly END AS change
FROM bj j JOIN period p ON p.id = j.period_id
LEFT JOIN (SELECT map, unit_id, period_id, measure, n, n_ly FROM bj WHERE dimension = 'total') t
	ON t.map = j.map AND t.unit_id = j.unit_id AND t.period_id = j.period_id AND t.measure = j.measure
LEFT JOIN unit_province u ON u.id = j.unit_id;
