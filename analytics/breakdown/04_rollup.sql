-- The rollup over the tree. A leaf's top_was / top_today is the top two levels of a path
-- ("province.unit", or a province alone), so its elements are exactly the units it counts in: the
-- province, and the unit below it on that map. No lookup of the tree per date is needed.
CREATE TEMP TABLE breakdown_raw AS
-- A stock row (period NULL) counts for every period of its date; a term period only for the units of its
-- provinces (term_province), on each map by the province its units are in there.
WITH lp AS (
	SELECT p.id AS period_id, p.kind, f.* EXCLUDE (period_id) FROM leaf f JOIN period p ON p.id = f.period_id
	UNION ALL
	SELECT p.id, p.kind, f.* EXCLUDE (period_id) FROM leaf f JOIN period p ON p.on_date = f.on_date WHERE f.period_id IS NULL),
b AS (
	SELECT lp.period_id, lp.measure, lp.top_was, lp.top_today, lp.dimension, lp.category,
		CASE WHEN lp.kind = 'term' AND tw.province_id IS NULL THEN 0 ELSE lp.n_was END AS n_was,
		CASE WHEN lp.kind = 'term' AND tt.province_id IS NULL THEN 0 ELSE lp.n_today END AS n_today
	FROM lp
	LEFT JOIN term_province tw ON tw.period_id = lp.period_id AND tw.province_id = TRY_CAST(split_part(lp.top_was, '.', 1) AS BIGINT)
	LEFT JOIN term_province tt ON tt.period_id = lp.period_id AND tt.province_id = TRY_CAST(split_part(lp.top_today, '.', 1) AS BIGINT)),
l AS (
	SELECT period_id, measure, top_was, top_today, dimension, category, n_was, n_today FROM b
	UNION ALL
	-- the derived dimensions (derive_map, 01b_member.sql) summed from their base dimension's counts
	SELECT f.period_id, f.measure, f.top_was, f.top_today, dm.dimension, dm.category, sum(f.n_was), sum(f.n_today)
	FROM b f JOIN derive_map dm ON dm.from_dim = f.dimension AND dm.from_cat = f.category
	GROUP BY ALL)
SELECT map, unit_id, period_id, measure, dimension, category, sum(n)::DOUBLE AS n
FROM (
	SELECT 'as_was' AS map, unnest(string_split(top_was, '.'))::BIGINT AS unit_id, period_id, measure, dimension, category, n_was AS n
	FROM l WHERE n_was > 0
	UNION ALL
	SELECT 'today', unnest(string_split(top_today, '.'))::BIGINT, period_id, measure, dimension, category, n_today
	FROM l WHERE n_today > 0)
GROUP BY ALL;
DROP TABLE leaf;
