-- The rollup over the tree. A leaf's top_was / top_today is the top two levels of a path
-- ("province.unit", or a province alone), so its elements are exactly the units it counts in: the
-- province, and the unit below it on that map. No lookup of the tree per date is needed.
CREATE TEMP TABLE breakdown_raw AS
WITH l AS (
	SELECT period_id, measure, top_was, top_today, dimension, category, n_was, n_today FROM leaf
	UNION ALL
	-- the derived dimensions (derive_map, 01b_member.sql) summed from their base dimension's counts
	SELECT f.period_id, f.measure, f.top_was, f.top_today, dm.dimension, dm.category, sum(f.n_was), sum(f.n_today)
	FROM leaf f JOIN derive_map dm ON dm.from_dim = f.dimension AND dm.from_cat = f.category
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
