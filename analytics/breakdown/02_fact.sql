-- The persons counted (member_span, admission: 01b_member.sql), counted per period date at the grain of
-- the top two levels (leaf_d) and rolled up over the tree into breakdown_raw, one date at a time: nothing
-- but the output grows with the number of dates.
--   stock       the members (a status with member = true in code_item member_status: probationary, full,
--               exempted, temporarily attending elsewhere) on the period's date `on_date`, in the unit of
--               their status span then;
--   admissions  admitted and readmitted events whose decision date (the ceremony when no decision date
--               was recorded, as package target counts them) falls in [starts_on, on_date], in the unit of the
--               event.
-- Age is counted in whole years at the end of the month of `on_date` from the birth year and month (exact at
-- every month end, which every closed period ends on). Youth: aged 30 or under, the upper bound of
-- "thanh niên" in the Youth Law (Luật Thanh niên 2020, Điều 1: from 16 to 30) and of Youth Union
-- membership (rule youth_union.max_age_years).
-- This file runs once per distinct period date ({{on_date}}; the "each on_date" line below tells the
-- runner, in date order): the stock is the date's (a year, its last quarter and its December share one),
-- moved on from the previous date's (01d_stock.sql) and joined to the periods after counting. A person's unit becomes the top two
-- levels of its path on the date (top_was) and on today's map (top_today) before counting, so each date's
-- aggregation holds a few thousand units' groups, not ≈ 450,000 cells'.
-- each on_date
-- tw_d: the top two levels of every unit's path on the date (as it was), as top_key numbers.
CREATE OR REPLACE TEMP TABLE tw_d AS
SELECT unit_id, arg_max(top, valid_from) AS top FROM top_link WHERE valid_from <= {{on_date}} GROUP BY unit_id;
-- dim_in: the persons to count, each with the top two levels of its unit on both maps (as it was on the date,
-- and today's with its weight and whether the row is the unit's first there) and its nine base categories,
-- and +1 or -1. First the changes of the stock on this date: the runs of 01d_stock.sql that start counting
-- on it, and those that stopped (the dates run in order, each once); below, each period's admissions.
CREATE OR REPLACE TEMP VIEW dim_in AS
SELECT NULL::INTEGER AS period_id, 'stock' AS measure, top_was, top_today, first, weight, grade, sex, ethnicity,
	age_band, general_education, professional_qualification, political_theory, religion, occupation, sgn
FROM (
	SELECT * EXCLUDE (d_from), 1 AS sgn FROM stock_in WHERE d_from = {{on_date}}
	UNION ALL BY NAME
	SELECT * EXCLUDE (d_until), -1 AS sgn FROM stock_out WHERE d_until = {{on_date}});
-- dim_counts: dim_in summed per group and dimension category. The nine base dimensions only: total,
-- ethnic_minority, youth, upper_secondary, college_plus and religious are functions of sex, ethnicity,
-- age_band, general_education, professional_qualification and religion (derive_map, 01b_member.sql) and are
-- summed from them after counting. Each grouping set keeps one dimension's column, and the codes of all
-- dimensions are distinct, so coalesce names the dimension and the category at once. Counts stay integers
-- per weight, so that adding and taking away leaves no rounding behind.
CREATE OR REPLACE TEMP VIEW dim_counts AS
SELECT period_id, measure, top_was, top_today, first, weight,
	coalesce(grade, sex, ethnicity, age_band, general_education, professional_qualification, political_theory,
		religion, occupation)::SMALLINT AS dc,
	sum(sgn)::BIGINT AS n
FROM dim_in
GROUP BY GROUPING SETS (
	(period_id, measure, top_was, top_today, first, weight, grade), (period_id, measure, top_was, top_today, first, weight, sex),
	(period_id, measure, top_was, top_today, first, weight, ethnicity), (period_id, measure, top_was, top_today, first, weight, age_band),
	(period_id, measure, top_was, top_today, first, weight, general_education),
	(period_id, measure, top_was, top_today, first, weight, professional_qualification),
	(period_id, measure, top_was, top_today, first, weight, political_theory),
	(period_id, measure, top_was, top_today, first, weight, religion),
	(period_id, measure, top_was, top_today, first, weight, occupation));
-- stock_cur (01d_stock.sql) moves to this date.
CREATE OR REPLACE TEMP TABLE stock_next AS
SELECT top_was, top_today, first, weight, dc, sum(n)::BIGINT AS n
FROM (SELECT * FROM stock_cur UNION ALL SELECT top_was, top_today, first, weight, dc, n FROM dim_counts)
GROUP BY top_was, top_today, first, weight, dc HAVING sum(n) <> 0;
DROP TABLE stock_cur;
ALTER TABLE stock_next RENAME TO stock_cur;
-- leaf_d: the date's counts per period (NULL: the stock, every period's of the date, a term's for its provinces only), measure,
-- top_was, top_today and dimension category (dc, 01b_member.sql): n_was counts on the map as it was,
-- n_today on today's (weighted).
CREATE OR REPLACE TEMP TABLE leaf_d (period_id INTEGER, measure VARCHAR, top_was INTEGER, top_today INTEGER,
	dc SMALLINT, n_was BIGINT, n_today DOUBLE);
INSERT INTO leaf_d
SELECT NULL, 'stock', top_was, top_today, dc,
	coalesce(sum(n) FILTER (WHERE first AND top_was IS NOT NULL), 0), sum(n * weight)
FROM stock_cur GROUP BY top_was, top_today, dc;
-- each period of the date
-- The admissions of the period (one period at a time: a date that ends many terms, since provinces'
-- terms end on different days, would otherwise count millions of admissions at once), aged at the end of
-- the month of the date.
CREATE OR REPLACE TEMP TABLE term_key AS
SELECT k.k FROM top_key k JOIN term_province t ON t.province_id = k.province WHERE t.period_id = {{period_id}};
CREATE OR REPLACE TEMP VIEW dim_in AS
SELECT p.id AS period_id, 'admissions' AS measure, tw.top AS top_was, coalesce(tt.top, 0) AS top_today,
	coalesce(tt.first, true) AS first, coalesce(tt.weight, 0) AS weight,
	(SELECT dc FROM dim_code WHERE dimension = 'grade' AND category = 'probationary') AS grade,
	a.sex, a.ethnicity,
	-- the age band's code: the first band's plus the band's index (01b_member.sql)
	(ab.dc + band_ix(year({{on_date}}) * 12 + month({{on_date}}), a.birth_ym))::SMALLINT AS age_band,
	a.general_education, a.professional_qualification, a.political_theory, a.religion, a.occupation, 1 AS sgn
FROM period p
JOIN (SELECT * FROM admission
	WHERE day BETWEEN {{starts_on}} AND {{on_date}}) a ON true
CROSS JOIN age_base ab
LEFT JOIN tw_d tw ON tw.unit_id = a.unit_id LEFT JOIN unit_top_today tt ON tt.unit_id = a.unit_id
WHERE p.id = {{period_id}}
	-- a term counts for its provinces only (the rollup keeps those, on each map): the others' admissions of
	-- five years are not counted for it
	AND ('{{period_kind}}' <> 'term' OR tw.top IN (SELECT k FROM term_key) OR tt.top IN (SELECT k FROM term_key));
INSERT INTO leaf_d
SELECT period_id, measure, top_was, top_today, dc,
	coalesce(sum(n) FILTER (WHERE first AND top_was IS NOT NULL), 0), sum(n * weight)
FROM dim_counts GROUP BY period_id, measure, top_was, top_today, dc;
-- The funnel's entries into a stage and exits from it in this period, with the working days spent in the
-- stage of those who left, at the same grain (the tree as it was). One period at a time; the terms are
-- counted below, all of the date's at once.
INSERT INTO funnel_leaf
WITH x AS (
	SELECT cell_id AS unit_id, stage, prev AS from_stage, true AS entered, reason, NULL::INTEGER AS wd
	FROM stage_entry WHERE effective BETWEEN {{starts_on}} AND {{on_date}}
	UNION ALL
	SELECT cell_id, stage, prev, false, NULL, wd
	FROM stage_entry WHERE left_on BETWEEN {{starts_on}} AND {{on_date}})
SELECT {{period_id}}, {{on_date}}, k.top, x.stage, x.from_stage, x.entered, x.reason, x.wd, count(*)
FROM x JOIN tw_d tw USING (unit_id) JOIN top_key k ON k.k = tw.top
WHERE '{{period_kind}}' <> 'term'
GROUP BY ALL;
-- end each period

-- The funnel of the terms that end (or are cut) on this date, in one pass over the stage entries: a term is
-- counted only for the units of its provinces (term_province), and provinces' terms have different dates,
-- so a unit normally belongs to one of the date's terms (each row carries its term, so overlapping terms
-- would still count right). The as-of date cuts every province's current term: counting them one at a
-- time read the stage entries once per term.
INSERT INTO funnel_leaf
WITH tp AS (
	SELECT p.id AS period_id, p.starts_on, t.province_id
	FROM period p JOIN term_province t ON t.period_id = p.id
	WHERE p.kind = 'term' AND p.on_date = {{on_date}}),
cu AS (
	SELECT tw.unit_id, k.top, tp.period_id, tp.starts_on
	FROM tw_d tw JOIN top_key k ON k.k = tw.top JOIN tp ON tp.province_id = k.province),
x AS (
	SELECT cu.period_id, cu.top, x.stage, x.prev AS from_stage, true AS entered, x.reason, NULL::INTEGER AS wd
	FROM stage_entry x JOIN cu ON cu.unit_id = x.cell_id
	WHERE x.effective <= {{on_date}} AND x.effective >= cu.starts_on
	UNION ALL
	SELECT cu.period_id, cu.top, x.stage, x.prev, false, NULL, x.wd
	FROM stage_entry x JOIN cu ON cu.unit_id = x.cell_id
	WHERE x.left_on <= {{on_date}} AND x.left_on >= cu.starts_on)
SELECT period_id, {{on_date}}, top, stage, from_stage, entered, reason, wd, count(*)
FROM x GROUP BY ALL;

-- The rollup over the tree. A leaf's top_was / top_today is the top two levels of a path ("province.unit",
-- or a province alone), so the units it counts in are exactly its elements (top_unit, 01b_member.sql): the
-- province, and the unit below it on that map. No lookup of the tree per date is needed.
-- Each map is summed on its own key first (the pairs of keys collapse), the derived dimensions are added,
-- and the keys become units; only then do the date's stock rows (period NULL) go to every period of the
-- date, so the date's work does not grow with its number of periods. A term period counts only for the
-- units of its provinces (term_province), on each map by the province the unit is in there.
INSERT INTO breakdown_raw
WITH m AS (
	SELECT 'as_was' AS map, period_id, measure, top_was AS k, dc, sum(n_was)::DOUBLE AS n
	FROM leaf_d WHERE n_was > 0 GROUP BY ALL
	UNION ALL
	SELECT 'today', period_id, measure, top_today, dc, sum(n_today)
	FROM leaf_d WHERE n_today > 0 GROUP BY ALL),
d AS (
	SELECT * FROM m
	UNION ALL
	-- the derived dimensions (derive_map, 01b_member.sql) summed from their base dimension's counts
	SELECT m.map, m.period_id, m.measure, m.k, dm.dc, sum(m.n)
	FROM m JOIN derive_map dm ON dm.from_dc = m.dc GROUP BY ALL),
u AS (
	SELECT d.map, d.period_id, d.measure, t.unit_id, t.province, d.dc, sum(d.n) AS n
	FROM d JOIN top_unit t USING (k) GROUP BY ALL),
up AS (
	-- a period's admissions (a term's: of its provinces' units)
	SELECT u.*, p.id AS pid FROM u JOIN period p ON p.id = u.period_id
	WHERE p.kind <> 'term' OR EXISTS (SELECT 1 FROM term_province t WHERE t.period_id = p.id AND t.province_id = u.province)
	UNION ALL
	-- the date's stock, for each of the date's periods that is not a term
	SELECT u.*, p.id FROM u JOIN period p ON p.on_date = {{on_date}} AND p.kind <> 'term' WHERE u.period_id IS NULL
	UNION ALL
	-- and for each of the date's terms, joined by province: 30/06/2025 ends dozens of provinces' terms, and
	-- pairing every unit's stock with each of them before keeping its province's took a minute
	SELECT u.*, p.id FROM u JOIN term_province t ON t.province_id = u.province
	JOIN period p ON p.id = t.period_id AND p.on_date = {{on_date}} WHERE u.period_id IS NULL)
SELECT map, unit_id, pid, measure, dc, n FROM up;
DROP TABLE leaf_d;
