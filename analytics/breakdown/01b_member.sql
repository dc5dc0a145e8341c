-- The persons counted, with the category of every dimension worked out once (02_fact.sql runs once per
-- period date and only filters these by date; joining the person table and the code lists for every date
-- was most of its time). The large working tables live in the scratch database `work` (a file beside the
-- snapshot, compressed on disk and dropped after the run; analytics/breakdowns.go attaches it), not in
-- memory: nationally they hold tens of millions of rows.
--   person_cat  every person's categories; birth_ym = birth year * 12 + birth month (age is counted from it);
--   member_span the member status spans (statuses with member = true in code_item member_status) with the
--               person's categories;
--   admission   admitted and readmitted events with their day (the decision date, the ceremony when no
--               decision date was recorded, as package target counts them) and the person's categories,
--               in day order (02_fact.sql reads one period's days at a time: DuckDB skips the other row groups).
CREATE TABLE work.person_cat AS
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

-- derive_cat: the dimensions that are functions of another, with the category each category gives:
-- total (from sex: every person has one), ethnic_minority (ethnicity), youth (age_band), upper_secondary
-- (general_education), college_plus (professional_qualification), religious (religion). 02_fact.sql counts
-- the base dimensions only and sums these from them (derive_map, below, in codes), which is exact because
-- each base category gives one derived category (checked below: the job stops otherwise).
CREATE TEMP TABLE derive_cat AS
SELECT DISTINCT 'sex' AS from_dim, sex AS from_cat, 'total' AS dimension, 'total' AS category FROM person_cat
UNION ALL SELECT DISTINCT 'ethnicity', ethnicity, 'ethnic_minority', ethnic_minority FROM person_cat
UNION ALL SELECT DISTINCT 'general_education', general_education, 'upper_secondary', upper_secondary FROM person_cat
UNION ALL SELECT DISTINCT 'professional_qualification', professional_qualification, 'college_plus', college_plus FROM person_cat
UNION ALL SELECT DISTINCT 'religion', religion, 'religious', religious FROM person_cat
UNION ALL SELECT 'age_band', b, 'youth', CASE b WHEN '30_or_under' THEN 'yes' ELSE 'no' END
FROM (VALUES ('30_or_under'), ('31_40'), ('41_50'), ('51_60'), ('61_70'), ('over_70')) v(b);
SELECT error('analytics: a category gives two categories of a derived dimension: ' || string_agg(from_dim || '=' || from_cat, ', '))
FROM (SELECT from_dim, from_cat, dimension FROM derive_cat GROUP BY ALL HAVING count(*) > 1) HAVING count(*) > 0;

-- dim_code: a small integer (dc) for every dimension and category, so that the counts per date group
-- and store integers, not strings (nationally ≈ 6 million members per date, 9 dimensions each): the
-- dimensions of derive_cat on both sides, and the three no other dimension derives from. Every
-- dimension's categories are numbered consecutively in name order: the six age bands sort in their
-- natural order, so a band's code is the first band's plus its index.
CREATE TEMP TABLE dim_code AS
SELECT (row_number() OVER (ORDER BY dimension, category))::SMALLINT AS dc, dimension, category FROM (
	SELECT from_dim AS dimension, from_cat AS category FROM derive_cat
	UNION SELECT dimension, category FROM derive_cat
	UNION SELECT DISTINCT 'political_theory', political_theory FROM person_cat
	UNION SELECT DISTINCT 'occupation', occupation FROM person_cat
	UNION SELECT DISTINCT 'grade', coalesce(grade, 'unknown') FROM member_status_span
	UNION SELECT 'grade', 'probationary');
CREATE TEMP TABLE age_base AS SELECT min(dc) AS dc FROM dim_code WHERE dimension = 'age_band';
-- band_ix: the index of the age band (derive_cat's order) of a person born in month birth_ym (year * 12 + month)
-- at the end of month ym; no birth month: the last band. 01d_stock.sql and 02_fact.sql both count by it.
CREATE TEMP MACRO band_ix(ym, birth_ym) AS CASE WHEN birth_ym IS NULL THEN 5
	WHEN (ym - birth_ym) // 12 <= 30 THEN 0 WHEN (ym - birth_ym) // 12 <= 40 THEN 1 WHEN (ym - birth_ym) // 12 <= 50 THEN 2
	WHEN (ym - birth_ym) // 12 <= 60 THEN 3 WHEN (ym - birth_ym) // 12 <= 70 THEN 4 ELSE 5 END;

-- person_code: every person's base categories as codes.
CREATE TABLE work.person_code AS
SELECT c.person_key, c.birth_ym, sx.dc AS sex, et.dc AS ethnicity, ge.dc AS general_education,
	pq.dc AS professional_qualification, pt.dc AS political_theory, rl.dc AS religion, oc.dc AS occupation
FROM person_cat c
JOIN dim_code sx ON sx.dimension = 'sex' AND sx.category = c.sex
JOIN dim_code et ON et.dimension = 'ethnicity' AND et.category = c.ethnicity
JOIN dim_code ge ON ge.dimension = 'general_education' AND ge.category = c.general_education
JOIN dim_code pq ON pq.dimension = 'professional_qualification' AND pq.category = c.professional_qualification
JOIN dim_code pt ON pt.dimension = 'political_theory' AND pt.category = c.political_theory
JOIN dim_code rl ON rl.dimension = 'religion' AND rl.category = c.religion
JOIN dim_code oc ON oc.dimension = 'occupation' AND oc.category = c.occupation;

CREATE TABLE work.member_span AS
SELECT s.unit_id, s.valid_from, coalesce(s.valid_to, DATE '9999-12-31') AS valid_to, g.dc AS grade,
	c.* EXCLUDE (person_key)
FROM member_status_span s JOIN person_code c USING (person_key)
JOIN dim_code g ON g.dimension = 'grade' AND g.category = coalesce(s.grade, 'unknown')
WHERE s.status IN (SELECT code FROM code_item WHERE list = 'member_status' AND member);

CREATE TABLE work.admission AS
SELECT e.unit_id, coalesce(e.decision_date, e.effective) AS day, c.* EXCLUDE (person_key)
FROM member_event e JOIN person_code c USING (person_key)
WHERE e.kind IN ('admitted', 'readmitted')
ORDER BY day;

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

-- top_key: a number (k) for every top-two-levels path, so that the counts group integers, and its province
-- (the path's first element).
CREATE TEMP TABLE top_key AS
SELECT (row_number() OVER (ORDER BY top))::INTEGER AS k, top, TRY_CAST(split_part(top, '.', 1) AS BIGINT) AS province
FROM (SELECT DISTINCT top2(path) AS top FROM org_link);

-- top_unit: the units a top key counts in (its path's elements: the province, and the unit below it).
CREATE TEMP TABLE top_unit AS
SELECT k, unnest(string_split(top, '.'))::BIGINT AS unit_id, province FROM top_key;

CREATE TEMP TABLE top_link AS
SELECT l.unit_id, l.valid_from, k.k AS top FROM org_link l JOIN top_key k ON k.top = top2(l.path);

-- unit_top_today: where a unit's figures go on today's map, at the grain above, with the weight (a split
-- unit's direct figures are shared among its successors) and one row per unit marked `first`, so that
-- joining it does not count a person twice on the other map.
CREATE TEMP TABLE unit_top_today AS
SELECT unit_id, top, weight, row_number() OVER (PARTITION BY unit_id ORDER BY top) = 1 AS first
FROM (SELECT t.unit_id, k.k AS top, sum(t.weight) AS weight
	FROM unit_today t JOIN path_today pt ON pt.unit_id = t.today_id JOIN top_key k ON k.top = top2(pt.path) GROUP BY ALL);

-- derive_map: derive_cat as codes (from_dc gives dc).
CREATE TEMP TABLE derive_map AS
SELECT m.*, f.dc AS from_dc, t.dc AS dc
FROM derive_cat m JOIN dim_code f ON f.dimension = m.from_dim AND f.category = m.from_cat
JOIN dim_code t ON t.dimension = m.dimension AND t.category = m.category;
