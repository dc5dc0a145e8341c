-- The counts before publication are published (05_breakdown.sql, 06_funnel.sql).
DROP TABLE breakdown_raw;
DROP TABLE funnel_leaf;
-- village_gap: the villages and residential groups that exist on the as-of date, each with whether a
-- cell covers it then and whether any member (a person whose residence is the village, with a member
-- status on the as-of date) lives there.
CREATE TABLE village_gap AS
SELECT v.id AS village_id, v.code, v.name, v.kind, v.commune_id, u.province_id,
	NOT EXISTS (SELECT 1 FROM village_cell c WHERE c.village_id = v.id AND c.valid_from <= {{as_of}}
		AND (c.valid_to IS NULL OR c.valid_to > {{as_of}})) AS no_cell,
	NOT EXISTS (SELECT 1 FROM person x JOIN member_status_span s ON s.person_key = x.person_key
		WHERE x.village_id = v.id AND s.valid_from <= {{as_of}} AND (s.valid_to IS NULL OR s.valid_to > {{as_of}})
		AND s.status IN (SELECT code FROM code_item WHERE list = 'member_status' AND member)) AS no_member
FROM village v LEFT JOIN unit_asof u ON u.id = v.commune_id
WHERE v.valid_from <= {{as_of}} AND (v.valid_to IS NULL OR v.valid_to > {{as_of}})
ORDER BY v.id;

-- cell_committee_gap: cells on the as-of date with 9 or more full members, who may elect a cell
-- committee (chi ủy). ptdv records no cell committees yet, so every such cell is listed with
-- committee_recorded = false; the list is where committees are missing until they are recorded.
-- Who counts as a full member is the pipeline's one rule (internal/pipeline/voters.go, voterOn), the
-- rule of the voters, sponsors and helpers, written here in DuckDB's SQL since the file cannot run Go
-- (TestCellCommitteeCountsTheVoters compares every cell with pipeline.FullMembers): a full member, or a
-- full member attending elsewhere for a while (counted in the official cell), not an exempted one; a
-- member recognized by the cell's vote from the day after that vote (the case the vote closed leaves
-- them out from the end of the probation up to the day of the vote).
CREATE TABLE cell_committee_gap AS
SELECT u.id AS cell_id, u.code, u.name, u.province_id, count(*) AS full_members, false AS committee_recorded
FROM unit_asof u JOIN member_status_span s ON s.unit_id = u.id
WHERE u.kind IN ('cell', 'grassroots_cell')
	AND s.valid_from <= {{as_of}} AND (s.valid_to IS NULL OR s.valid_to > {{as_of}})
	AND (s.status = 'full' OR (s.status = 'temporary_out' AND s.grade = 'full'))
	AND NOT EXISTS (SELECT 1 FROM candidate_case c WHERE c.person_key = s.person_key AND c.stage = 'full_member'
		AND c.recognized_on <= {{as_of}} AND c.closed_on >= {{as_of}})
GROUP BY ALL HAVING count(*) >= 9
ORDER BY u.id;

-- unit_gap: per unit on the as-of date, the counts of the two lists over its subtree.
CREATE TABLE unit_gap AS
WITH a AS (SELECT unit_id, unnest(string_split(path, '.'))::BIGINT AS ancestor_id FROM path_today),
v AS (SELECT a.ancestor_id AS unit_id, count(*) AS villages, count(*) FILTER (WHERE g.no_cell) AS villages_no_cell,
		count(*) FILTER (WHERE g.no_member) AS villages_no_member
	FROM village_gap g JOIN a ON a.unit_id = g.commune_id GROUP BY ALL),
c AS (SELECT a.ancestor_id AS unit_id, count(*) AS cells_9_full_no_committee
	FROM cell_committee_gap g JOIN a ON a.unit_id = g.cell_id GROUP BY ALL)
SELECT u.id AS unit_id, u.province_id, coalesce(v.villages, 0) AS villages,
	coalesce(v.villages_no_cell, 0) AS villages_no_cell, coalesce(v.villages_no_member, 0) AS villages_no_member,
	coalesce(c.cells_9_full_no_committee, 0) AS cells_9_full_no_committee
FROM unit_asof u LEFT JOIN v ON v.unit_id = u.id LEFT JOIN c ON c.unit_id = u.id
WHERE v.unit_id IS NOT NULL OR c.unit_id IS NOT NULL
ORDER BY u.id;

-- period is published (the breakdown rows name periods by kind and label); the intermediate tables
-- were TEMP and vanish with the connection.
