-- 0002: the working-day calendar: the exceptions to the Monday–Friday week, as data.
--
-- Deadlines of the admission process are in working days. A working day is Monday to Friday unless
-- the date has a row here with kind 'holiday' or 'day_off'; a Saturday or Sunday is a working day only
-- with a row of kind 'work_day'. Weekends need no rows: a holiday that falls on a weekend is stored as
-- the compensatory 'day_off' it gives (Bộ luật Lao động 2019, Điều 112, khoản 3), not as itself.
--
--   holiday   public holiday on a weekday (BLLĐ 2019, Điều 112; before 2021 BLLĐ 2012, Điều 115)
--   day_off   a weekday off: compensation for a holiday on a weekend (nghỉ bù), or a swap (hoán đổi)
--   work_day  a Saturday or Sunday worked in exchange for a swapped day off (làm bù)
--
-- The seed covers 2020–2030 for civil servants (cán bộ, công chức, viên chức), who rest on Saturdays
-- and Sundays. 2020–2026 follow the announced schedules; 2027–2030 are computed from the law and the
-- lunar calendar (internal/calendar) and carry source 'dự kiến (verify)': an administrator checks them
-- against the government's announcement of each year, and adds swaps, through the API (SetDay,
-- DeleteDay: admin only, audited). A year with no row at all counts as "not entered": deadlines that
-- reach it are flagged (rule calendar.coverage).

CREATE TABLE calendar_day (
    day          date PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('holiday', 'day_off', 'work_day')),
    name_vi      text NOT NULL,
    source       text NOT NULL DEFAULT '',   -- the announcement or law that backs the row
    recorded_by  text,                       -- the actor's subject; NULL for the seed
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    -- A work_day is a weekend day; a holiday or day_off is a weekday (ISO day of week 6, 7 = Sat, Sun).
    CONSTRAINT calendar_day_weekday CHECK ((kind = 'work_day') = (extract(isodow FROM day) >= 6))
);

-- BEGIN GENERATED SEED (internal/calendar/seed.go; go test ./internal/calendar -run TestSeed -update)
INSERT INTO calendar_day (day, kind, name_vi, source) VALUES
    -- 2020 (Tết Canh Tý, mùng 1 = 2020-01-25; announced)
    ('2020-01-01', 'holiday',  'Tết Dương lịch', 'BLLĐ 2012, Điều 115'),
    ('2020-01-23', 'holiday',  'Tết Nguyên đán Canh Tý (29 tháng Chạp)', 'BLLĐ 2012, Điều 115; lịch nghỉ Tết Canh Tý của CBCCVC: 23/01–29/01/2020'),
    ('2020-01-24', 'holiday',  'Tết Nguyên đán Canh Tý (30 tháng Chạp)', 'BLLĐ 2012, Điều 115; lịch nghỉ Tết Canh Tý của CBCCVC: 23/01–29/01/2020'),
    ('2020-01-27', 'holiday',  'Tết Nguyên đán Canh Tý (mùng 3 tháng Giêng)', 'BLLĐ 2012, Điều 115; lịch nghỉ Tết Canh Tý của CBCCVC: 23/01–29/01/2020'),
    ('2020-01-28', 'day_off',  'Nghỉ bù Tết Nguyên đán Canh Tý (mùng 1 tháng Giêng): ngày 25/01/2020 rơi vào thứ Bảy', 'BLLĐ 2012, Điều 115; lịch nghỉ Tết Canh Tý của CBCCVC: 23/01–29/01/2020'),
    ('2020-01-29', 'day_off',  'Nghỉ bù Tết Nguyên đán Canh Tý (mùng 2 tháng Giêng): ngày 26/01/2020 rơi vào Chủ nhật', 'BLLĐ 2012, Điều 115; lịch nghỉ Tết Canh Tý của CBCCVC: 23/01–29/01/2020'),
    ('2020-04-02', 'holiday',  'Giỗ Tổ Hùng Vương (10/3 âm lịch)', 'BLLĐ 2012, Điều 115'),
    ('2020-04-30', 'holiday',  'Ngày Chiến thắng (30/4)', 'BLLĐ 2012, Điều 115'),
    ('2020-05-01', 'holiday',  'Ngày Quốc tế Lao động (1/5)', 'BLLĐ 2012, Điều 115'),
    ('2020-09-02', 'holiday',  'Quốc khánh (2/9)', 'BLLĐ 2012, Điều 115 (Quốc khánh 1 ngày)'),
    -- 2021 (Tết Tân Sửu, mùng 1 = 2021-02-12; announced)
    ('2021-01-01', 'holiday',  'Tết Dương lịch', 'BLLĐ 2019, Điều 112'),
    ('2021-02-10', 'holiday',  'Tết Nguyên đán Tân Sửu (29 tháng Chạp)', 'BLLĐ 2019, Điều 112; lịch nghỉ Tết Tân Sửu của CBCCVC: 10/02–16/02/2021'),
    ('2021-02-11', 'holiday',  'Tết Nguyên đán Tân Sửu (30 tháng Chạp)', 'BLLĐ 2019, Điều 112; lịch nghỉ Tết Tân Sửu của CBCCVC: 10/02–16/02/2021'),
    ('2021-02-12', 'holiday',  'Tết Nguyên đán Tân Sửu (mùng 1 tháng Giêng)', 'BLLĐ 2019, Điều 112; lịch nghỉ Tết Tân Sửu của CBCCVC: 10/02–16/02/2021'),
    ('2021-02-15', 'day_off',  'Nghỉ bù Tết Nguyên đán Tân Sửu (mùng 2 tháng Giêng): ngày 13/02/2021 rơi vào thứ Bảy', 'BLLĐ 2019, Điều 112; lịch nghỉ Tết Tân Sửu của CBCCVC: 10/02–16/02/2021'),
    ('2021-02-16', 'day_off',  'Nghỉ bù Tết Nguyên đán Tân Sửu (mùng 3 tháng Giêng): ngày 14/02/2021 rơi vào Chủ nhật', 'BLLĐ 2019, Điều 112; lịch nghỉ Tết Tân Sửu của CBCCVC: 10/02–16/02/2021'),
    ('2021-04-21', 'holiday',  'Giỗ Tổ Hùng Vương (10/3 âm lịch)', 'BLLĐ 2019, Điều 112'),
    ('2021-04-30', 'holiday',  'Ngày Chiến thắng (30/4)', 'BLLĐ 2019, Điều 112'),
    ('2021-05-03', 'day_off',  'Nghỉ bù Ngày Quốc tế Lao động (1/5): ngày 01/05/2021 rơi vào thứ Bảy', 'BLLĐ 2019, Điều 112'),
    ('2021-09-02', 'holiday',  'Quốc khánh (2/9)', 'BLLĐ 2019, Điều 112; lịch nghỉ Quốc khánh của CBCCVC: 02/09–05/09/2021'),
    ('2021-09-03', 'holiday',  'Quốc khánh (ngày liền sau, 3/9)', 'BLLĐ 2019, Điều 112; lịch nghỉ Quốc khánh của CBCCVC: 02/09–05/09/2021'),
    -- 2022 (Tết Nhâm Dần, mùng 1 = 2022-02-01; announced)
    ('2022-01-03', 'day_off',  'Nghỉ bù Tết Dương lịch: ngày 01/01/2022 rơi vào thứ Bảy', 'BLLĐ 2019, Điều 112'),
    ('2022-01-31', 'holiday',  'Tết Nguyên đán Nhâm Dần (29 tháng Chạp)', 'BLLĐ 2019, Điều 112; lịch nghỉ Tết Nhâm Dần của CBCCVC: 29/01–06/02/2022'),
    ('2022-02-01', 'holiday',  'Tết Nguyên đán Nhâm Dần (mùng 1 tháng Giêng)', 'BLLĐ 2019, Điều 112; lịch nghỉ Tết Nhâm Dần của CBCCVC: 29/01–06/02/2022'),
    ('2022-02-02', 'holiday',  'Tết Nguyên đán Nhâm Dần (mùng 2 tháng Giêng)', 'BLLĐ 2019, Điều 112; lịch nghỉ Tết Nhâm Dần của CBCCVC: 29/01–06/02/2022'),
    ('2022-02-03', 'holiday',  'Tết Nguyên đán Nhâm Dần (mùng 3 tháng Giêng)', 'BLLĐ 2019, Điều 112; lịch nghỉ Tết Nhâm Dần của CBCCVC: 29/01–06/02/2022'),
    ('2022-02-04', 'holiday',  'Tết Nguyên đán Nhâm Dần (mùng 4 tháng Giêng)', 'BLLĐ 2019, Điều 112; lịch nghỉ Tết Nhâm Dần của CBCCVC: 29/01–06/02/2022'),
    ('2022-04-11', 'day_off',  'Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch): ngày 10/04/2022 rơi vào Chủ nhật', 'BLLĐ 2019, Điều 112'),
    ('2022-05-02', 'day_off',  'Nghỉ bù Ngày Chiến thắng (30/4): ngày 30/04/2022 rơi vào thứ Bảy', 'BLLĐ 2019, Điều 112'),
    ('2022-05-03', 'day_off',  'Nghỉ bù Ngày Quốc tế Lao động (1/5): ngày 01/05/2022 rơi vào Chủ nhật', 'BLLĐ 2019, Điều 112'),
    ('2022-09-01', 'holiday',  'Quốc khánh (ngày liền trước, 1/9)', 'BLLĐ 2019, Điều 112; lịch nghỉ Quốc khánh của CBCCVC: 01/09–04/09/2022'),
    ('2022-09-02', 'holiday',  'Quốc khánh (2/9)', 'BLLĐ 2019, Điều 112; lịch nghỉ Quốc khánh của CBCCVC: 01/09–04/09/2022'),
    -- 2023 (Tết Quý Mão, mùng 1 = 2023-01-22; announced)
    ('2023-01-02', 'day_off',  'Nghỉ bù Tết Dương lịch: ngày 01/01/2023 rơi vào Chủ nhật', 'BLLĐ 2019, Điều 112'),
    ('2023-01-20', 'holiday',  'Tết Nguyên đán Quý Mão (29 tháng Chạp)', 'BLLĐ 2019, Điều 112; lịch nghỉ Tết Quý Mão của CBCCVC: 20/01–26/01/2023'),
    ('2023-01-23', 'holiday',  'Tết Nguyên đán Quý Mão (mùng 2 tháng Giêng)', 'BLLĐ 2019, Điều 112; lịch nghỉ Tết Quý Mão của CBCCVC: 20/01–26/01/2023'),
    ('2023-01-24', 'holiday',  'Tết Nguyên đán Quý Mão (mùng 3 tháng Giêng)', 'BLLĐ 2019, Điều 112; lịch nghỉ Tết Quý Mão của CBCCVC: 20/01–26/01/2023'),
    ('2023-01-25', 'day_off',  'Nghỉ bù Tết Nguyên đán Quý Mão (30 tháng Chạp): ngày 21/01/2023 rơi vào thứ Bảy', 'BLLĐ 2019, Điều 112; lịch nghỉ Tết Quý Mão của CBCCVC: 20/01–26/01/2023'),
    ('2023-01-26', 'day_off',  'Nghỉ bù Tết Nguyên đán Quý Mão (mùng 1 tháng Giêng): ngày 22/01/2023 rơi vào Chủ nhật', 'BLLĐ 2019, Điều 112; lịch nghỉ Tết Quý Mão của CBCCVC: 20/01–26/01/2023'),
    ('2023-05-01', 'holiday',  'Ngày Quốc tế Lao động (1/5)', 'BLLĐ 2019, Điều 112'),
    ('2023-05-02', 'day_off',  'Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch): ngày 29/04/2023 rơi vào thứ Bảy', 'BLLĐ 2019, Điều 112'),
    ('2023-05-03', 'day_off',  'Nghỉ bù Ngày Chiến thắng (30/4): ngày 30/04/2023 rơi vào Chủ nhật', 'BLLĐ 2019, Điều 112'),
    ('2023-09-01', 'holiday',  'Quốc khánh (ngày liền trước, 1/9)', 'BLLĐ 2019, Điều 112; Công văn 8056/VPCP-KGVX ngày 01/12/2022: nghỉ 01/09–04/09/2023'),
    ('2023-09-04', 'day_off',  'Nghỉ bù Quốc khánh (2/9): ngày 02/09/2023 rơi vào thứ Bảy', 'BLLĐ 2019, Điều 112; Công văn 8056/VPCP-KGVX ngày 01/12/2022: nghỉ 01/09–04/09/2023'),
    -- 2024 (Tết Giáp Thìn, mùng 1 = 2024-02-10; announced)
    ('2024-01-01', 'holiday',  'Tết Dương lịch', 'BLLĐ 2019, Điều 112'),
    ('2024-02-08', 'holiday',  'Tết Nguyên đán Giáp Thìn (29 tháng Chạp)', 'BLLĐ 2019, Điều 112; lịch nghỉ Tết Giáp Thìn của CBCCVC: 08/02–14/02/2024'),
    ('2024-02-09', 'holiday',  'Tết Nguyên đán Giáp Thìn (30 tháng Chạp)', 'BLLĐ 2019, Điều 112; lịch nghỉ Tết Giáp Thìn của CBCCVC: 08/02–14/02/2024'),
    ('2024-02-12', 'holiday',  'Tết Nguyên đán Giáp Thìn (mùng 3 tháng Giêng)', 'BLLĐ 2019, Điều 112; lịch nghỉ Tết Giáp Thìn của CBCCVC: 08/02–14/02/2024'),
    ('2024-02-13', 'day_off',  'Nghỉ bù Tết Nguyên đán Giáp Thìn (mùng 1 tháng Giêng): ngày 10/02/2024 rơi vào thứ Bảy', 'BLLĐ 2019, Điều 112; lịch nghỉ Tết Giáp Thìn của CBCCVC: 08/02–14/02/2024'),
    ('2024-02-14', 'day_off',  'Nghỉ bù Tết Nguyên đán Giáp Thìn (mùng 2 tháng Giêng): ngày 11/02/2024 rơi vào Chủ nhật', 'BLLĐ 2019, Điều 112; lịch nghỉ Tết Giáp Thìn của CBCCVC: 08/02–14/02/2024'),
    ('2024-04-18', 'holiday',  'Giỗ Tổ Hùng Vương (10/3 âm lịch)', 'BLLĐ 2019, Điều 112'),
    ('2024-04-29', 'day_off',  'Nghỉ hoán đổi dịp 30/4–1/5 (làm bù thứ Bảy 04/05/2024)', 'Công văn 2450/VPCP-KGVX ngày 12/4/2024: hoán đổi thứ Hai 29/4 sang thứ Bảy 4/5/2024'),
    ('2024-04-30', 'holiday',  'Ngày Chiến thắng (30/4)', 'BLLĐ 2019, Điều 112'),
    ('2024-05-01', 'holiday',  'Ngày Quốc tế Lao động (1/5)', 'BLLĐ 2019, Điều 112'),
    ('2024-05-04', 'work_day', 'Làm bù cho ngày nghỉ hoán đổi thứ Hai 29/04/2024 (dịp 30/4–1/5)', 'Công văn 2450/VPCP-KGVX ngày 12/4/2024: hoán đổi thứ Hai 29/4 sang thứ Bảy 4/5/2024'),
    ('2024-09-02', 'holiday',  'Quốc khánh (2/9)', 'BLLĐ 2019, Điều 112; lịch nghỉ Quốc khánh của CBCCVC: 31/08–03/09/2024'),
    ('2024-09-03', 'holiday',  'Quốc khánh (ngày liền sau, 3/9)', 'BLLĐ 2019, Điều 112; lịch nghỉ Quốc khánh của CBCCVC: 31/08–03/09/2024'),
    -- 2025 (Tết Ất Tỵ, mùng 1 = 2025-01-29; announced)
    ('2025-01-01', 'holiday',  'Tết Dương lịch', 'BLLĐ 2019, Điều 112'),
    ('2025-01-27', 'holiday',  'Tết Nguyên đán Ất Tỵ (28 tháng Chạp)', 'BLLĐ 2019, Điều 112; lịch nghỉ Tết Ất Tỵ của CBCCVC: 25/01–02/02/2025'),
    ('2025-01-28', 'holiday',  'Tết Nguyên đán Ất Tỵ (29 tháng Chạp)', 'BLLĐ 2019, Điều 112; lịch nghỉ Tết Ất Tỵ của CBCCVC: 25/01–02/02/2025'),
    ('2025-01-29', 'holiday',  'Tết Nguyên đán Ất Tỵ (mùng 1 tháng Giêng)', 'BLLĐ 2019, Điều 112; lịch nghỉ Tết Ất Tỵ của CBCCVC: 25/01–02/02/2025'),
    ('2025-01-30', 'holiday',  'Tết Nguyên đán Ất Tỵ (mùng 2 tháng Giêng)', 'BLLĐ 2019, Điều 112; lịch nghỉ Tết Ất Tỵ của CBCCVC: 25/01–02/02/2025'),
    ('2025-01-31', 'holiday',  'Tết Nguyên đán Ất Tỵ (mùng 3 tháng Giêng)', 'BLLĐ 2019, Điều 112; lịch nghỉ Tết Ất Tỵ của CBCCVC: 25/01–02/02/2025'),
    ('2025-04-07', 'holiday',  'Giỗ Tổ Hùng Vương (10/3 âm lịch)', 'BLLĐ 2019, Điều 112'),
    ('2025-04-26', 'work_day', 'Làm bù cho ngày nghỉ hoán đổi thứ Sáu 02/05/2025 (dịp 30/4–1/5)', 'Thủ tướng đồng ý hoán đổi thứ Sáu 2/5 sang thứ Bảy 26/4/2025 (nghỉ 30/4–4/5/2025)'),
    ('2025-04-30', 'holiday',  'Ngày Chiến thắng (30/4)', 'BLLĐ 2019, Điều 112'),
    ('2025-05-01', 'holiday',  'Ngày Quốc tế Lao động (1/5)', 'BLLĐ 2019, Điều 112'),
    ('2025-05-02', 'day_off',  'Nghỉ hoán đổi dịp 30/4–1/5 (làm bù thứ Bảy 26/04/2025)', 'Thủ tướng đồng ý hoán đổi thứ Sáu 2/5 sang thứ Bảy 26/4/2025 (nghỉ 30/4–4/5/2025)'),
    ('2025-09-01', 'holiday',  'Quốc khánh (ngày liền trước, 1/9)', 'BLLĐ 2019, Điều 112; lịch nghỉ Quốc khánh của CBCCVC: 30/08–02/09/2025'),
    ('2025-09-02', 'holiday',  'Quốc khánh (2/9)', 'BLLĐ 2019, Điều 112; lịch nghỉ Quốc khánh của CBCCVC: 30/08–02/09/2025'),
    -- 2026 (Tết Bính Ngọ, mùng 1 = 2026-02-17; announced)
    ('2026-01-01', 'holiday',  'Tết Dương lịch', 'BLLĐ 2019, Điều 112'),
    ('2026-01-02', 'day_off',  'Nghỉ hoán đổi Tết Dương lịch (làm bù thứ Bảy 10/01/2026)', 'Công văn 12729/VPCP-KGVX ngày 25/12/2025: hoán đổi thứ Sáu 2/1 sang thứ Bảy 10/1/2026'),
    ('2026-01-10', 'work_day', 'Làm bù cho ngày nghỉ hoán đổi thứ Sáu 02/01/2026 (Tết Dương lịch)', 'Công văn 12729/VPCP-KGVX ngày 25/12/2025: hoán đổi thứ Sáu 2/1 sang thứ Bảy 10/1/2026'),
    ('2026-02-16', 'holiday',  'Tết Nguyên đán Bính Ngọ (29 tháng Chạp)', 'BLLĐ 2019, Điều 112; Thủ tướng đồng ý (VPCP, 10/2025): CBCCVC nghỉ Tết Bính Ngọ 14/02–22/02/2026'),
    ('2026-02-17', 'holiday',  'Tết Nguyên đán Bính Ngọ (mùng 1 tháng Giêng)', 'BLLĐ 2019, Điều 112; Thủ tướng đồng ý (VPCP, 10/2025): CBCCVC nghỉ Tết Bính Ngọ 14/02–22/02/2026'),
    ('2026-02-18', 'holiday',  'Tết Nguyên đán Bính Ngọ (mùng 2 tháng Giêng)', 'BLLĐ 2019, Điều 112; Thủ tướng đồng ý (VPCP, 10/2025): CBCCVC nghỉ Tết Bính Ngọ 14/02–22/02/2026'),
    ('2026-02-19', 'holiday',  'Tết Nguyên đán Bính Ngọ (mùng 3 tháng Giêng)', 'BLLĐ 2019, Điều 112; Thủ tướng đồng ý (VPCP, 10/2025): CBCCVC nghỉ Tết Bính Ngọ 14/02–22/02/2026'),
    ('2026-02-20', 'holiday',  'Tết Nguyên đán Bính Ngọ (mùng 4 tháng Giêng)', 'BLLĐ 2019, Điều 112; Thủ tướng đồng ý (VPCP, 10/2025): CBCCVC nghỉ Tết Bính Ngọ 14/02–22/02/2026'),
    ('2026-04-27', 'day_off',  'Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch): ngày 26/04/2026 rơi vào Chủ nhật', 'BLLĐ 2019, Điều 112'),
    ('2026-04-30', 'holiday',  'Ngày Chiến thắng (30/4)', 'BLLĐ 2019, Điều 112'),
    ('2026-05-01', 'holiday',  'Ngày Quốc tế Lao động (1/5)', 'BLLĐ 2019, Điều 112'),
    ('2026-08-22', 'work_day', 'Làm bù cho ngày nghỉ hoán đổi thứ Hai 31/08/2026 (Quốc khánh)', 'Thủ tướng đồng ý (VPCP, 10/2025): hoán đổi thứ Hai 31/8 sang thứ Bảy 22/8/2026'),
    ('2026-08-31', 'day_off',  'Nghỉ hoán đổi Quốc khánh (làm bù thứ Bảy 22/08/2026)', 'Thủ tướng đồng ý (VPCP, 10/2025): hoán đổi thứ Hai 31/8 sang thứ Bảy 22/8/2026'),
    ('2026-09-01', 'holiday',  'Quốc khánh (ngày liền trước, 1/9)', 'BLLĐ 2019, Điều 112; Thủ tướng đồng ý (VPCP, 10/2025): nghỉ Quốc khánh 29/08–02/09/2026'),
    ('2026-09-02', 'holiday',  'Quốc khánh (2/9)', 'BLLĐ 2019, Điều 112; Thủ tướng đồng ý (VPCP, 10/2025): nghỉ Quốc khánh 29/08–02/09/2026'),
    -- 2027 (Tết Đinh Mùi, mùng 1 = 2027-02-06; proposed: dự kiến (verify))
    ('2027-01-01', 'holiday',  'Tết Dương lịch', 'dự kiến (verify)'),
    ('2027-02-04', 'holiday',  'Tết Nguyên đán Đinh Mùi (28 tháng Chạp)', 'dự kiến (verify)'),
    ('2027-02-05', 'holiday',  'Tết Nguyên đán Đinh Mùi (29 tháng Chạp)', 'dự kiến (verify)'),
    ('2027-02-08', 'holiday',  'Tết Nguyên đán Đinh Mùi (mùng 3 tháng Giêng)', 'dự kiến (verify)'),
    ('2027-02-09', 'day_off',  'Nghỉ bù Tết Nguyên đán Đinh Mùi (mùng 1 tháng Giêng): ngày 06/02/2027 rơi vào thứ Bảy', 'dự kiến (verify)'),
    ('2027-02-10', 'day_off',  'Nghỉ bù Tết Nguyên đán Đinh Mùi (mùng 2 tháng Giêng): ngày 07/02/2027 rơi vào Chủ nhật', 'dự kiến (verify)'),
    ('2027-04-16', 'holiday',  'Giỗ Tổ Hùng Vương (10/3 âm lịch)', 'dự kiến (verify)'),
    ('2027-04-30', 'holiday',  'Ngày Chiến thắng (30/4)', 'dự kiến (verify)'),
    ('2027-05-03', 'day_off',  'Nghỉ bù Ngày Quốc tế Lao động (1/5): ngày 01/05/2027 rơi vào thứ Bảy', 'dự kiến (verify)'),
    ('2027-09-02', 'holiday',  'Quốc khánh (2/9)', 'dự kiến (verify)'),
    ('2027-09-03', 'holiday',  'Quốc khánh (ngày liền sau, 3/9)', 'dự kiến (verify)'),
    -- 2028 (Tết Mậu Thân, mùng 1 = 2028-01-26; proposed: dự kiến (verify))
    ('2028-01-03', 'day_off',  'Nghỉ bù Tết Dương lịch: ngày 01/01/2028 rơi vào thứ Bảy', 'dự kiến (verify)'),
    ('2028-01-24', 'holiday',  'Tết Nguyên đán Mậu Thân (28 tháng Chạp)', 'dự kiến (verify)'),
    ('2028-01-25', 'holiday',  'Tết Nguyên đán Mậu Thân (29 tháng Chạp)', 'dự kiến (verify)'),
    ('2028-01-26', 'holiday',  'Tết Nguyên đán Mậu Thân (mùng 1 tháng Giêng)', 'dự kiến (verify)'),
    ('2028-01-27', 'holiday',  'Tết Nguyên đán Mậu Thân (mùng 2 tháng Giêng)', 'dự kiến (verify)'),
    ('2028-01-28', 'holiday',  'Tết Nguyên đán Mậu Thân (mùng 3 tháng Giêng)', 'dự kiến (verify)'),
    ('2028-04-04', 'holiday',  'Giỗ Tổ Hùng Vương (10/3 âm lịch)', 'dự kiến (verify)'),
    ('2028-05-01', 'holiday',  'Ngày Quốc tế Lao động (1/5)', 'dự kiến (verify)'),
    ('2028-05-02', 'day_off',  'Nghỉ bù Ngày Chiến thắng (30/4): ngày 30/04/2028 rơi vào Chủ nhật', 'dự kiến (verify)'),
    ('2028-09-01', 'holiday',  'Quốc khánh (ngày liền trước, 1/9)', 'dự kiến (verify)'),
    ('2028-09-04', 'day_off',  'Nghỉ bù Quốc khánh (2/9): ngày 02/09/2028 rơi vào thứ Bảy', 'dự kiến (verify)'),
    -- 2029 (Tết Kỷ Dậu, mùng 1 = 2029-02-13; proposed: dự kiến (verify))
    ('2029-01-01', 'holiday',  'Tết Dương lịch', 'dự kiến (verify)'),
    ('2029-02-12', 'holiday',  'Tết Nguyên đán Kỷ Dậu (29 tháng Chạp)', 'dự kiến (verify)'),
    ('2029-02-13', 'holiday',  'Tết Nguyên đán Kỷ Dậu (mùng 1 tháng Giêng)', 'dự kiến (verify)'),
    ('2029-02-14', 'holiday',  'Tết Nguyên đán Kỷ Dậu (mùng 2 tháng Giêng)', 'dự kiến (verify)'),
    ('2029-02-15', 'holiday',  'Tết Nguyên đán Kỷ Dậu (mùng 3 tháng Giêng)', 'dự kiến (verify)'),
    ('2029-02-16', 'holiday',  'Tết Nguyên đán Kỷ Dậu (mùng 4 tháng Giêng)', 'dự kiến (verify)'),
    ('2029-04-23', 'holiday',  'Giỗ Tổ Hùng Vương (10/3 âm lịch)', 'dự kiến (verify)'),
    ('2029-04-30', 'holiday',  'Ngày Chiến thắng (30/4)', 'dự kiến (verify)'),
    ('2029-05-01', 'holiday',  'Ngày Quốc tế Lao động (1/5)', 'dự kiến (verify)'),
    ('2029-09-03', 'holiday',  'Quốc khánh (ngày liền sau, 3/9)', 'dự kiến (verify)'),
    ('2029-09-04', 'day_off',  'Nghỉ bù Quốc khánh (2/9): ngày 02/09/2029 rơi vào Chủ nhật', 'dự kiến (verify)'),
    -- 2030 (Tết Canh Tuất, mùng 1 = 2030-02-02; proposed: dự kiến (verify))
    ('2030-01-01', 'holiday',  'Tết Dương lịch', 'dự kiến (verify)'),
    ('2030-01-31', 'holiday',  'Tết Nguyên đán Canh Tuất (28 tháng Chạp)', 'dự kiến (verify)'),
    ('2030-02-01', 'holiday',  'Tết Nguyên đán Canh Tuất (29 tháng Chạp)', 'dự kiến (verify)'),
    ('2030-02-04', 'holiday',  'Tết Nguyên đán Canh Tuất (mùng 3 tháng Giêng)', 'dự kiến (verify)'),
    ('2030-02-05', 'day_off',  'Nghỉ bù Tết Nguyên đán Canh Tuất (mùng 1 tháng Giêng): ngày 02/02/2030 rơi vào thứ Bảy', 'dự kiến (verify)'),
    ('2030-02-06', 'day_off',  'Nghỉ bù Tết Nguyên đán Canh Tuất (mùng 2 tháng Giêng): ngày 03/02/2030 rơi vào Chủ nhật', 'dự kiến (verify)'),
    ('2030-04-12', 'holiday',  'Giỗ Tổ Hùng Vương (10/3 âm lịch)', 'dự kiến (verify)'),
    ('2030-04-30', 'holiday',  'Ngày Chiến thắng (30/4)', 'dự kiến (verify)'),
    ('2030-05-01', 'holiday',  'Ngày Quốc tế Lao động (1/5)', 'dự kiến (verify)'),
    ('2030-09-02', 'holiday',  'Quốc khánh (2/9)', 'dự kiến (verify)'),
    ('2030-09-03', 'holiday',  'Quốc khánh (ngày liền sau, 3/9)', 'dự kiến (verify)');
-- END GENERATED SEED

GRANT SELECT ON calendar_day TO ptdv_app;
-- Edits go through internal/calendar (SetDay, DeleteDay), which check the admin role and write the audit row.
GRANT INSERT, UPDATE, DELETE ON calendar_day TO ptdv_app;
