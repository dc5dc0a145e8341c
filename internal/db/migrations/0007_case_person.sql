-- A person's cases, newest first: an import finds each row's latest case by person (the open-case index
-- covers only open ones), and a person's history lists them.
CREATE INDEX candidate_case_person ON candidate_case (person_id, id);
