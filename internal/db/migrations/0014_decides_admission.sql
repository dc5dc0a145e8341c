-- Which kinds of unit decide admissions (the committee's resolution, 8-KNĐ, and the admission
-- decision, 9-KNĐ): the committees above the cells. A cell (chi bộ trực thuộc) or a grassroots cell
-- (chi bộ cơ sở, whose admissions its superior committee decides) never records them. Rules as data:
-- an administrator changes the row, not the code.
ALTER TABLE org_kind ADD COLUMN decides_admission boolean NOT NULL DEFAULT false;
UPDATE org_kind SET decides_admission = true WHERE code IN ('province', 'district', 'grassroots_committee');

-- Which kinds of unit hold villages and residential groups: a commune or ward, whose party organization
-- is a grassroots committee or a grassroots cell (of the territorial sector, checked with the row). A
-- cell covers villages (village_cell), it never holds one.
ALTER TABLE org_kind ADD COLUMN holds_villages boolean NOT NULL DEFAULT false;
UPDATE org_kind SET holds_villages = true WHERE code IN ('grassroots_committee', 'grassroots_cell');
