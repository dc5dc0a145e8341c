-- The scope condition (auth.Scope.UnitFilter) now asks for the unit's link valid on the request's day:
-- EXISTS (SELECT 1 FROM org_link sl WHERE sl.unit_id = … AND sl.valid_from <= D AND (sl.valid_to IS NULL
-- OR sl.valid_to > D) AND sl.path <@ roots). With the interval in the index, the probe stays an
-- index-only lookup, as migration 0009's was for a test on the path alone (which matched a unit for every
-- path it ever had: a cell moved away stayed visible to its old commune). This index replaces 0009's.
CREATE INDEX org_link_scope_on ON org_link (unit_id) INCLUDE (valid_from, valid_to, path);
DROP INDEX org_link_scope;

-- The units that no longer exist, for the walk that finds who holds their records (auth.endedOn): a few
-- thousand of the country's units, found without reading the others.
CREATE INDEX org_unit_ended ON org_unit (valid_to) WHERE valid_to IS NOT NULL;
