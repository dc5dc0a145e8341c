-- The scope condition (auth.Scope.UnitFilter) is one probe of org_link by unit per row it filters:
-- EXISTS (SELECT 1 FROM org_link sl WHERE sl.unit_id = … AND sl.path <@ roots). The planner served it from
-- the GiST exclusion index (15 µs a probe); a b-tree with the path included answers it from the index
-- alone (1 µs). A board's view of a province filters thousands of targets this way: 34 ms → 6 ms.
CREATE INDEX org_link_scope ON org_link (unit_id) INCLUDE (path);
