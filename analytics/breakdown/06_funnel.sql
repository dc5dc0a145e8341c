-- funnel: per unit (its subtree on the period's date, as it was) and period, the cases that entered each
-- stage, the share of them that entered the next stage in the same period (conversion), the exits from
-- the stage and the median and 90th percentile of working days spent in it by the cases that left it in
-- the period.
CREATE TABLE funnel AS
WITH r AS (
	SELECT a.ancestor_id AS unit_id, f.period_id, f.stage,
		count(*) FILTER (WHERE f.entered) AS entered,
		count(*) FILTER (WHERE NOT f.entered) AS exited,
		quantile_cont(f.wd, 0.5) FILTER (WHERE NOT f.entered) AS median_working_days,
		quantile_cont(f.wd, 0.9) FILTER (WHERE NOT f.entered) AS p90_working_days
	FROM funnel_fact f JOIN anc_as_was a ON a.unit_id = f.unit_id AND a.on_date = f.on_date
	GROUP BY ALL),
o AS (SELECT * FROM (VALUES ('source', 1), ('course_done', 2), ('dossier', 3), ('cell_resolution', 4),
	('committee_resolution', 5), ('decision', 6), ('probation', 7), ('full_member', 8), ('left', 90), ('removed', 91)) v(stage, ord))
SELECT r.unit_id, u.province_id, p.kind AS period_kind, p.label AS period, p.starts_on, p.ends_on, p.on_date,
	r.stage, o.ord AS stage_order, r.entered, r.exited,
	CASE WHEN o.ord < 8 AND r.entered > 0 THEN coalesce(nx.entered, 0) / r.entered END AS conversion,
	r.median_working_days, r.p90_working_days
FROM r JOIN period p ON p.id = r.period_id JOIN o USING (stage)
LEFT JOIN (SELECT r2.unit_id, r2.period_id, o2.ord, r2.entered FROM r r2 JOIN o o2 USING (stage)) nx
	ON nx.unit_id = r.unit_id AND nx.period_id = r.period_id AND nx.ord = o.ord + 1
LEFT JOIN unit_province u ON u.id = r.unit_id
ORDER BY r.unit_id, p.kind, p.starts_on, o.ord;

-- funnel_dropout: cases that left the pipeline (stage left or removed) in the period, by the stage they
-- left from and the reason (code list leave_reason).
CREATE TABLE funnel_dropout AS
SELECT a.ancestor_id AS unit_id, u.province_id, p.kind AS period_kind, p.label AS period,
	f.stage, coalesce(f.from_stage, 'unknown') AS from_stage, coalesce(f.reason, 'unknown') AS reason, count(*) AS n
FROM funnel_fact f JOIN anc_as_was a ON a.unit_id = f.unit_id AND a.on_date = f.on_date
JOIN period p ON p.id = f.period_id
LEFT JOIN unit_province u ON u.id = a.ancestor_id
WHERE f.entered AND f.stage IN ('left', 'removed')
GROUP BY ALL
ORDER BY ALL;
