-- Rules for new moves, facts for history. An office importing its past records finds admission
-- decisions signed after the 60 working days, ceremonies held late, dossiers considered after 12
-- months: they happened, and the member has been in the Party since. A missed deadline does not make
-- a record impossible, so in history (an import) it is recorded on the event with the rule and how
-- many working days late, and counted; what makes a record impossible or ineligible (dates out of
-- order, recognition before the 12 months, age, education, sponsors, votes) still refuses it.
--
-- enforcement says which rule is which, for the API and the import alike:
--   refuse    a move that breaks the rule is refused, always;
--   deadline  a missed deadline: a new move through the API is refused (the office extends the
--             deadline in time instead), a recorded fact of the past is accepted and flagged.
ALTER TABLE pipeline_rule ADD COLUMN enforcement text NOT NULL DEFAULT 'refuse'
    CHECK (enforcement IN ('refuse', 'deadline'));
UPDATE pipeline_rule SET enforcement = 'deadline'
 WHERE id IN ('decision.deadline_wd', 'ceremony.deadline_wd', 'recognition.deadline_wd', 'dossier.stale_months');
COMMENT ON COLUMN pipeline_rule.enforcement IS
    'refuse: a move that breaks the rule is refused; deadline: a missed deadline, refused for a new move, recorded and flagged (case_event.late_rule) for a fact of the past';

-- The flag on the event. NOT VALID: the existing rows are all NULL, and validating would scan the
-- whole table (32 M rows at national size) for nothing.
ALTER TABLE case_event ADD COLUMN late_rule text, ADD COLUMN late_days int;
ALTER TABLE case_event ADD CONSTRAINT case_event_late_rule FOREIGN KEY (late_rule) REFERENCES pipeline_rule NOT VALID;
ALTER TABLE case_event ADD CONSTRAINT case_event_late CHECK ((late_rule IS NULL) = (late_days IS NULL) AND late_days > 0) NOT VALID;
COMMENT ON COLUMN case_event.late_rule IS 'the deadline rule (enforcement = deadline) this move missed, recorded as a fact of the past';
COMMENT ON COLUMN case_event.late_days IS 'how late the move was: working days after the deadline';
CREATE INDEX case_event_late ON case_event (late_rule) WHERE late_rule IS NOT NULL;
