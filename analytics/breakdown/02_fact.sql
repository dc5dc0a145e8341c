-- The persons counted (member_span, admission: 01b_member.sql), counted per period date at the grain of
-- the top two levels (leaf) before the rollup over the tree.
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
-- runner): stock is counted once per date (a year, its last quarter and its December share one) and
-- joined to the periods after counting. A person's unit becomes the top two levels of its path on the date
-- (top_was) and on today's map (top_today) before counting, so each date's aggregation holds a few
-- thousand units' groups, not ≈ 450,000 cells'.
-- each on_date
-- tw_d: the top two levels of every unit's path on the date (as it was).
CREATE OR REPLACE TEMP TABLE tw_d AS
SELECT unit_id, arg_max(top, valid_from) AS top FROM top_link WHERE valid_from <= {{on_date}} GROUP BY unit_id;
-- m0_in: the persons to count. First the stock on the date; then (below) the admissions of each period of
-- the date in turn: a date that ends many terms (provinces' terms end on different days) would otherwise
-- count millions of admissions at once.
CREATE OR REPLACE TEMP VIEW m0_in AS
SELECT {{on_date}} AS on_date, NULL::INTEGER AS period_id, 'stock' AS measure, s.* EXCLUDE (valid_from, valid_to)
FROM member_span s WHERE s.valid_from <= {{on_date}} AND s.valid_to > {{on_date}};
CREATE OR REPLACE TEMP VIEW leaf_counts AS
WITH m0 AS (SELECT * FROM m0_in),
tw AS (SELECT * FROM tw_d),
m AS (
	SELECT m0.* EXCLUDE (unit_id), tw.top AS top_was, coalesce(tt.top, '') AS top_today,
		coalesce(tt.first, true) AS first, coalesce(tt.weight, 0) AS weight
	FROM m0 LEFT JOIN tw USING (unit_id) LEFT JOIN unit_top_today tt USING (unit_id)),
f AS (
	SELECT m.* EXCLUDE (birth_ym, age),
		CASE WHEN age <= 30 THEN '30_or_under' WHEN age <= 40 THEN '31_40' WHEN age <= 50 THEN '41_50'
			WHEN age <= 60 THEN '51_60' WHEN age <= 70 THEN '61_70' ELSE 'over_70' END AS age_band
	FROM (SELECT *, (year(on_date) * 12 + month(on_date) - birth_ym) // 12 AS age FROM m) m),
-- The nine base dimensions only: total, ethnic_minority, youth, upper_secondary, college_plus and
-- religious are functions of sex, ethnicity, age_band, general_education, professional_qualification
-- and religion (derive_map, 01b_member.sql) and are summed from them after counting (04_rollup.sql).
g AS (
	SELECT on_date, period_id, measure, top_was, top_today,
		CASE WHEN GROUPING(grade) = 0 THEN 'grade' WHEN GROUPING(sex) = 0 THEN 'sex'
			WHEN GROUPING(ethnicity) = 0 THEN 'ethnicity' WHEN GROUPING(age_band) = 0 THEN 'age_band'
			WHEN GROUPING(general_education) = 0 THEN 'general_education'
			WHEN GROUPING(professional_qualification) = 0 THEN 'professional_qualification'
			WHEN GROUPING(political_theory) = 0 THEN 'political_theory'
			WHEN GROUPING(religion) = 0 THEN 'religion' ELSE 'occupation' END AS dimension,
		coalesce(grade, sex, ethnicity, age_band, general_education, professional_qualification, political_theory,
			religion, occupation) AS category,
		count(*) FILTER (WHERE first AND top_was IS NOT NULL) AS n_was, sum(weight) AS n_today
	FROM f
	GROUP BY GROUPING SETS (
		(on_date, period_id, measure, top_was, top_today, grade), (on_date, period_id, measure, top_was, top_today, sex),
		(on_date, period_id, measure, top_was, top_today, ethnicity), (on_date, period_id, measure, top_was, top_today, age_band),
		(on_date, period_id, measure, top_was, top_today, general_education),
		(on_date, period_id, measure, top_was, top_today, professional_qualification),
		(on_date, period_id, measure, top_was, top_today, political_theory), (on_date, period_id, measure, top_was, top_today, religion),
		(on_date, period_id, measure, top_was, top_today, occupation)))
-- Stock rows keep no period (NULL): they are the stock of every period of their date, which 04_rollup.sql
-- joins after counting (a date that ends many provinces' terms would otherwise repeat them per term).
SELECT g.period_id, g.on_date, g.measure, g.top_was, g.top_today, g.dimension, g.category, g.n_was, g.n_today
FROM g;
INSERT INTO leaf SELECT * FROM leaf_counts;
-- each period of the date
CREATE OR REPLACE TEMP VIEW m0_in AS
SELECT p.on_date, p.id AS period_id, 'admissions' AS measure, 'probationary' AS grade, a.* EXCLUDE (day)
FROM period p JOIN admission a ON a.day BETWEEN p.starts_on AND p.on_date
WHERE p.id = {{period_id}};
INSERT INTO leaf SELECT * FROM leaf_counts;
-- end each period

-- The funnel's entries into a stage and exits from it in the periods of this date, with the working days
-- spent in the stage of those who left, at the same grain (the tree as it was).
INSERT INTO funnel_leaf
WITH tw AS (SELECT * FROM tw_d),
x AS (
	SELECT p.id AS period_id, x.cell_id AS unit_id, x.stage, x.prev AS from_stage, true AS entered, x.reason, NULL::INTEGER AS wd
	FROM period p JOIN stage_entry x ON x.effective BETWEEN p.starts_on AND p.on_date WHERE p.on_date = {{on_date}}
	UNION ALL
	SELECT p.id, x.cell_id, x.stage, x.prev, false, NULL, x.wd
	FROM period p JOIN stage_entry x ON x.left_on BETWEEN p.starts_on AND p.on_date WHERE p.on_date = {{on_date}})
SELECT x.period_id, {{on_date}}, tw.top, x.stage, x.from_stage, x.entered, x.reason, x.wd, count(*)
FROM x JOIN tw USING (unit_id)
GROUP BY ALL;
