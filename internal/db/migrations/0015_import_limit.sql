-- Limits on imports, by role (rules as data: an administrator changes them as the schema owner). An
-- import is a way to ask about many national IDs at once: a row with an ID held outside the caller's
-- scope is refused, so the refusals say which IDs exist. The rows a file may hold and the rows one
-- account may import in a day (Vietnam's civil day, counted from the audit rows "import.run" that
-- every run writes, refused or not) bound how much one account can learn that way.
CREATE TABLE import_limit (
    role          text PRIMARY KEY,
    rows_per_file int  NOT NULL CHECK (rows_per_file > 0),
    rows_per_day  int  NOT NULL CHECK (rows_per_day > 0),
    note          text NOT NULL DEFAULT ''
);

INSERT INTO import_limit (role, rows_per_file, rows_per_day, note) VALUES
    ('admin',     200000, 1000000, 'Quản trị hệ thống: nạp dữ liệu ban đầu của cả tỉnh.'),
    ('board',     200000,  400000, 'Ban Tổ chức: danh sách của cả đảng bộ.'),
    ('secretary',   2000,    5000, 'Bí thư chi bộ: danh sách của một chi bộ (vài chục đến vài trăm người).');

GRANT SELECT ON import_limit TO ptdv_app;

-- The daily count reads an actor's import runs of the day.
CREATE INDEX audit_log_import_run ON audit_log (actor, at) WHERE action = 'import.run';
