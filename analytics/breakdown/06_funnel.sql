-- funnel: per unit (its subtree on the period's date, as it was) and period, the cases that entered each
-- stage, the share of them that entered the next stage in the same period (conversion), the exits from
-- the stage and the median and 90th percentile of working days spent in it by the cases that left it in
-- the period. funnel and funnel_dropout are created in 01_period.sql and filled one period at a time (the
-- windows over every unit, period and stage at once ran out of memory nationally); funnel_leaf was written
-- date by date, so a period's rows are found by their row groups' bounds.
-- each on_date
-- each period of the date
INSERT INTO funnel
WITH fa AS (
	SELECT unnest(string_split(f.top_was, '.'))::BIGINT AS unit_id, f.period_id, f.stage, f.entered, f.wd, f.n
	FROM funnel_leaf f WHERE f.period_id = {{period_id}}),
-- The working days of the exits as a histogram (value, count) per unit, period and stage; the median and
-- the 90th percentile are read from it exactly as quantile_cont reads the sorted values: the value at
-- position h = (count - 1) · q, interpolated between the values at floor(h) and ceil(h).
hist AS (
	SELECT unit_id, period_id, stage, wd, sum(n) AS c FROM fa WHERE NOT entered AND wd IS NOT NULL GROUP BY ALL),
cum AS (
	SELECT *, sum(c) OVER w - c AS below, sum(c) OVER w AS upto, sum(c) OVER (PARTITION BY unit_id, period_id, stage) AS total
	FROM hist WINDOW w AS (PARTITION BY unit_id, period_id, stage ORDER BY wd ROWS UNBOUNDED PRECEDING)),
qs AS (
	SELECT unit_id, period_id, stage, q, any_value((total - 1) * q) AS h,
		max(wd) FILTER (WHERE below <= floor((total - 1) * q) AND floor((total - 1) * q) < upto) AS v_lo,
		max(wd) FILTER (WHERE below <= ceil((total - 1) * q) AND ceil((total - 1) * q) < upto) AS v_hi
	FROM cum, (VALUES (0.5), (0.9)) t(q) GROUP BY ALL),
quant AS (
	SELECT unit_id, period_id, stage,
		any_value(v_lo + (h - floor(h)) * (v_hi - v_lo)) FILTER (WHERE q = 0.5) AS median_working_days,
		any_value(v_lo + (h - floor(h)) * (v_hi - v_lo)) FILTER (WHERE q = 0.9) AS p90_working_days
	FROM qs GROUP BY ALL),
r AS (
	SELECT unit_id, period_id, stage,
		coalesce(sum(n) FILTER (WHERE entered), 0) AS entered,
		coalesce(sum(n) FILTER (WHERE NOT entered), 0) AS exited
	FROM fa GROUP BY ALL),
o AS (SELECT * FROM (VALUES ('source', 1), ('course_done', 2), ('dossier', 3), ('cell_resolution', 4),
	('committee_resolution', 5), ('decision', 6), ('probation', 7), ('full_member', 8), ('left', 90), ('removed', 91)) v(stage, ord))
SELECT r.unit_id, u.province_id, p.kind AS period_kind, p.label AS period, p.starts_on, p.ends_on, p.on_date,
	r.stage, o.ord AS stage_order, r.entered, r.exited,
	CASE WHEN o.ord < 8 AND r.entered > 0 THEN coalesce(nx.entered, 0) / r.entered END AS conversion,
	qn.median_working_days, qn.p90_working_days
FROM r JOIN period p ON p.id = r.period_id JOIN o USING (stage)
LEFT JOIN quant qn ON qn.unit_id = r.unit_id AND qn.period_id = r.period_id AND qn.stage = r.stage
LEFT JOIN (SELECT r2.unit_id, r2.period_id, o2.ord, r2.entered FROM r r2 JOIN o o2 USING (stage)) nx
	ON nx.unit_id = r.unit_id AND nx.period_id = r.period_id AND nx.ord = o.ord + 1
LEFT JOIN unit_province u ON u.id = r.unit_id;

-- funnel_dropout: cases that left the pipeline (stage left or removed) in the period, by the stage they
-- left from and the reason (code list leave_reason).
INSERT INTO funnel_dropout
SELECT a.unit_id, u.province_id, p.kind AS period_kind, p.label AS period,
	a.stage, coalesce(a.from_stage, 'unknown') AS from_stage, coalesce(a.reason, 'unknown') AS reason, sum(a.n) AS n
FROM (SELECT unnest(string_split(f.top_was, '.'))::BIGINT AS unit_id, f.* EXCLUDE (top_was) FROM funnel_leaf f
	WHERE f.period_id = {{period_id}}) a
JOIN period p ON p.id = a.period_id
LEFT JOIN unit_province u ON u.id = a.unit_id
WHERE a.entered AND a.stage IN ('left', 'removed')
GROUP BY ALL;
-- end each period
