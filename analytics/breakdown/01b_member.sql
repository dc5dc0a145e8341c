-- The persons counted, with the category of every dimension worked out once (02_fact.sql runs once per
-- period date and only filters these by date; joining the person table and the code lists for every date
-- was most of its time):
--   person_cat  every person's categories; birth_ym = birth year * 12 + birth month (age is counted from it);
--   member_span the member status spans (statuses with member = true in code_item member_status) with the
--               person's categories;
--   admission   admitted and readmitted events with their day (the decision date, the ceremony when no
--               decision date was recorded, as package target counts them) and the person's categories.
CREATE TEMP TABLE person_cat AS
SELECT x.person_key, x.birth_year * 12 + x.birth_month AS birth_ym,
	coalesce(x.sex, 'unknown') AS sex,
	CASE x.ethnic_minority WHEN true THEN 'yes' WHEN false THEN 'no' ELSE 'unknown' END AS ethnic_minority,
	coalesce(x.ethnicity, 'unknown') AS ethnicity,
	coalesce(x.general_education, 'unknown') AS general_education,
	CASE WHEN x.general_education IS NULL THEN 'unknown' WHEN x.general_education = 'upper_secondary' THEN 'yes' ELSE 'no' END AS upper_secondary,
	coalesce(x.professional_qualification, 'unknown') AS professional_qualification,
	CASE WHEN pq.level IS NULL THEN 'unknown' WHEN pq.level >= 3 THEN 'yes' ELSE 'no' END AS college_plus,
	coalesce(x.political_theory, 'unknown') AS political_theory,
	CASE WHEN rl.religious IS NULL THEN 'unknown' WHEN rl.religious THEN 'yes' ELSE 'no' END AS religious,
	coalesce(x.religion, 'unknown') AS religion,
	coalesce(x.occupation, 'unknown') AS occupation
FROM person x
LEFT JOIN code_item pq ON pq.list = 'professional_qualification' AND pq.code = x.professional_qualification
LEFT JOIN code_item rl ON rl.list = 'religion' AND rl.code = x.religion;

CREATE TEMP TABLE member_span AS
SELECT s.unit_id, s.valid_from, coalesce(s.valid_to, DATE '9999-12-31') AS valid_to, coalesce(s.grade, 'unknown') AS grade,
	c.* EXCLUDE (person_key)
FROM member_status_span s JOIN person_cat c USING (person_key)
WHERE s.status IN (SELECT code FROM code_item WHERE list = 'member_status' AND member);

CREATE TEMP TABLE admission AS
SELECT e.unit_id, coalesce(e.decision_date, e.effective) AS day, c.* EXCLUDE (person_key)
FROM member_event e JOIN person_cat c USING (person_key)
WHERE e.kind IN ('admitted', 'readmitted');

-- The grain of the counts. Figures are published for the top two levels of the tree on a date: the
-- province and the level below it (districts before 1 July 2025; communes, wards and the province's
-- own grassroots committees since). Nationally that is a few thousand units; the ≈ 450,000 below them
-- (grassroots organizations and cells, ≤ a few thousand members each) are counted live by the API from
-- PostgreSQL (package breakdown), which is exact, fresh and cheap at that size, while publishing every
-- cell for every period would be billions of rows. So a person is counted in the first two elements of
-- their unit's path: `top2` of the unit's last link starting on or before the date (as it was) and of its
-- successors' paths on the as-of date (today's map).
CREATE TEMP MACRO top2(path) AS CASE WHEN strpos(path, '.') = 0 THEN path
	ELSE split_part(path, '.', 1) || '.' || split_part(path, '.', 2) END;

CREATE TEMP TABLE top_link AS
SELECT unit_id, valid_from, top2(path) AS top FROM org_link;

-- unit_top_today: where a unit's figures go on today's map, at the grain above, with the weight (a split
-- unit's direct figures are shared among its successors) and one row per unit marked `first`, so that
-- joining it does not count a person twice on the other map.
CREATE TEMP TABLE unit_top_today AS
SELECT unit_id, top, weight, row_number() OVER (PARTITION BY unit_id ORDER BY top) = 1 AS first
FROM (SELECT t.unit_id, top2(pt.path) AS top, sum(t.weight) AS weight
	FROM unit_today t JOIN path_today pt ON pt.unit_id = t.today_id GROUP BY ALL);

-- derive_map: the dimensions that are functions of another, with the category each category gives:
-- total (from sex: every person has one), ethnic_minority (ethnicity), youth (age_band), upper_secondary
-- (general_education), college_plus (professional_qualification), religious (religion). 02_fact.sql
-- counts the base dimensions only and 04_rollup.sql sums these from them, which is exact because each
-- base category gives one derived category (checked below: the job stops otherwise).
CREATE TEMP TABLE derive_map AS
SELECT DISTINCT 'sex' AS from_dim, sex AS from_cat, 'total' AS dimension, 'total' AS category FROM person_cat
UNION ALL SELECT DISTINCT 'ethnicity', ethnicity, 'ethnic_minority', ethnic_minority FROM person_cat
UNION ALL SELECT DISTINCT 'general_education', general_education, 'upper_secondary', upper_secondary FROM person_cat
UNION ALL SELECT DISTINCT 'professional_qualification', professional_qualification, 'college_plus', college_plus FROM person_cat
UNION ALL SELECT DISTINCT 'religion', religion, 'religious', religious FROM person_cat
UNION ALL SELECT 'age_band', b, 'youth', CASE b WHEN '30_or_under' THEN 'yes' ELSE 'no' END
FROM (VALUES ('30_or_under'), ('31_40'), ('41_50'), ('51_60'), ('61_70'), ('over_70')) v(b);
SELECT error('analytics: a category gives two categories of a derived dimension: ' || string_agg(from_dim || '=' || from_cat, ', '))
FROM (SELECT from_dim, from_cat, dimension FROM derive_map GROUP BY ALL HAVING count(*) > 1) HAVING count(*) > 0;
