// Package target holds terms, targets and live progress: the term, annual and quarterly targets a
// committee sets and hands down the hierarchy, and where each unit stands against them today.
//
// # Terms and periods
//
// A term (nhiệm kỳ) belongs to one unit and runs from the congress that opened it to its last day; a
// unit's terms never overlap, and each unit has its own dates (congresses fall on different days). Every
// period here — a term, a calendar year, a calendar quarter — is a pair of civil dates with both ends
// inclusive, as reports write them ("từ 01/01/2021 đến 31/12/2021").
//
// # Targets
//
// A target is set for one unit, one measure (table target_measure: admissions, and composition measures
// such as village_heads_members_pct) and one period. It is a count (750 new members) or a rate in
// percent of a base (table target_rate_base: "above 4 % of all members a year" is rate 4.0 on
// members_end_of_previous_year). The target row caches its current values; every version is a row of
// target_revision, append-only, and every write is audited. Only admins and boards write.
//
// # Counting admissions
//
// An admission is a member_event of kind admitted or readmitted, dated by its decision date (party age
// counts from it; the ceremony date when an imported record has no decision date). The events, not
// candidate_case.decision_on, are counted because every member has them: members admitted through the
// pipeline (HoldCeremony records the event with the case's decision date) and members imported from the
// official database without a case alike. The price: an admission is counted once its ceremony is
// recorded, backdated to its decision.
//
// An admission counts for unit X when the unit of the event (the cell that held the person's records)
// was in X's subtree on the decision date, as the tree stood then — the materialized org_link path of
// that cell on that date contains X — or was in the subtree of a unit that X continues (below).
//
// # Merges and splits (org_lineage)
//
// Merge: a successor continues each predecessor merged into it. Its progress counts the admissions of
// every cell that was in the successor's or any predecessor's subtree on the admission's decision date
// (transitively, through earlier merges). Its target for a period that began before the merger is its own
// explicit target if it has one, otherwise the sum of the predecessors' targets for the same measure and
// period (each predecessor's own, or in turn inherited; a rate target contributes its resolved number).
// For a term the predecessors' term targets overlapping the period are summed, and the period is the
// successor's own term if it has one, else the span of the predecessors' terms.
//
// Split: explicit targets are required. A successor of a split has no target for a period that began
// before the split until one is set for it (Progress reports TargetSource "split": nothing is divided
// automatically, since no share of a predecessor's target is more right than another). Admissions follow
// the units: before the split, a successor counts the admissions of the units it took over at the split
// (their subtrees, while they were in the predecessor's subtree or that of a unit merged into it).
// Admissions recorded on the split unit itself, not on a unit below it, stay with the predecessor.
//
// # Rate targets
//
// The denominator of an admissions rate is the member total (the member statuses, member.MemberStatuses,
// summed as member.Members does) of the unit's subtree as the tree stood on 31 December of the year
// before the period starts, predecessors included as above: what member.CountByStatus counts, computed
// for many units in one query. The resolved target is ceil(rate × denominator / 100), exactly.
//
// # Progress
//
// Progress is computed from PostgreSQL on every call, never cached. As of a day D (clamped to the
// period): admitted from the period's start through D; percent done (admitted / target); percent of the
// period elapsed (days through D, D included, over the days of the period); the count expected by D at an
// even pace; and the quarterly-report layout "this period / same period last year / %": the admissions
// from the start through D against those of the same dates one year earlier (29 February becomes the
// 28th). Percentages and the expected count are rounded to one decimal; a ratio with a zero denominator is
// nil.
//
// # Speed
//
// Counting admissions in a subtree "as it stood on each decision date" from the base tables means
// resolving, for every unit version below a province (≈ 28,000 around the 2025 reform), which counted
// unit it fell under, then probing its events: ≈ 115 ms for that query alone, for a province's 765
// communes at national size. Migration 0005 therefore keeps a cache, admission_ancestor: one row per
// admission and per unit on the path of the event's unit on the decision date (ancestor_id, decided,
// event_id, the event's unit). The admissions of a source are then one index-only range scan on (root,
// dates): ≈ 46 ms in all for the same 765 communes, each with its two merged predecessors. Package target
// never writes the cache: statement triggers keep it in step in the transaction of every write to
// member_event (the new events' rows) and to org_link (every admission of the units whose link versions
// changed), whichever package writes them; the event trigger first takes package org's tree lock in
// shared mode, so that an admission recorded while a tree operation is in flight reads the tree after
// it. target_rebuild_admissions() rebuilds it (after a bulk load that bypasses triggers). The cost: about
// three rows per admission, ≈ 370 bytes with the indexes (837 MB for 2.25 million admissions).
//
// The denominators of rate targets are members on 31 December. Counted from member_status_span like
// member.CountByStatus, every member's span in the subtree on the day is read: ≈ 230 ms for the 765
// communes of a 366,000-member province. Migration 0006 therefore keeps member_yearend, the members of
// every unit's subtree on each year-end of a window (from 2015 to next year by default), as the tree stood
// then, maintained by statement triggers on member_status_span and org_link like admission_ancestor; a
// denominator is then one probe per source. Days outside the window, split successors (which count only
// part of a subtree) and actors who may not see the whole subtree are counted from the spans as before.
// See bench_test.go for the figures.
package target
