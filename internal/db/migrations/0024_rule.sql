-- One rule table, one id style. pipeline_rule (dotted ids) and member_rule (undotted ids) become one
-- table, rule, with domain.name ids; its rows are every rule a refusal may name, the numeric ones with
-- their value and the conditions checked in code (unit 'check', value 0) with their label, so that the
-- API's pipelineRules lists every id an error carries. Existing values keep their meaning: the
-- re-admission rows move with their values, renamed in place (readmission_min_months →
-- readmission.min_months, readmission_max_times → readmission.max_times); probation's 12 months was
-- stored twice (member_rule.probation_months and pipeline_rule probation.months) and is stored once,
-- as probation.months, with the value the membership check read.
ALTER TABLE pipeline_rule RENAME TO rule;
ALTER TABLE rule RENAME CONSTRAINT pipeline_rule_pkey TO rule_pkey;
ALTER TABLE rule DROP CONSTRAINT pipeline_rule_unit_check;
ALTER TABLE rule ADD CONSTRAINT rule_unit_check
    CHECK (unit IN ('months', 'working_days', 'count', 'level', 'numerator', 'denominator', 'years', 'check'));
ALTER TABLE rule ADD CONSTRAINT rule_id_style CHECK (id ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$');
ALTER TABLE rule ADD CONSTRAINT rule_check_no_value CHECK (unit <> 'check' OR value = 0);
COMMENT ON TABLE rule IS
    'Every rule a refusal names (apperr RULE_VIOLATION carries the id): value and unit for numeric rules, unit check (value 0) for conditions checked in code. Ids are domain.name.';
COMMENT ON COLUMN rule.enforcement IS
    'refuse: a move that breaks the rule is refused; deadline: a missed deadline, refused for a new move, recorded and flagged (case_event.late_rule) for a fact of the past';

UPDATE rule SET value = m.value FROM member_rule m WHERE rule.id = 'probation.months' AND m.id = 'probation_months';
UPDATE rule SET label_vi = 'Thời kỳ dự bị: công nhận đảng viên chính thức không sớm hơn số tháng này kể từ ngày lễ kết nạp',
    note = 'Đảng viên chính thức tính từ ngày hết thời kỳ dự bị.' WHERE id = 'probation.months';

INSERT INTO rule (id, value, unit, label_vi, source, note)
SELECT CASE m.id WHEN 'readmission_min_months' THEN 'readmission.min_months' ELSE 'readmission.max_times' END,
       m.value, CASE m.unit WHEN 'month' THEN 'months' ELSE m.unit END, m.note, m.source, ''
  FROM member_rule m WHERE m.id IN ('readmission_min_months', 'readmission_max_times');

DROP TABLE member_rule;

-- The conditions checked in code, so that every refusal's id is a row.
INSERT INTO rule (id, value, unit, label_vi, source) VALUES
    ('pipeline.stage_order',   0, 'check', 'Hồ sơ chuyển từng bước theo thứ tự quy trình kết nạp', 'Hướng dẫn 12-HD/BTCTW'),
    ('pipeline.date_order',    0, 'check', 'Ngày của mỗi bước không sớm hơn ngày của bước trước', 'Hướng dẫn 12-HD/BTCTW'),
    ('vote.cell',              0, 'check', 'Nghị quyết chi bộ đạt tỷ lệ tán thành (vote.cell.numerator/denominator)', 'Điều lệ Đảng, Điều 4'),
    ('vote.committee',         0, 'check', 'Nghị quyết đảng ủy đạt tỷ lệ tán thành (vote.committee.numerator/denominator)', 'Điều lệ Đảng, Điều 4'),
    ('vote.recognition',       0, 'check', 'Biểu quyết công nhận đảng viên chính thức đạt tỷ lệ tán thành (vote.recognition.numerator/denominator)', 'Điều lệ Đảng, Điều 5'),
    ('sponsor.full_member',    0, 'check', 'Người giới thiệu là đảng viên chính thức vào ngày giới thiệu', 'Điều lệ Đảng, Điều 4'),
    ('helper.full_member',     0, 'check', 'Đảng viên được phân công giúp đỡ là đảng viên chính thức', 'Hướng dẫn 12-HD/BTCTW'),
    ('responsible.full_member',0, 'check', 'Cấp ủy viên phụ trách là đảng viên chính thức', 'Hướng dẫn 12-HD/BTCTW'),
    ('member.sequence',        0, 'check', 'Sự kiện đảng tịch phải phù hợp với trạng thái hiện tại của đảng viên', 'Điều lệ Đảng; Hướng dẫn 12-HD/BTCTW'),
    ('member.decision_date',   0, 'check', 'Quyết định kết nạp có trước lễ kết nạp', 'Hướng dẫn 12-HD/BTCTW'),
    ('org.kind_parent',        0, 'check', 'Loại tổ chức chỉ trực thuộc các loại cấp trên được phép (org_kind_parent)', 'Điều lệ Đảng, Chương III'),
    ('org.no_cycle',           0, 'check', 'Không chuyển tổ chức vào trực thuộc chính nó hoặc đơn vị cấp dưới của nó', 'Cấu trúc cây tổ chức'),
    ('org.merge_descendant',   0, 'check', 'Không sáp nhập tổ chức vào đơn vị cấp dưới của chính nó', 'Cấu trúc cây tổ chức'),
    ('org.unit_alive',         0, 'check', 'Thao tác nằm trong thời gian hoạt động của mọi tổ chức liên quan', 'Cấu trúc cây tổ chức'),
    ('org.history_order',      0, 'check', 'Thao tác trên một tổ chức được ghi theo thứ tự ngày', 'Cấu trúc cây tổ chức'),
    ('org.dissolve_empty',     0, 'check', 'Chỉ giải thể tổ chức không còn đơn vị trực thuộc', 'Cấu trúc cây tổ chức'),
    ('org.split_children',     0, 'check', 'Khi chia tách, mọi đơn vị trực thuộc được giao cho một tổ chức kế thừa', 'Cấu trúc cây tổ chức'),
    ('org.village_cell',       0, 'check', 'Thôn, tổ dân phố do chi bộ thuộc chính xã, phường đó phụ trách', 'Cấu trúc cây tổ chức'),
    ('org.village_commune',    0, 'check', 'Thôn, tổ dân phố thuộc một xã, phường, thị trấn', 'Cấu trúc cây tổ chức'),
    ('people.unit_alive',      0, 'check', 'Người được ghi vào (hoặc chuyển đến) tổ chức đang hoạt động vào ngày đó', 'Cấu trúc cây tổ chức'),
    ('people.unit_history',    0, 'check', 'Việc chuyển sinh hoạt của một người được ghi theo thứ tự ngày', 'Hướng dẫn 12-HD/BTCTW'),
    ('people.position_open',   0, 'check', 'Mỗi người giữ một chức vụ trong một khoảng thời gian mở', 'Hướng dẫn 12-HD/BTCTW'),
    ('import.rows_per_file',   0, 'check', 'Số dòng của một tệp nhập không vượt hạn mức của vai trò (import_limit)', 'Quy định vận hành'),
    ('import.rows_per_day',    0, 'check', 'Số dòng nhập trong ngày không vượt hạn mức của vai trò (import_limit)', 'Quy định vận hành'),
    ('import.same_person',     0, 'check', 'Một số CCCD chỉ thuộc về một người', 'Quy định vận hành'),
    ('calendar.coverage',      0, 'check', 'Lịch nghỉ lễ, Tết có đủ các năm cần tính ngày làm việc', 'Bộ luật Lao động 2019, Điều 112');
