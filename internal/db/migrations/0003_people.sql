-- 0003: code lists, persons (candidates and members alike), their positions and units over time, and the
-- membership lifecycle: append-only member events, the status spans derived from them, and the rule
-- values the lifecycle checks.
--
-- Conventions are those of 0001: intervals are [valid_from, valid_to) with NULL meaning "still valid";
-- event rows are never updated or deleted; cached state is rewritten in the transaction of its event.

-- Code lists as data: every categorical field of a person (the categories of the official statistical
-- forms) and a few lists the application names (member event kinds and statuses, ID-card province codes).
-- An administrator edits the rows as the schema owner: relabel, add aliases, deactivate a code (existing
-- records keep it; new input may not use it). attrs holds per-list facts (minority, level, aliases).
CREATE TABLE code_item (
    list      text    NOT NULL CHECK (list ~ '^[a-z][a-z0-9_]*$'),
    code      text    NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9_]*$'),
    rank      int     NOT NULL,           -- display order within the list
    label_vi  text    NOT NULL,
    label_en  text    NOT NULL,
    attrs     jsonb   NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attrs) = 'object'),
    active    boolean NOT NULL DEFAULT true,
    PRIMARY KEY (list, code)
);

INSERT INTO code_item (list, code, rank, label_vi, label_en) VALUES
    ('sex', 'male',   1, 'Nam', 'Male'),
    ('sex', 'female', 2, 'Nữ',  'Female');

-- The 54 ethnic groups, ranked and numbered as in the GSO list (Quyết định 1019/QĐ-TCTK, 2008; verify);
-- "gso" is that number. "other" is an unlisted Vietnamese group (counted as a minority); "foreign_origin"
-- is a naturalized citizen of foreign origin (not counted as one).
INSERT INTO code_item (list, code, rank, label_vi, label_en, attrs) VALUES
    ('ethnicity', 'kinh',          1, 'Kinh',          'Kinh',           '{"minority": false, "gso": "01", "aliases": ["Việt"]}'),
    ('ethnicity', 'tay',           2, 'Tày',           'Tay',            '{"minority": true, "gso": "02"}'),
    ('ethnicity', 'thai',          3, 'Thái',          'Thai',           '{"minority": true, "gso": "03"}'),
    ('ethnicity', 'muong',         4, 'Mường',         'Muong',          '{"minority": true, "gso": "04"}'),
    ('ethnicity', 'khmer',         5, 'Khmer',         'Khmer',          '{"minority": true, "gso": "05", "aliases": ["Khơ-me", "Khơ Me"]}'),
    ('ethnicity', 'hoa',           6, 'Hoa',           'Hoa (Chinese)',  '{"minority": true, "gso": "06", "aliases": ["Hán"]}'),
    ('ethnicity', 'nung',          7, 'Nùng',          'Nung',           '{"minority": true, "gso": "07"}'),
    ('ethnicity', 'hmong',         8, 'H''Mông',       'Hmong',          '{"minority": true, "gso": "08", "aliases": ["Mông", "Hmông"]}'),
    ('ethnicity', 'dao',           9, 'Dao',           'Dao',            '{"minority": true, "gso": "09"}'),
    ('ethnicity', 'gia_rai',      10, 'Gia Rai',       'Jarai',          '{"minority": true, "gso": "10", "aliases": ["Gia-rai", "Jrai"]}'),
    ('ethnicity', 'e_de',         11, 'Ê Đê',          'Ede',            '{"minority": true, "gso": "11", "aliases": ["Ê-đê", "Rhade"]}'),
    ('ethnicity', 'ba_na',        12, 'Ba Na',         'Bahnar',         '{"minority": true, "gso": "12", "aliases": ["Ba-na"]}'),
    ('ethnicity', 'san_chay',     13, 'Sán Chay',      'San Chay',       '{"minority": true, "gso": "13", "aliases": ["Cao Lan - Sán Chỉ"]}'),
    ('ethnicity', 'cham',         14, 'Chăm',          'Cham',           '{"minority": true, "gso": "14", "aliases": ["Chàm"]}'),
    ('ethnicity', 'co_ho',        15, 'Cơ Ho',         'Koho',           '{"minority": true, "gso": "15", "aliases": ["Cơ-ho", "K''Ho"]}'),
    ('ethnicity', 'xo_dang',      16, 'Xơ Đăng',       'Sedang',         '{"minority": true, "gso": "16", "aliases": ["Xơ-đăng"]}'),
    ('ethnicity', 'san_diu',      17, 'Sán Dìu',       'San Diu',        '{"minority": true, "gso": "17"}'),
    ('ethnicity', 'hre',          18, 'Hrê',           'Hre',            '{"minority": true, "gso": "18"}'),
    ('ethnicity', 'ra_glai',      19, 'Ra Glai',       'Raglai',         '{"minority": true, "gso": "19", "aliases": ["Ra-glai", "Ra Glay"]}'),
    ('ethnicity', 'mnong',        20, 'Mnông',         'Mnong',          '{"minority": true, "gso": "20", "aliases": ["M''Nông"]}'),
    ('ethnicity', 'tho',          21, 'Thổ',           'Tho',            '{"minority": true, "gso": "21"}'),
    ('ethnicity', 'xtieng',       22, 'Xtiêng',        'Stieng',         '{"minority": true, "gso": "22", "aliases": ["X''Tiêng", "Stiêng"]}'),
    ('ethnicity', 'kho_mu',       23, 'Khơ Mú',        'Khmu',           '{"minority": true, "gso": "23", "aliases": ["Khơ-mú"]}'),
    ('ethnicity', 'bru_van_kieu', 24, 'Bru Vân Kiều',  'Bru-Van Kieu',   '{"minority": true, "gso": "24", "aliases": ["Vân Kiều"]}'),
    ('ethnicity', 'co_tu',        25, 'Cơ Tu',         'Katu',           '{"minority": true, "gso": "25", "aliases": ["Cơ-tu"]}'),
    ('ethnicity', 'giay',         26, 'Giáy',          'Giay',           '{"minority": true, "gso": "26"}'),
    ('ethnicity', 'ta_oi',        27, 'Tà Ôi',         'Ta Oi',          '{"minority": true, "gso": "27", "aliases": ["Tà-ôi", "Pa Cô"]}'),
    ('ethnicity', 'ma',           28, 'Mạ',            'Ma',             '{"minority": true, "gso": "28"}'),
    ('ethnicity', 'gie_trieng',   29, 'Giẻ Triêng',    'Gie Trieng',     '{"minority": true, "gso": "29", "aliases": ["Gié-Triêng", "Giẻ-Triêng"]}'),
    ('ethnicity', 'co',           30, 'Co',            'Cor',            '{"minority": true, "gso": "30"}'),
    ('ethnicity', 'cho_ro',       31, 'Chơ Ro',        'Choro',          '{"minority": true, "gso": "31", "aliases": ["Chơ-ro"]}'),
    ('ethnicity', 'xinh_mun',     32, 'Xinh Mun',      'Xinh Mun',       '{"minority": true, "gso": "32", "aliases": ["Xinh-mun"]}'),
    ('ethnicity', 'ha_nhi',       33, 'Hà Nhì',        'Ha Nhi',         '{"minority": true, "gso": "33"}'),
    ('ethnicity', 'chu_ru',       34, 'Chu Ru',        'Churu',          '{"minority": true, "gso": "34", "aliases": ["Chu-ru"]}'),
    ('ethnicity', 'lao',          35, 'Lào',           'Lao',            '{"minority": true, "gso": "35"}'),
    ('ethnicity', 'la_chi',       36, 'La Chí',        'La Chi',         '{"minority": true, "gso": "36"}'),
    ('ethnicity', 'khang',        37, 'Kháng',         'Khang',          '{"minority": true, "gso": "37"}'),
    ('ethnicity', 'phu_la',       38, 'Phù Lá',        'Phu La',         '{"minority": true, "gso": "38"}'),
    ('ethnicity', 'la_hu',        39, 'La Hủ',         'La Hu',          '{"minority": true, "gso": "39"}'),
    ('ethnicity', 'la_ha',        40, 'La Ha',         'La Ha',          '{"minority": true, "gso": "40"}'),
    ('ethnicity', 'pa_then',      41, 'Pà Thẻn',       'Pa Then',        '{"minority": true, "gso": "41"}'),
    ('ethnicity', 'lu',           42, 'Lự',            'Lu',             '{"minority": true, "gso": "42"}'),
    ('ethnicity', 'ngai',         43, 'Ngái',          'Ngai',           '{"minority": true, "gso": "43"}'),
    ('ethnicity', 'chut',         44, 'Chứt',          'Chut',           '{"minority": true, "gso": "44"}'),
    ('ethnicity', 'lo_lo',        45, 'Lô Lô',         'Lo Lo',          '{"minority": true, "gso": "45"}'),
    ('ethnicity', 'mang',         46, 'Mảng',          'Mang',           '{"minority": true, "gso": "46"}'),
    ('ethnicity', 'co_lao',       47, 'Cờ Lao',        'Co Lao',         '{"minority": true, "gso": "47", "aliases": ["Cơ Lao"]}'),
    ('ethnicity', 'bo_y',         48, 'Bố Y',          'Bo Y',           '{"minority": true, "gso": "48"}'),
    ('ethnicity', 'cong',         49, 'Cống',          'Cong',           '{"minority": true, "gso": "49"}'),
    ('ethnicity', 'si_la',        50, 'Si La',         'Si La',          '{"minority": true, "gso": "50"}'),
    ('ethnicity', 'pu_peo',       51, 'Pu Péo',        'Pu Peo',         '{"minority": true, "gso": "51"}'),
    ('ethnicity', 'ro_mam',       52, 'Rơ Măm',        'Ro Mam',         '{"minority": true, "gso": "52", "aliases": ["Rơ-măm"]}'),
    ('ethnicity', 'brau',         53, 'Brâu',          'Brau',           '{"minority": true, "gso": "53"}'),
    ('ethnicity', 'o_du',         54, 'Ơ Đu',          'O Du',           '{"minority": true, "gso": "54", "aliases": ["Ơ-đu"]}'),
    ('ethnicity', 'other',        55, 'Dân tộc khác',  'Other',          '{"minority": true}'),
    ('ethnicity', 'foreign_origin', 56, 'Người nước ngoài nhập quốc tịch Việt Nam', 'Foreign origin', '{"minority": false, "aliases": ["Người gốc nước ngoài"]}');

-- The 16 religions recognised by the state (Ban Tôn giáo Chính phủ; verify) and "none".
INSERT INTO code_item (list, code, rank, label_vi, label_en, attrs) VALUES
    ('religion', 'none',                  0, 'Không',                                'None',                          '{"religious": false, "aliases": ["Không tôn giáo"]}'),
    ('religion', 'buddhism',              1, 'Phật giáo',                            'Buddhism',                      '{"religious": true}'),
    ('religion', 'catholicism',           2, 'Công giáo',                            'Catholicism',                   '{"religious": true, "aliases": ["Thiên Chúa giáo"]}'),
    ('religion', 'protestantism',         3, 'Tin Lành',                             'Protestantism',                 '{"religious": true, "aliases": ["Đạo Tin Lành"]}'),
    ('religion', 'cao_dai',               4, 'Cao Đài',                              'Cao Dai',                       '{"religious": true, "aliases": ["Đạo Cao Đài"]}'),
    ('religion', 'hoa_hao',               5, 'Phật giáo Hòa Hảo',                    'Hoa Hao Buddhism',              '{"religious": true, "aliases": ["Hòa Hảo"]}'),
    ('religion', 'islam',                 6, 'Hồi giáo',                             'Islam',                         '{"religious": true, "aliases": ["Islam"]}'),
    ('religion', 'bahai',                 7, 'Tôn giáo Baha''i',                     'Baha''i Faith',                 '{"religious": true, "aliases": ["Baha''i"]}'),
    ('religion', 'tinh_do_cu_si',         8, 'Tịnh độ Cư sĩ Phật hội Việt Nam',      'Pure Land Buddhist Home Practice Association', '{"religious": true}'),
    ('religion', 'adventist',             9, 'Cơ đốc Phục lâm',                      'Seventh-day Adventist',         '{"religious": true}'),
    ('religion', 'tu_an_hieu_nghia',     10, 'Phật giáo Tứ Ân Hiếu Nghĩa',           'Tu An Hieu Nghia Buddhism',     '{"religious": true}'),
    ('religion', 'minh_su_dao',          11, 'Minh Sư đạo',                          'Minh Su Dao',                   '{"religious": true}'),
    ('religion', 'minh_ly_dao',          12, 'Minh Lý đạo – Tam Tông Miếu',          'Minh Ly Dao - Tam Tong Mieu',   '{"religious": true, "aliases": ["Minh Lý đạo"]}'),
    ('religion', 'cham_brahmanism',      13, 'Chăm Bà la môn',                       'Cham Brahmanism',               '{"religious": true, "aliases": ["Bà la môn"]}'),
    ('religion', 'mormon',               14, 'Mặc môn',                              'Latter-day Saints (Mormon)',    '{"religious": true, "aliases": ["Giáo hội Các Thánh hữu Ngày sau của Chúa Giê-su Ky-tô"]}'),
    ('religion', 'hieu_nghia_ta_lon',    15, 'Phật giáo Hiếu Nghĩa Tà Lơn',          'Hieu Nghia Ta Lon Buddhism',    '{"religious": true}'),
    ('religion', 'buu_son_ky_huong',     16, 'Bửu Sơn Kỳ Hương',                     'Buu Son Ky Huong',              '{"religious": true}');

INSERT INTO code_item (list, code, rank, label_vi, label_en, attrs) VALUES
    ('general_education', 'primary',         1, 'Tiểu học',            'Primary',         '{"level": 1, "aliases": ["Cấp 1", "5/12", "4/10"]}'),
    ('general_education', 'lower_secondary', 2, 'Trung học cơ sở',     'Lower secondary', '{"level": 2, "aliases": ["THCS", "Cấp 2", "9/12", "7/10"]}'),
    ('general_education', 'upper_secondary', 3, 'Trung học phổ thông', 'Upper secondary', '{"level": 3, "aliases": ["THPT", "Cấp 3", "12/12", "10/10"]}');

INSERT INTO code_item (list, code, rank, label_vi, label_en, attrs) VALUES
    ('professional_qualification', 'none',         0, 'Chưa qua đào tạo', 'None',         '{"level": 0, "aliases": ["Không"]}'),
    ('professional_qualification', 'elementary',   1, 'Sơ cấp',           'Elementary',   '{"level": 1}'),
    ('professional_qualification', 'intermediate', 2, 'Trung cấp',        'Intermediate', '{"level": 2}'),
    ('professional_qualification', 'college',      3, 'Cao đẳng',         'College',      '{"level": 3, "aliases": ["CĐ"]}'),
    ('professional_qualification', 'university',   4, 'Đại học',          'University',   '{"level": 4, "aliases": ["ĐH", "Cử nhân", "Kỹ sư"]}'),
    ('professional_qualification', 'master',       5, 'Thạc sĩ',          'Master',       '{"level": 5, "aliases": ["ThS"]}'),
    ('professional_qualification', 'doctorate',    6, 'Tiến sĩ',          'Doctorate',    '{"level": 6, "aliases": ["TS", "Tiến sĩ khoa học", "TSKH"]}');

INSERT INTO code_item (list, code, rank, label_vi, label_en, attrs) VALUES
    ('political_theory', 'none',         0, 'Chưa qua đào tạo', 'None',         '{"level": 0, "aliases": ["Không"]}'),
    ('political_theory', 'elementary',   1, 'Sơ cấp',           'Elementary',   '{"level": 1, "aliases": ["Sơ cấp lý luận chính trị"]}'),
    ('political_theory', 'intermediate', 2, 'Trung cấp',        'Intermediate', '{"level": 2, "aliases": ["Trung cấp lý luận chính trị"]}'),
    ('political_theory', 'advanced',     3, 'Cao cấp',          'Advanced',     '{"level": 3, "aliases": ["Cao cấp lý luận chính trị", "Cử nhân chính trị"]}');

INSERT INTO code_item (list, code, rank, label_vi, label_en, attrs) VALUES
    ('occupation', 'civil_servant',               1, 'Cán bộ, công chức',                                      'Cadres and civil servants',          '{}'),
    ('occupation', 'public_employee',             2, 'Viên chức',                                              'Public employees',                   '{}'),
    ('occupation', 'commune_staff',               3, 'Cán bộ, công chức, người hoạt động không chuyên trách cấp xã', 'Commune staff',               '{}'),
    ('occupation', 'state_enterprise_worker',     4, 'Người lao động trong doanh nghiệp nhà nước',             'State enterprise workers',           '{}'),
    ('occupation', 'non_state_enterprise_worker', 5, 'Người lao động trong doanh nghiệp ngoài nhà nước',       'Non-state enterprise workers',       '{}'),
    ('occupation', 'farmer',                      6, 'Nông, lâm, ngư nghiệp',                                  'Farming, forestry, fishing',         '{"aliases": ["Nông dân", "Làm ruộng"]}'),
    ('occupation', 'armed_forces',                7, 'Lực lượng vũ trang',                                     'Armed forces',                       '{"aliases": ["Quân đội", "Công an"]}'),
    ('occupation', 'university_student',          8, 'Sinh viên',                                              'University and college students',    '{}'),
    ('occupation', 'upper_secondary_student',     9, 'Học sinh trung học phổ thông',                           'Upper secondary students',           '{"aliases": ["Học sinh", "Học sinh THPT"]}'),
    ('occupation', 'freelance',                  10, 'Lao động tự do',                                         'Freelance',                          '{}'),
    ('occupation', 'retired',                    11, 'Nghỉ hưu',                                               'Retired',                            '{"aliases": ["Hưu trí"]}'),
    ('occupation', 'other',                      12, 'Khác',                                                   'Other',                              '{}');

-- Positions held in the residential area or workplace. key_cadre marks the groups that recruitment
-- targets name (village heads, commune police, team leaders, Front and mass-organization heads).
INSERT INTO code_item (list, code, rank, label_vi, label_en, attrs) VALUES
    ('position', 'village_head',                 1, 'Trưởng thôn, làng, bản, ấp',              'Village head',                       '{"key_cadre": true, "aliases": ["Trưởng thôn"]}'),
    ('position', 'village_deputy_head',          2, 'Phó trưởng thôn, làng, bản, ấp',          'Deputy village head',                '{"key_cadre": false}'),
    ('position', 'residential_group_head',       3, 'Tổ trưởng tổ dân phố',                    'Residential group head',             '{"key_cadre": true}'),
    ('position', 'commune_police',               4, 'Công an xã, phường',                      'Commune police',                     '{"key_cadre": true, "aliases": ["Công an xã"]}'),
    ('position', 'militia_leader',               5, 'Thôn đội trưởng, chỉ huy dân quân',       'Militia leader',                     '{"key_cadre": false}'),
    ('position', 'fatherland_front_leader',      6, 'Trưởng ban công tác Mặt trận',            'Fatherland Front committee head',    '{"key_cadre": true}'),
    ('position', 'youth_union_leader',           7, 'Bí thư chi đoàn, đoàn cơ sở',             'Youth Union secretary',              '{"key_cadre": true, "aliases": ["Bí thư chi đoàn"]}'),
    ('position', 'women_union_leader',           8, 'Chi hội trưởng, chủ tịch Hội Phụ nữ',     'Women''s Union head',                '{"key_cadre": true}'),
    ('position', 'farmers_union_leader',         9, 'Chi hội trưởng, chủ tịch Hội Nông dân',   'Farmers'' Union head',               '{"key_cadre": true}'),
    ('position', 'veterans_association_leader', 10, 'Chi hội trưởng, chủ tịch Hội Cựu chiến binh', 'Veterans'' Association head',    '{"key_cadre": true}'),
    ('position', 'trade_union_leader',          11, 'Chủ tịch công đoàn cơ sở',                'Trade Union head',                   '{"key_cadre": true}'),
    ('position', 'team_leader',                 12, 'Tổ trưởng, đội trưởng sản xuất',          'Production team leader',             '{"key_cadre": true}'),
    ('position', 'enterprise_owner',            13, 'Chủ doanh nghiệp',                        'Business owner',                     '{"key_cadre": false}'),
    ('position', 'cooperative_director',        14, 'Giám đốc hợp tác xã',                     'Cooperative director',               '{"key_cadre": false}'),
    ('position', 'teacher',                     15, 'Giáo viên',                               'Teacher',                            '{"key_cadre": false}'),
    ('position', 'health_worker',               16, 'Nhân viên y tế thôn, bản',                'Village health worker',              '{"key_cadre": false}'),
    ('position', 'prestigious_person',          17, 'Người có uy tín trong đồng bào dân tộc thiểu số', 'Prestigious person of an ethnic-minority community', '{"key_cadre": false}'),
    ('position', 'other',                       18, 'Khác',                                    'Other',                              '{"key_cadre": false}');

-- Who proposed a candidate for the source list.
INSERT INTO code_item (list, code, rank, label_vi, label_en, attrs) VALUES
    ('proposer', 'cell',                 1, 'Chi bộ',                                'Party cell',             '{}'),
    ('proposer', 'youth_union',          2, 'Đoàn Thanh niên Cộng sản Hồ Chí Minh', 'Youth Union',            '{"aliases": ["Đoàn Thanh niên", "Đoàn"]}'),
    ('proposer', 'women_union',          3, 'Hội Liên hiệp Phụ nữ',                  'Women''s Union',         '{"aliases": ["Hội Phụ nữ"]}'),
    ('proposer', 'farmers_union',        4, 'Hội Nông dân',                          'Farmers'' Union',        '{}'),
    ('proposer', 'trade_union',          5, 'Công đoàn',                             'Trade Union',            '{}'),
    ('proposer', 'school',               6, 'Nhà trường',                            'School',                 '{"aliases": ["Trường"]}'),
    ('proposer', 'enterprise',           7, 'Doanh nghiệp',                          'Enterprise',             '{}'),
    ('proposer', 'veterans_association', 8, 'Hội Cựu chiến binh',                    'Veterans'' Association', '{}'),
    ('proposer', 'other',                9, 'Khác',                                  'Other',                  '{}');

-- Member lifecycle: the kinds of event (the CHECK on member_event.kind lists the same codes) and the
-- statuses derived from them. member = true marks the statuses that count as belonging to a unit.
INSERT INTO code_item (list, code, rank, label_vi, label_en) VALUES
    ('member_event', 'admitted',                  1, 'Kết nạp (đảng viên dự bị)',          'Admitted (probationary)'),
    ('member_event', 'recognized',                2, 'Công nhận đảng viên chính thức',     'Recognized as full member'),
    ('member_event', 'exempted',                  3, 'Miễn công tác và sinh hoạt đảng',    'Exempted from party activity'),
    ('member_event', 'exemption_ended',           4, 'Thôi miễn sinh hoạt đảng',           'Exemption ended'),
    ('member_event', 'transferred_out_official',  5, 'Chuyển sinh hoạt đảng chính thức đi', 'Official transfer out'),
    ('member_event', 'transferred_in_official',   6, 'Chuyển sinh hoạt đảng chính thức đến', 'Official transfer in'),
    ('member_event', 'transferred_out_temporary', 7, 'Chuyển sinh hoạt đảng tạm thời đi',  'Temporary transfer out'),
    ('member_event', 'temporary_returned',        8, 'Trở lại sau sinh hoạt tạm thời',     'Returned from temporary transfer'),
    ('member_event', 'removed',                   9, 'Xóa tên',                            'Removed from the rolls'),
    ('member_event', 'expelled',                 10, 'Khai trừ',                           'Expelled'),
    ('member_event', 'deceased',                 11, 'Từ trần',                            'Deceased'),
    ('member_event', 'readmitted',               12, 'Kết nạp lại',                        'Readmitted');

INSERT INTO code_item (list, code, rank, label_vi, label_en, attrs) VALUES
    ('member_status', 'probationary',    1, 'Đảng viên dự bị',                        'Probationary member',             '{"member": true}'),
    ('member_status', 'full',            2, 'Đảng viên chính thức',                   'Full member',                     '{"member": true}'),
    ('member_status', 'exempted',        3, 'Được miễn công tác và sinh hoạt đảng',   'Exempted',                        '{"member": true}'),
    ('member_status', 'temporary_out',   4, 'Sinh hoạt đảng tạm thời nơi khác',       'Temporarily attending elsewhere', '{"member": true}'),
    ('member_status', 'transferred_out', 5, 'Đã chuyển sinh hoạt chính thức đi',      'Transferred out',                 '{"member": false}'),
    ('member_status', 'removed',         6, 'Đã bị xóa tên',                          'Removed',                         '{"member": false}'),
    ('member_status', 'expelled',        7, 'Đã bị khai trừ',                         'Expelled',                        '{"member": false}'),
    ('member_status', 'deceased',        8, 'Từ trần',                                'Deceased',                        '{"member": false}');

-- Province codes of the 12-digit personal identification number: the first three digits name the
-- province where the birth was registered (Thông tư 59/2021/TT-BCA, Phụ lục; the numbering of the 63
-- provinces before the 2025 merger, which existing numbers keep). Codes of countries for births
-- registered abroad are not listed: an administrator adds rows when needed.
INSERT INTO code_item (list, code, rank, label_vi, label_en)
SELECT 'id_province', code, row_number() OVER (ORDER BY code), name, name FROM (VALUES
    ('001', 'Hà Nội'), ('002', 'Hà Giang'), ('004', 'Cao Bằng'), ('006', 'Bắc Kạn'), ('008', 'Tuyên Quang'),
    ('010', 'Lào Cai'), ('011', 'Điện Biên'), ('012', 'Lai Châu'), ('014', 'Sơn La'), ('015', 'Yên Bái'),
    ('017', 'Hòa Bình'), ('019', 'Thái Nguyên'), ('020', 'Lạng Sơn'), ('022', 'Quảng Ninh'), ('024', 'Bắc Giang'),
    ('025', 'Phú Thọ'), ('026', 'Vĩnh Phúc'), ('027', 'Bắc Ninh'), ('030', 'Hải Dương'), ('031', 'Hải Phòng'),
    ('033', 'Hưng Yên'), ('034', 'Thái Bình'), ('035', 'Hà Nam'), ('036', 'Nam Định'), ('037', 'Ninh Bình'),
    ('038', 'Thanh Hóa'), ('040', 'Nghệ An'), ('042', 'Hà Tĩnh'), ('044', 'Quảng Bình'), ('045', 'Quảng Trị'),
    ('046', 'Thừa Thiên Huế'), ('048', 'Đà Nẵng'), ('049', 'Quảng Nam'), ('051', 'Quảng Ngãi'), ('052', 'Bình Định'),
    ('054', 'Phú Yên'), ('056', 'Khánh Hòa'), ('058', 'Ninh Thuận'), ('060', 'Bình Thuận'), ('062', 'Kon Tum'),
    ('064', 'Gia Lai'), ('066', 'Đắk Lắk'), ('067', 'Đắk Nông'), ('068', 'Lâm Đồng'), ('070', 'Bình Phước'),
    ('072', 'Tây Ninh'), ('074', 'Bình Dương'), ('075', 'Đồng Nai'), ('077', 'Bà Rịa - Vũng Tàu'), ('079', 'Hồ Chí Minh'),
    ('080', 'Long An'), ('082', 'Tiền Giang'), ('083', 'Bến Tre'), ('084', 'Trà Vinh'), ('086', 'Vĩnh Long'),
    ('087', 'Đồng Tháp'), ('089', 'An Giang'), ('091', 'Kiên Giang'), ('092', 'Cần Thơ'), ('093', 'Hậu Giang'),
    ('094', 'Sóc Trăng'), ('095', 'Bạc Liêu'), ('096', 'Cà Mau')) AS p(code, name);

-- Persons: candidates and members alike, one row each. unit_id is the unit (normally a cell) the
-- person's records belong to now; the actor's scope is applied through it. Categorical columns hold
-- codes of the code_item list of the same name (checked by package people; NULL: not recorded).
CREATE TABLE person (
    id                         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- NFC, single spaces, no leading or trailing space (package people normalizes input).
    full_name                  text NOT NULL CHECK (char_length(full_name) BETWEEN 1 AND 200
                                   AND full_name IS NFC NORMALIZED AND full_name !~ '(^\s|\s$|\s\s)'),
    -- Vietnamese rosters are alphabetized by given name (the last word), then by the full name; folded
    -- to ASCII, byte order. Keyset pagination walks (name_key, id).
    name_key                   text COLLATE "C" GENERATED ALWAYS AS
                                   (ptdv_fold(substring(full_name FROM '([^ ]+)$')) || ' ' || ptdv_fold(full_name)) STORED,
    sex                        text NOT NULL,
    birth_date                 date NOT NULL CHECK (birth_date >= '1900-01-01'),
    national_id                text UNIQUE CHECK (national_id ~ '^[0-9]{12}$'),
    ethnicity                  text,
    religion                   text,
    general_education          text,
    professional_qualification text,
    political_theory           text,
    occupation                 text,
    youth_union_member         boolean NOT NULL DEFAULT false,
    village_id                 bigint REFERENCES village,
    workplace                  text NOT NULL DEFAULT '',
    unit_id                    bigint NOT NULL REFERENCES org_unit,
    age_exception              text,   -- the provincial document allowing admission outside 18–60
    education_exception        text,   -- the document of the mountain/island/ethnic-area exception
    created_at                 timestamptz NOT NULL DEFAULT now(),
    updated_at                 timestamptz NOT NULL DEFAULT now(),
    version                    int NOT NULL DEFAULT 1   -- optimistic concurrency: every update adds 1
);
CREATE INDEX person_by_unit ON person (unit_id);
CREATE INDEX person_name_key ON person (name_key, id);
CREATE INDEX person_name_trgm ON person USING gin (ptdv_fold(full_name) gin_trgm_ops);
CREATE INDEX person_village ON person (village_id) WHERE village_id IS NOT NULL;

-- The unit a person's records belonged to over time (person.unit_id caches the open row).
CREATE TABLE person_unit (
    person_id   bigint NOT NULL REFERENCES person,
    unit_id     bigint NOT NULL REFERENCES org_unit,
    valid_from  date NOT NULL,
    valid_to    date,
    recorded_by text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id, valid_from),
    CHECK (valid_to IS NULL OR valid_to > valid_from),
    EXCLUDE USING gist (person_id WITH =, daterange(valid_from, valid_to) WITH &&)
);
CREATE INDEX person_unit_unit ON person_unit (unit_id, valid_from);

-- Positions held (code list "position"), effective-dated; one open interval per person and position.
CREATE TABLE person_position (
    person_id   bigint NOT NULL REFERENCES person,
    position    text NOT NULL,
    valid_from  date NOT NULL,
    valid_to    date,
    note        text NOT NULL DEFAULT '',
    recorded_by text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id, position, valid_from),
    CHECK (valid_to IS NULL OR valid_to > valid_from),
    EXCLUDE USING gist (person_id WITH =, position WITH =, daterange(valid_from, valid_to) WITH &&)
);
CREATE INDEX person_position_open ON person_position (position, person_id) WHERE valid_to IS NULL;

-- Rule values of the membership lifecycle (rules as data: an administrator corrects them as the schema
-- owner; every refusal names the row id). Later migrations add rows of their own.
CREATE TABLE member_rule (
    id      text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9_.]*$'),
    value   int  NOT NULL,
    unit    text NOT NULL,     -- month, day, working_day, count, vote_share_pct, …
    source  text NOT NULL,
    note    text NOT NULL DEFAULT ''
);

INSERT INTO member_rule (id, value, unit, source, note) VALUES
    ('probation_months',        12, 'month', 'Điều lệ Đảng, Điều 5',
        'Thời kỳ dự bị 12 tháng kể từ ngày lễ kết nạp; đảng viên chính thức tính từ ngày hết 12 tháng dự bị.'),
    ('readmission_min_months',  36, 'month', 'Quy định 24-QĐ/TW (2021), điểm 3.6 (verify)',
        'Kết nạp lại sau ít nhất 36 tháng kể từ ngày ra khỏi Đảng (xóa tên, khai trừ).'),
    ('readmission_max_times',    1, 'count', 'Quy định 24-QĐ/TW (2021), điểm 3.6 (verify)',
        'Chỉ xem xét kết nạp lại một lần.');

-- Membership events: append-only. unit_id is the unit the person's records belonged to on the
-- effective date; to_unit_id the destination of a transfer.
CREATE TABLE member_event (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id     bigint NOT NULL REFERENCES person,
    unit_id       bigint NOT NULL REFERENCES org_unit,
    kind          text NOT NULL CHECK (kind IN ('admitted', 'recognized', 'exempted', 'exemption_ended',
                      'transferred_out_official', 'transferred_in_official', 'transferred_out_temporary',
                      'temporary_returned', 'removed', 'expelled', 'deceased', 'readmitted')),
    effective     date NOT NULL,     -- admitted/readmitted: the ceremony (probation starts); recognized: end of probation
    decision_date date,              -- the decision; party age counts from the admission decision
    to_unit_id    bigint REFERENCES org_unit,
    document      text NOT NULL DEFAULT '',
    note          text NOT NULL DEFAULT '',
    recorded_by   text NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX member_event_person ON member_event (person_id, effective, id);
CREATE INDEX member_event_kind ON member_event (kind, effective);

-- Status spans: derived from member_event and person_unit by package member and rewritten for a person
-- in the transaction that records an event or moves the person. "Members of X on D by status" is one
-- join of the spans valid on D with the org_link paths valid on D under X's path.
CREATE TABLE member_status_span (
    person_id   bigint NOT NULL REFERENCES person,
    unit_id     bigint NOT NULL REFERENCES org_unit,
    status      text NOT NULL CHECK (status IN ('probationary', 'full', 'exempted', 'temporary_out',
                    'transferred_out', 'removed', 'expelled', 'deceased')),
    grade       text CHECK (grade IN ('probationary', 'full')),   -- while a member: probationary or full
    valid_from  date NOT NULL,
    valid_to    date,
    PRIMARY KEY (person_id, valid_from),
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
-- Serves both the count (index-only, per unit of the subtree) and the list keyset (unit_id, person_id).
CREATE INDEX member_status_span_unit ON member_status_span (unit_id, person_id) INCLUDE (status, grade, valid_from, valid_to);

GRANT SELECT ON code_item, member_rule TO ptdv_app;
-- UPDATE on person rewrites the record (optimistic version); on person_unit and person_position it only
-- closes intervals.
GRANT SELECT, INSERT, UPDATE ON person, person_unit, person_position TO ptdv_app;
GRANT SELECT, INSERT ON member_event TO ptdv_app;
-- The spans are a cache, rebuilt per person: delete and insert.
GRANT SELECT, INSERT, DELETE ON member_status_span TO ptdv_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ptdv_app;
