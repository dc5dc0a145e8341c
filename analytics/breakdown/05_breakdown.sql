-- breakdown: the published figures. One row per map, unit, period, measure, dimension and category
-- that has a count this period or in the same period last year.
-- unit_province: the province of every unit: its last path's root (for a unit that exists on the
-- as-of date, its province then).
CREATE TEMP TABLE unit_province AS
SELECT unit_id AS id, TRY_CAST(split_part(arg_max(path, valid_from), '.', 1) AS BIGINT) AS province_id
FROM org_link WHERE valid_from <= {{as_of}} GROUP BY unit_id;

CREATE TABLE breakdown AS
WITH cur AS (
	SELECT r.map, r.unit_id, r.period_id, r.measure, d.dimension, d.category, r.n
	FROM breakdown_raw r JOIN dim_code d USING (dc)),
ly AS (
	SELECT r.map, r.unit_id, p.id AS period_id, r.measure, d.dimension, d.category, r.n AS n_ly
	FROM breakdown_raw r JOIN dim_code d USING (dc) JOIN period p ON p.ly_period_id = r.period_id),
j AS (SELECT * FROM cur FULL JOIN ly USING (map, unit_id, period_id, measure, dimension, category)),
tot AS (SELECT map, unit_id, period_id, measure, n AS total, n_ly AS total_ly FROM j WHERE dimension = 'total')
SELECT j.map, j.unit_id, u.province_id, p.kind AS period_kind, p.label AS period, p.starts_on, p.ends_on, p.on_date,
	j.measure, j.dimension, j.category,
	coalesce(j.n, 0) AS n,
	coalesce(t.total, 0) AS total,
	CASE WHEN t.total > 0 THEN coalesce(j.n, 0) / t.total END AS share,
	CASE WHEN p.ly_period_id IS NOT NULL THEN coalesce(j.n_ly, 0) END AS n_last_year,
	CASE WHEN p.ly_period_id IS NOT NULL THEN coalesce(t.total_ly, 0) END AS total_last_year,
	CASE WHEN p.ly_period_id IS NOT NULL AND t.total_ly > 0 THEN coalesce(j.n_ly, 0) / t.total_ly END AS share_last_year,
	CASE WHEN p.ly_period_id IS NOT NULL THEN coalesce(j.n, 0) - coalesce(j.n_ly, 0) END AS change
FROM j JOIN period p ON p.id = j.period_id
LEFT JOIN tot t ON t.map = j.map AND t.unit_id = j.unit_id AND t.period_id = j.period_id AND t.measure = j.measure
LEFT JOIN unit_province u ON u.id = j.unit_id;
DROP TABLE breakdown_raw;
