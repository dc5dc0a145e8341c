-- member_event_kind (kind, effective) serves no query: admissions are counted through admission_ancestor
-- (migration 0005), whose refresh finds a unit's admissions through member_event_admission, and a
-- person's events through member_event_person. It was the most expensive index of the national seed
-- (125 s of the 5.5-minute index phase: every comparison of its leading text column goes through the
-- collation) and was kept up on every event an import writes.
DROP INDEX member_event_kind;
