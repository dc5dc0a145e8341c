-- The quarterly review's ratings are a code list like the others (labels, order, deactivation are data):
-- the column's CHECK goes, package pipeline validates against the list, as for proposer and leave_reason.
INSERT INTO code_item (list, code, rank, label_vi, label_en) VALUES
    ('review_rating', 'good',       1, 'Tốt',                   'Good'),
    ('review_rating', 'fair',       2, 'Khá',                   'Fair'),
    ('review_rating', 'needs_work', 3, 'Cần bồi dưỡng thêm',    'Needs work'),
    ('review_rating', 'drop',       4, 'Đưa ra khỏi nguồn',     'Drop from the source list');
ALTER TABLE source_review DROP CONSTRAINT source_review_rating_check;
COMMENT ON COLUMN source_review.rating IS 'a code of the code list review_rating';
