-- anc_as_was: for every unit a fact names and every date, the units above it (itself included) on
-- the tree as it stood on that date. A unit that had ended by then keeps the last path it had.
CREATE TEMP TABLE anc_as_was AS
WITH k AS (SELECT DISTINCT unit_id, on_date FROM leaf UNION SELECT DISTINCT unit_id, on_date FROM funnel_fact)
SELECT k.unit_id, k.on_date, unnest(string_split(l.path, '.'))::BIGINT AS ancestor_id
FROM k ASOF JOIN org_link l ON l.unit_id = k.unit_id AND k.on_date >= l.valid_from;

-- anc_today: the units above a unit's successor(s) on today's map, with the successor's weight.
CREATE TEMP TABLE anc_today AS
SELECT t.unit_id, t.weight, unnest(string_split(pt.path, '.'))::BIGINT AS ancestor_id
FROM unit_today t JOIN path_today pt ON pt.unit_id = t.today_id;

-- Volume: a cell (chi bộ trực thuộc, the bulk of the ~450,000 units) is published for years and terms
-- only; months and quarters start at the grassroots level (chi bộ cơ sở, đảng bộ cơ sở) and go up.
-- Every cell for every month would be ~2 billion rows nationally.
CREATE TEMP TABLE fine_period AS SELECT id FROM period WHERE kind IN ('month', 'quarter');
CREATE TEMP TABLE cell_unit AS SELECT id FROM org_unit WHERE kind = 'cell';

CREATE TEMP TABLE breakdown_raw AS
SELECT 'as_was' AS map, a.ancestor_id AS unit_id, f.period_id, f.measure, f.dimension, f.category, sum(f.n)::DOUBLE AS n
FROM leaf f JOIN anc_as_was a ON a.unit_id = f.unit_id AND a.on_date = f.on_date
WHERE NOT (f.period_id IN (SELECT id FROM fine_period) AND a.ancestor_id IN (SELECT id FROM cell_unit))
GROUP BY ALL
UNION ALL
SELECT 'today', a.ancestor_id, f.period_id, f.measure, f.dimension, f.category, sum(f.n * a.weight)
FROM leaf f JOIN anc_today a ON a.unit_id = f.unit_id
WHERE NOT (f.period_id IN (SELECT id FROM fine_period) AND a.ancestor_id IN (SELECT id FROM cell_unit))
GROUP BY ALL;
DROP TABLE leaf;
