-- The persons counted (member_span, admission: 01b_member.sql), counted per unit (leaf) before the
-- rollup over the tree.
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
-- joined to the periods after counting; the per-date rows are never stored: they feed one
-- aggregation with a grouping set per dimension, small enough per date to stay in memory.
-- each on_date
INSERT INTO leaf
WITH d AS (SELECT {{on_date}} AS on_date),
m AS (
	SELECT d.on_date, NULL::INTEGER AS period_id, 'stock' AS measure, s.* EXCLUDE (valid_from, valid_to)
	FROM d JOIN member_span s ON s.valid_from <= d.on_date AND s.valid_to > d.on_date
	UNION ALL BY NAME
	SELECT p.on_date, p.id AS period_id, 'admissions' AS measure, 'probationary' AS grade, a.* EXCLUDE (day)
	FROM period p JOIN admission a ON a.day BETWEEN p.starts_on AND p.on_date
	WHERE p.on_date = {{on_date}}),
f AS (
	SELECT m.* EXCLUDE (birth_ym, age),
		CASE WHEN age <= 30 THEN 'yes' ELSE 'no' END AS youth,
		CASE WHEN age <= 30 THEN '30_or_under' WHEN age <= 40 THEN '31_40' WHEN age <= 50 THEN '41_50'
			WHEN age <= 60 THEN '51_60' WHEN age <= 70 THEN '61_70' ELSE 'over_70' END AS age_band
	FROM (SELECT *, (year(on_date) * 12 + month(on_date) - birth_ym) // 12 AS age FROM m) m),
g AS (
	SELECT on_date, period_id, measure, unit_id,
		CASE WHEN GROUPING(grade) = 0 THEN 'grade' WHEN GROUPING(sex) = 0 THEN 'sex'
			WHEN GROUPING(ethnic_minority) = 0 THEN 'ethnic_minority' WHEN GROUPING(ethnicity) = 0 THEN 'ethnicity'
			WHEN GROUPING(youth) = 0 THEN 'youth' WHEN GROUPING(age_band) = 0 THEN 'age_band'
			WHEN GROUPING(general_education) = 0 THEN 'general_education' WHEN GROUPING(upper_secondary) = 0 THEN 'upper_secondary'
			WHEN GROUPING(professional_qualification) = 0 THEN 'professional_qualification' WHEN GROUPING(college_plus) = 0 THEN 'college_plus'
			WHEN GROUPING(political_theory) = 0 THEN 'political_theory' WHEN GROUPING(religious) = 0 THEN 'religious'
			WHEN GROUPING(religion) = 0 THEN 'religion' WHEN GROUPING(occupation) = 0 THEN 'occupation' ELSE 'total' END AS dimension,
		coalesce(grade, sex, ethnic_minority, ethnicity, youth, age_band, general_education, upper_secondary,
			professional_qualification, college_plus, political_theory, religious, religion, occupation, 'total') AS category,
		count(*) AS n
	FROM f
	GROUP BY GROUPING SETS ((on_date, period_id, measure, unit_id),
		(on_date, period_id, measure, unit_id, grade), (on_date, period_id, measure, unit_id, sex),
		(on_date, period_id, measure, unit_id, ethnic_minority), (on_date, period_id, measure, unit_id, ethnicity),
		(on_date, period_id, measure, unit_id, youth), (on_date, period_id, measure, unit_id, age_band),
		(on_date, period_id, measure, unit_id, general_education), (on_date, period_id, measure, unit_id, upper_secondary),
		(on_date, period_id, measure, unit_id, professional_qualification), (on_date, period_id, measure, unit_id, college_plus),
		(on_date, period_id, measure, unit_id, political_theory), (on_date, period_id, measure, unit_id, religious),
		(on_date, period_id, measure, unit_id, religion), (on_date, period_id, measure, unit_id, occupation)))
-- Stock rows (no period yet) go to every period of their date.
SELECT coalesce(g.period_id, p.id), g.on_date, g.measure, g.unit_id, g.dimension, g.category, g.n
FROM g LEFT JOIN period p ON g.period_id IS NULL AND p.on_date = g.on_date;
