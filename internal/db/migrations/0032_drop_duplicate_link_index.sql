-- 0032: org_link_today (migration 0012) is org_link_scope_on (migration 0011) again: the same key, unit_id,
-- and the same included columns (path, valid_from, valid_to), so every write to org_link kept two
-- identical indexes and the planner chose between equals. The policies' probe and the application's
-- scope filter use org_link_scope_on, which stays.
DROP INDEX IF EXISTS org_link_today;
