-- stage_entry: every time a case entered a stage (an event whose stage differs from the case's stage
-- before it), with the date it left the stage (its next entry), if it has.
CREATE TEMP TABLE stage_entry AS
WITH e AS (
	SELECT e.id, e.case_id, c.cell_id, e.stage_after AS stage, e.effective, e.reason,
		lag(e.stage_after) OVER (PARTITION BY e.case_id ORDER BY e.effective, e.id) AS prev
	FROM case_event e JOIN candidate_case c ON c.id = e.case_id),
s AS (SELECT * FROM e WHERE prev IS NULL OR prev <> stage)
SELECT s.*, lead(s.effective) OVER (PARTITION BY s.case_id ORDER BY s.effective, s.id) AS left_on
FROM s;

-- funnel_fact: entries into a stage in a period, and exits from a stage in a period with the working
-- days spent in it (working days between entry and exit, by the calendar).
CREATE TEMP TABLE funnel_fact AS
SELECT p.id AS period_id, p.on_date, x.cell_id AS unit_id, x.stage, x.prev AS from_stage, true AS entered,
	x.reason, NULL::INTEGER AS wd
FROM period p JOIN stage_entry x ON x.effective BETWEEN p.starts_on AND p.on_date
UNION ALL
SELECT p.id, p.on_date, x.cell_id, x.stage, x.prev, false, NULL, (w2.idx - w1.idx)::INTEGER
FROM period p JOIN stage_entry x ON x.left_on BETWEEN p.starts_on AND p.on_date
JOIN workday w1 ON w1.day = x.effective JOIN workday w2 ON w2.day = x.left_on;
