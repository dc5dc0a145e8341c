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
-- leaf_d: the date's counts per period (NULL: the stock, which is every period's of the date), measure,
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
WHERE p.id = {{period_id}};
INSERT INTO leaf_d
SELECT period_id, measure, top_was, top_today, dc,
	coalesce(sum(n) FILTER (WHERE first AND top_was IS NOT NULL), 0), sum(n * weight)
FROM dim_counts GROUP BY period_id, measure, top_was, top_today, dc;
-- The funnel's entries into a stage and exits from it in this period, with the working days spent in the
-- stage of those who left, at the same grain (the tree as it was). One period at a time, and a term period
-- only for the units of its provinces (term_province): 30/06/2025 ends dozens of provinces' terms, and
-- counting every province's five years of stage entries for each of them ran out of memory.
INSERT INTO funnel_leaf
WITH x AS (
	SELECT p.id AS period_id, p.kind, x.cell_id AS unit_id, x.stage, x.prev AS from_stage, true AS entered, x.reason, NULL::INTEGER AS wd
	FROM period p JOIN stage_entry x ON x.effective BETWEEN {{starts_on}} AND {{on_date}} WHERE p.id = {{period_id}}
	UNION ALL
	SELECT p.id, p.kind, x.cell_id, x.stage, x.prev, false, NULL, x.wd
	FROM period p JOIN stage_entry x ON x.left_on BETWEEN {{starts_on}} AND {{on_date}} WHERE p.id = {{period_id}}),
y AS (
	SELECT x.* EXCLUDE (kind), k.top
	FROM x JOIN tw_d tw USING (unit_id) JOIN top_key k ON k.k = tw.top
	WHERE x.kind <> 'term' OR EXISTS (SELECT 1 FROM term_province t
		WHERE t.period_id = x.period_id AND t.province_id = k.province))
SELECT y.period_id, {{on_date}}, y.top, y.stage, y.from_stage, y.entered, y.reason, y.wd, count(*)
FROM y
GROUP BY ALL;
-- end each period

-- The rollup over the tree. A leaf's top_was / top_today is the top two levels of a path
-- ("province.unit", or a province alone), so its elements are exactly the units it counts in: the
-- province, and the unit below it on that map. No lookup of the tree per date is needed.
-- A stock row (period NULL) counts for every period of its date; a term period only for the units of its
-- provinces (term_province), on each map by the province its units are in there.
INSERT INTO breakdown_raw
WITH lp AS (
	SELECT p.id AS period_id, p.kind, f.* EXCLUDE (period_id)
	FROM leaf_d f JOIN period p ON p.id = f.period_id OR (f.period_id IS NULL AND p.on_date = {{on_date}})),
kp AS (
	SELECT lp.*, kw.top AS path_was, kt.top AS path_today, kw.province AS province_was, kt.province AS province_today
	FROM lp LEFT JOIN top_key kw ON kw.k = lp.top_was LEFT JOIN top_key kt ON kt.k = lp.top_today),
b AS (
	SELECT kp.period_id, kp.measure, kp.path_was, kp.path_today, kp.dc,
		CASE WHEN kp.kind = 'term' AND tw.province_id IS NULL THEN 0 ELSE kp.n_was END AS n_was,
		CASE WHEN kp.kind = 'term' AND tt.province_id IS NULL THEN 0 ELSE kp.n_today END AS n_today
	FROM kp
	LEFT JOIN term_province tw ON tw.period_id = kp.period_id AND tw.province_id = kp.province_was
	LEFT JOIN term_province tt ON tt.period_id = kp.period_id AND tt.province_id = kp.province_today),
l AS (
	SELECT period_id, measure, path_was, path_today, dc, n_was, n_today FROM b
	UNION ALL
	-- the derived dimensions (derive_map, 01b_member.sql) summed from their base dimension's counts
	SELECT f.period_id, f.measure, f.path_was, f.path_today, dm.dc, sum(f.n_was), sum(f.n_today)
	FROM b f JOIN derive_map dm ON dm.from_dc = f.dc
	GROUP BY ALL)
SELECT map, unit_id, period_id, measure, dc, sum(n)::DOUBLE AS n
FROM (
	SELECT 'as_was' AS map, unnest(string_split(path_was, '.'))::BIGINT AS unit_id, period_id, measure, dc, n_was AS n
	FROM l WHERE n_was > 0
	UNION ALL
	SELECT 'today', unnest(string_split(path_today, '.'))::BIGINT, period_id, measure, dc, n_today
	FROM l WHERE n_today > 0)
GROUP BY ALL;
DROP TABLE leaf_d;
