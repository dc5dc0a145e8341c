-- stage_entry: every time a case entered a stage (an event whose stage differs from the case's stage
-- before it), with the date it left the stage (its next entry), if it has, and the working days it spent
-- there (working days between entry and exit, by the calendar; NULL before the calendar's first day).
-- 02_fact.sql counts them per period into funnel_leaf; in entry date order, so that DuckDB skips the row
-- groups outside a period.
CREATE TABLE work.stage_entry AS
WITH e AS (
	SELECT e.id, e.case_id, c.cell_id, e.stage_after AS stage, e.effective, e.reason,
		lag(e.stage_after) OVER (PARTITION BY e.case_id ORDER BY e.effective, e.id) AS prev
	FROM case_event e JOIN candidate_case c ON c.id = e.case_id),
s AS (SELECT * FROM e WHERE prev IS NULL OR prev <> stage),
x AS (SELECT s.cell_id, s.stage, s.prev, s.reason, s.effective,
	lead(s.effective) OVER (PARTITION BY s.case_id ORDER BY s.effective, s.id) AS left_on FROM s)
SELECT x.cell_id, x.stage, x.prev, x.reason, x.effective, x.left_on, (w2.idx - w1.idx)::INTEGER AS wd
FROM x LEFT JOIN workday w1 ON w1.day = x.effective LEFT JOIN workday w2 ON w2.day = x.left_on
ORDER BY x.effective;
