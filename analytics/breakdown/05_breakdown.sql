-- breakdown (created in 01_period.sql): the published figures. One row per map, unit, period, measure,
-- dimension and category that has a count this period or in the same period last year.
-- One period at a time, in date order ({{period_id}}, {{ly_period_id}}: the runner's constants), so
-- that each statement reads two periods' rows of breakdown_raw (hundreds of millions of rows nationally,
-- inserted date by date, so the periods' row groups are found by their bounds) and never joins the
-- whole table with itself.
-- each on_date
-- each period of the date
INSERT INTO breakdown
WITH r AS (
	-- two scans with one equality each: DuckDB skips row groups by their bounds for an equality, not for
	-- the OR of two (that read the whole table once per period)
	SELECT map, unit_id, measure, dc, sum(n) AS n, sum(n_ly) AS n_ly
	FROM (SELECT map, unit_id, measure, dc, n, NULL::DOUBLE AS n_ly FROM breakdown_raw WHERE period_id = {{period_id}}
		UNION ALL
		SELECT map, unit_id, measure, dc, NULL, n FROM breakdown_raw WHERE period_id = {{ly_period_id}})
	GROUP BY map, unit_id, measure, dc),
j AS (SELECT r.*, d.dimension, d.category FROM r JOIN dim_code d USING (dc)),
tot AS (SELECT map, unit_id, measure, n AS total, n_ly AS total_ly FROM j WHERE dimension = 'total')
SELECT j.map, j.unit_id, u.province_id, p.kind, p.label, p.starts_on, p.ends_on, p.on_date,
	j.measure, j.dimension, j.category,
	coalesce(j.n, 0),
	coalesce(t.total, 0),
	CASE WHEN t.total > 0 THEN coalesce(j.n, 0) / t.total END,
	CASE WHEN p.ly_period_id IS NOT NULL THEN coalesce(j.n_ly, 0) END,
	CASE WHEN p.ly_period_id IS NOT NULL THEN coalesce(t.total_ly, 0) END,
	CASE WHEN p.ly_period_id IS NOT NULL AND t.total_ly > 0 THEN coalesce(j.n_ly, 0) / t.total_ly END,
	CASE WHEN p.ly_period_id IS NOT NULL THEN coalesce(j.n, 0) - coalesce(j.n_ly, 0) END
FROM j CROSS JOIN (SELECT * FROM period WHERE id = {{period_id}}) p
LEFT JOIN tot t ON t.map = j.map AND t.unit_id = j.unit_id AND t.measure = j.measure
LEFT JOIN unit_province u ON u.id = j.unit_id;
-- end each period
