-- 0004: the candidate pipeline: cases, their append-only events, sponsors, quarterly source reviews,
-- the people assigned to follow candidates and units, the rule table, and the due list.

-- The rule table: every number the pipeline enforces, with its source, readable and editable by an
-- administrator (as the schema owner). Refusals name the rule id.
CREATE TABLE pipeline_rule (
    id        text PRIMARY KEY,
    value     int  NOT NULL,
    unit      text NOT NULL CHECK (unit IN ('months', 'working_days', 'count', 'level', 'numerator', 'denominator', 'years')),
    label_vi  text NOT NULL,
    source    text NOT NULL,
    note      text NOT NULL DEFAULT ''
);

INSERT INTO pipeline_rule (id, value, unit, label_vi, source, note) VALUES
    ('age.min_months',              216, 'months',       'Tuổi tối thiểu khi chi bộ xét (đủ 18 tuổi, tính theo tháng)', 'Điều lệ Đảng, Điều 1; Quy định 24-QĐ/TW, mục 1.1', ''),
    ('age.max_months',              720, 'months',       'Tuổi tối đa khi chi bộ xét (60 tuổi); trên 60 cần ngoại lệ của tỉnh ủy', 'Quy định 24-QĐ/TW, mục 1.1; Hướng dẫn 12-HD/BTCTW', 'verify'),
    ('education.min_level',           2, 'level',        'Trình độ học vấn tối thiểu: trung học cơ sở (trừ ngoại lệ miền núi, hải đảo, vùng đồng bào dân tộc)', 'Quy định 24-QĐ/TW, mục 1.2', 'level of code list general_education'),
    ('certificate.valid_months',     60, 'months',       'Giấy chứng nhận bồi dưỡng nhận thức về Đảng có giá trị', 'Hướng dẫn 12-HD/BTCTW', 'verify'),
    ('dossier.stale_months',         12, 'months',       'Hồ sơ quá hạn nếu chi bộ chưa xét trong vòng 12 tháng: phải làm lại thư giới thiệu và nhận xét', 'Hướng dẫn 12-HD/BTCTW, mục 3', ''),
    ('sponsor.count',                 2, 'count',        'Số đảng viên chính thức giới thiệu', 'Điều lệ Đảng, Điều 4', ''),
    ('sponsor.known_months',         12, 'months',       'Người giới thiệu công tác, học tập cùng người vào Đảng ít nhất 12 tháng', 'Điều lệ Đảng, Điều 4', ''),
    ('sponsor.youth_union_count',     1, 'count',        'Ở tuổi đoàn: nghị quyết của đoàn thanh niên và số đảng viên chính thức giới thiệu', 'Điều lệ Đảng, Điều 4', ''),
    ('youth_union.max_age_years',    30, 'years',        'Tuổi đoàn viên tối đa', 'Điều lệ Đoàn TNCS Hồ Chí Minh', ''),
    ('vote.cell.numerator',           2, 'numerator',    'Nghị quyết chi bộ: ít nhất 2/3 số đảng viên chính thức tán thành', 'Điều lệ Đảng, Điều 4', ''),
    ('vote.cell.denominator',         3, 'denominator',  'Nghị quyết chi bộ: mẫu số', 'Điều lệ Đảng, Điều 4', ''),
    ('vote.committee.numerator',      2, 'numerator',    'Nghị quyết đảng ủy: ít nhất 2/3 cấp ủy viên tán thành', 'Điều lệ Đảng, Điều 4', ''),
    ('vote.committee.denominator',    3, 'denominator',  'Nghị quyết đảng ủy: mẫu số', 'Điều lệ Đảng, Điều 4', ''),
    ('vote.recognition.numerator',    2, 'numerator',    'Công nhận đảng viên chính thức: ít nhất 2/3 tán thành', 'Điều lệ Đảng, Điều 5', ''),
    ('vote.recognition.denominator',  3, 'denominator',  'Công nhận đảng viên chính thức: mẫu số', 'Điều lệ Đảng, Điều 5', ''),
    ('vote.recognition.max_rounds',   3, 'count',        'Số lần biểu quyết công nhận tối đa trước khi báo cáo cấp trên', 'Hướng dẫn 12-HD/BTCTW', 'verify'),
    ('decision.deadline_wd',         60, 'working_days', 'Cấp ủy có thẩm quyền quyết định kết nạp trong 60 ngày làm việc từ nghị quyết chi bộ', 'Quy định 24-QĐ/TW, mục 3', ''),
    ('decision.extension_wd',        30, 'working_days', 'Gia hạn quyết định kết nạp (một lần)', 'Quy định 24-QĐ/TW, mục 3', ''),
    ('decision.extensions_max',       1, 'count',        'Số lần gia hạn tối đa', 'Quy định 24-QĐ/TW, mục 3', ''),
    ('ceremony.deadline_wd',         30, 'working_days', 'Tổ chức lễ kết nạp trong 30 ngày làm việc từ khi nhận quyết định', 'Quy định 24-QĐ/TW, mục 3.4', ''),
    ('probation.months',             12, 'months',       'Thời kỳ dự bị', 'Điều lệ Đảng, Điều 5', ''),
    ('recognition.deadline_wd',      30, 'working_days', 'Xét công nhận chính thức trong 30 ngày làm việc khi hết dự bị', 'Quy định 24-QĐ/TW, mục 4', ''),
    ('source.stall_months',          12, 'months',       'Nguồn có giấy chứng nhận còn hạn nhưng 12 tháng không chuyển bước: cảnh báo "có nguồn nhưng không kết nạp được"', 'Chỉ thị 12-CT/TU Quảng Nam; Chỉ thị 13-CT/TU Bình Định', '');

-- A candidate case: one person moving through the stages in one cell. Its current state is derived
-- from case_event and cached here in the same transaction as each event; version guards against two
-- officers moving the same case at once.
CREATE TABLE candidate_case (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id        bigint NOT NULL REFERENCES person,
    cell_id          bigint NOT NULL REFERENCES org_unit,
    proposer         text   NOT NULL,                 -- code list 'proposer'
    stage            text   NOT NULL CHECK (stage IN ('source', 'course_done', 'dossier', 'cell_resolution',
                         'committee_resolution', 'decision', 'probation', 'full_member', 'left', 'removed')),
    stage_since      date   NOT NULL,
    listed_on        date   NOT NULL,
    certificate_on   date,
    dossier_on       date,
    cell_resolution_on date,
    committee_resolution_on date,
    decision_on      date,
    decision_no      text,
    extensions       int    NOT NULL DEFAULT 0,
    ceremony_on      date,
    recognized_on    date,
    closed_on        date,
    close_reason     text,
    recognition_rounds int  NOT NULL DEFAULT 0,
    helper_id        bigint REFERENCES person,        -- the full member who follows and helps
    version          int    NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX candidate_case_open_person ON candidate_case (person_id) WHERE closed_on IS NULL;
CREATE INDEX candidate_case_cell ON candidate_case (cell_id, stage);
CREATE INDEX candidate_case_helper ON candidate_case (helper_id) WHERE helper_id IS NOT NULL;

-- Every move of a case: append-only.
CREATE TABLE case_event (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id        bigint NOT NULL REFERENCES candidate_case,
    kind           text   NOT NULL,
    stage_after    text   NOT NULL,
    effective      date   NOT NULL,
    form           text   NOT NULL DEFAULT '',   -- 1-KNĐ … 11-KNĐ
    document_no    text   NOT NULL DEFAULT '',   -- resolution or decision number
    document_date  date,
    votes_for      int,
    votes_eligible int,
    reason         text,                        -- code list 'leave_reason' for left/removed
    note           text   NOT NULL DEFAULT '',
    details        jsonb  NOT NULL DEFAULT '{}',
    recorded_by    text   NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (votes_for IS NULL OR (votes_for >= 0 AND votes_eligible > 0 AND votes_for <= votes_eligible))
);
CREATE INDEX case_event_case ON case_event (case_id, id);

-- The two sponsors (or the Youth Union's resolution plus one sponsor).
CREATE TABLE case_sponsor (
    case_id      bigint NOT NULL REFERENCES candidate_case,
    sponsor_id   bigint NOT NULL REFERENCES person,
    known_since  date   NOT NULL,
    letter_on    date   NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, sponsor_id)
);
CREATE INDEX case_sponsor_sponsor ON case_sponsor (sponsor_id);

-- The quarterly quality review of the source list: a rating and a note per person, per quarter.
CREATE TABLE source_review (
    case_id     bigint NOT NULL REFERENCES candidate_case,
    quarter     text   NOT NULL CHECK (quarter ~ '^[0-9]{4}Q[1-4]$'),
    rating      text   NOT NULL CHECK (rating IN ('good', 'fair', 'needs_work', 'drop')),
    note        text   NOT NULL DEFAULT '',
    recorded_by text   NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, quarter)
);

-- The committee member responsible for a cell or unit (Tam Dương: each answers quarterly).
CREATE TABLE unit_responsible (
    unit_id     bigint NOT NULL REFERENCES org_unit,
    person_id   bigint NOT NULL REFERENCES person,
    valid_from  date   NOT NULL,
    valid_to    date,
    recorded_by text   NOT NULL,
    PRIMARY KEY (unit_id, valid_from),
    CHECK (valid_to IS NULL OR valid_to > valid_from),
    EXCLUDE USING gist (unit_id WITH =, daterange(valid_from, valid_to) WITH &&)
);
CREATE INDEX unit_responsible_person ON unit_responsible (person_id);

-- What is due for each open case, recomputed in the transaction of every event: the due list is
-- then one indexed range scan.
CREATE TABLE case_due (
    case_id  bigint NOT NULL REFERENCES candidate_case,
    kind     text   NOT NULL CHECK (kind IN ('certificate_expires', 'dossier_stale', 'decision_due', 'ceremony_due',
                  'probation_ends', 'recognition_due', 'source_stalled')),
    due_on   date   NOT NULL,
    rule_id  text   NOT NULL REFERENCES pipeline_rule,
    PRIMARY KEY (case_id, kind)
);
CREATE INDEX case_due_on ON case_due (due_on);

-- Awareness-course and new-member classes with their rosters.
CREATE TABLE course (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text   NOT NULL CHECK (kind IN ('awareness', 'new_member')),
    name        text   NOT NULL,
    unit_id     bigint NOT NULL REFERENCES org_unit,  -- the organizing committee
    starts_on   date   NOT NULL,
    ends_on     date   NOT NULL,
    completed_on date,
    certificate_prefix text NOT NULL DEFAULT '',
    recorded_by text   NOT NULL,
    CHECK (ends_on >= starts_on)
);
CREATE TABLE course_roster (
    course_id   bigint NOT NULL REFERENCES course,
    person_id   bigint NOT NULL REFERENCES person,
    passed      bool,
    certificate_no text,
    PRIMARY KEY (course_id, person_id)
);

GRANT SELECT ON pipeline_rule TO ptdv_app;
GRANT SELECT, INSERT, UPDATE ON candidate_case, course, course_roster TO ptdv_app;
GRANT SELECT, INSERT ON case_event, source_review TO ptdv_app;
GRANT SELECT, INSERT, DELETE ON case_sponsor, case_due TO ptdv_app;
GRANT SELECT, INSERT, UPDATE ON unit_responsible TO ptdv_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ptdv_app;

-- Why a case closes before full membership: a code list like the others (see 0003).
INSERT INTO code_item (list, code, rank, label_vi, label_en) VALUES
    ('leave_reason', 'moved_away',       1, 'Chuyển nơi cư trú, học tập, công tác',              'Moved away'),
    ('leave_reason', 'declined',         2, 'Không còn nguyện vọng vào Đảng',                     'Declined'),
    ('leave_reason', 'not_approved',     3, 'Chi bộ hoặc cấp ủy không tán thành',                 'Not approved'),
    ('leave_reason', 'not_qualified',    4, 'Không đủ tiêu chuẩn, điều kiện',                     'Not qualified'),
    ('leave_reason', 'violation',        5, 'Vi phạm tư cách, đạo đức hoặc pháp luật',           'Violation'),
    ('leave_reason', 'deceased',         6, 'Từ trần',                                            'Deceased'),
    ('leave_reason', 'probation_failed', 7, 'Không đủ tư cách đảng viên chính thức (xóa tên)',    'Not recognized after probation'),
    ('leave_reason', 'other',            9, 'Lý do khác',                                          'Other');
