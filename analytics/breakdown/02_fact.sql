-- fact: one row per person counted in a period, with the categories of every dimension.
--   stock       the members (a status with member = true in code_item member_status: probationary, full,
--               exempted, temporarily attending elsewhere) on the period's date `on_date`, in the unit of
--               their status span then;
--   admissions  admitted and readmitted events whose decision date (the ceremony when no decision date
--               was recorded, as package target counts them) falls in [starts_on, on_date], in the unit of the
--               event.
-- Age is counted in whole years at the end of the month of `on_date` from the birth year and month (exact at
-- every month end, which every closed period ends on). Youth: aged 30 or under, the upper bound of
-- "thanh niên" in the Youth Law (Luật Thanh niên 2020, Điều 1: from 16 to 30) and of Youth Union
-- membership (pipeline_rule youth_union.max_age_years).
CREATE TEMP TABLE fact AS
WITH m AS (
	SELECT p.id AS period_id, p.on_date, 'stock' AS measure, s.unit_id, s.person_key, s.grade
	FROM period p JOIN member_status_span s ON s.valid_from <= p.on_date AND (s.valid_to IS NULL OR s.valid_to > p.on_date)
	WHERE s.status IN (SELECT code FROM code_item WHERE list = 'member_status' AND member)
	UNION ALL
	SELECT p.id, p.on_date, 'admissions', e.unit_id, e.person_key, 'probationary'
	FROM period p JOIN member_event e ON coalesce(e.decision_date, e.effective) BETWEEN p.starts_on AND p.on_date
	WHERE e.kind IN ('admitted', 'readmitted')),
a AS (
	SELECT m.*, x.*, (year(m.on_date) * 12 + month(m.on_date) - (x.birth_year * 12 + x.birth_month)) // 12 AS age
	FROM m JOIN person x USING (person_key))
SELECT a.period_id, a.on_date, a.measure, a.unit_id,
	'total' AS total,
	coalesce(a.grade, 'unknown') AS grade,
	coalesce(a.sex, 'unknown') AS sex,
	CASE a.ethnic_minority WHEN true THEN 'yes' WHEN false THEN 'no' ELSE 'unknown' END AS ethnic_minority,
	coalesce(a.ethnicity, 'unknown') AS ethnicity,
	CASE WHEN a.age <= 30 THEN 'yes' ELSE 'no' END AS youth,
	CASE WHEN a.age <= 30 THEN '30_or_under' WHEN a.age <= 40 THEN '31_40' WHEN a.age <= 50 THEN '41_50'
		WHEN a.age <= 60 THEN '51_60' WHEN a.age <= 70 THEN '61_70' ELSE 'over_70' END AS age_band,
	coalesce(a.general_education, 'unknown') AS general_education,
	CASE WHEN a.general_education IS NULL THEN 'unknown' WHEN a.general_education = 'upper_secondary' THEN 'yes' ELSE 'no' END AS upper_secondary,
	coalesce(a.professional_qualification, 'unknown') AS professional_qualification,
	CASE WHEN pq.level IS NULL THEN 'unknown' WHEN pq.level >= 3 THEN 'yes' ELSE 'no' END AS college_plus,
	coalesce(a.political_theory, 'unknown') AS political_theory,
	CASE WHEN rl.religious IS NULL THEN 'unknown' WHEN rl.religious THEN 'yes' ELSE 'no' END AS religious,
	coalesce(a.religion, 'unknown') AS religion,
	coalesce(a.occupation, 'unknown') AS occupation
FROM a
LEFT JOIN code_item pq ON pq.list = 'professional_qualification' AND pq.code = a.professional_qualification
LEFT JOIN code_item rl ON rl.list = 'religion' AND rl.code = a.religion;

-- leaf: the facts counted per unit, before the rollup over the tree.
CREATE TEMP TABLE leaf AS
SELECT period_id, on_date, measure, unit_id, dimension, category, count(*) AS n
FROM (UNPIVOT fact ON total, grade, sex, ethnic_minority, ethnicity, youth, age_band, general_education,
	upper_secondary, professional_qualification, college_plus, political_theory, religious, religion, occupation
	INTO NAME dimension VALUE category)
GROUP BY ALL;
