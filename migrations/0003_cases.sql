-- Cases (诉求 / 工单): handling units and their members, the category taxonomy, routing rules, time limits, the
-- cases with their assignments, follow-ups, extensions, followers and joint consultations, and the jobs table of
-- background work. Times are integer seconds since the Unix epoch (UTC). The workflow is in
-- src/governance/cases/workflow.cc and docs/CASES.md.

-- 承办单位: district departments, subdistrict offices, neighborhood committees (not `units`: those are apartments).
CREATE TABLE handling_units (
  id {{id}},
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('department', 'subdistrict_office', 'neighborhood_committee')),
  area_id BIGINT NOT NULL REFERENCES areas(id),
  active INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL
);
CREATE INDEX handling_units_area ON handling_units(area_id);

-- Users who act for a unit (sign, reply, return, ask for an extension).
CREATE TABLE handling_unit_members (
  unit_id BIGINT NOT NULL REFERENCES handling_units(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  added_at BIGINT NOT NULL,
  PRIMARY KEY (unit_id, user_id)
);
CREATE INDEX handling_unit_members_user ON handling_unit_members(user_id);

-- The taxonomy, close to a 12345 one; complex categories default to the long reply limit.
CREATE TABLE case_categories (
  code TEXT PRIMARY KEY,
  name_zh TEXT NOT NULL,
  name_en TEXT NOT NULL,
  complex INTEGER NOT NULL DEFAULT 0,
  sort_key INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1
);
INSERT INTO case_categories (code, name_zh, name_en, complex, sort_key) VALUES
  ('property_management', '物业管理', 'Property management', 0, 1),
  ('sanitation', '环境卫生', 'Sanitation', 0, 2),
  ('greenery', '绿化养护', 'Greenery', 0, 3),
  ('parking', '停车管理', 'Parking', 0, 4),
  ('noise', '噪声扰民', 'Noise', 0, 5),
  ('elevator_retrofit', '加装电梯', 'Elevator retrofit', 1, 6),
  ('safety_hazard', '安全隐患', 'Safety hazard', 0, 7),
  ('neighbour_dispute', '邻里纠纷', 'Neighbour dispute', 1, 8),
  ('illegal_construction', '违法搭建', 'Illegal construction', 1, 9),
  ('water_power_gas', '水电燃气', 'Water, power and gas', 0, 10),
  ('public_facilities', '公共设施', 'Public facilities', 0, 11),
  ('housing_repair', '房屋修缮', 'Housing repair', 0, 12),
  ('elderly_care', '为老服务', 'Elderly care', 0, 13),
  ('other', '其他', 'Other', 0, 99);

-- Category x area -> lead unit + co-units. A rule covers its area and below; the deepest matching area wins.
CREATE TABLE case_routing_rules (
  id {{id}},
  category TEXT NOT NULL REFERENCES case_categories(code),
  area_id BIGINT NOT NULL REFERENCES areas(id),
  lead_unit_id BIGINT NOT NULL REFERENCES handling_units(id),
  co_unit_ids TEXT NOT NULL DEFAULT '[]',
  created_at BIGINT NOT NULL,
  UNIQUE (category, area_id)
);

-- Time limits per stage, matched on type, category, urgency and complexity ('*' = any); the most specific row
-- wins (urgency > complexity > category > type). amount in hours or working days (counted from the day after).
CREATE TABLE case_time_limits (
  id {{id}},
  stage TEXT NOT NULL CHECK (stage IN ('dispatch', 'sign', 'reply')),
  case_type TEXT NOT NULL DEFAULT '*',
  category TEXT NOT NULL DEFAULT '*',
  urgency TEXT NOT NULL DEFAULT '*',
  complexity TEXT NOT NULL DEFAULT '*' CHECK (complexity IN ('*', 'ordinary', 'complex')),
  amount INTEGER NOT NULL CHECK (amount > 0),
  unit TEXT NOT NULL CHECK (unit IN ('hours', 'working_days')),
  UNIQUE (stage, case_type, category, urgency, complexity)
);
INSERT INTO case_time_limits (stage, case_type, category, urgency, complexity, amount, unit) VALUES
  ('dispatch', '*', '*', '*', '*', 24, 'hours'),
  ('dispatch', '*', '*', 'emergency', '*', 1, 'hours'),
  ('sign', '*', '*', '*', '*', 24, 'hours'),
  ('sign', '*', '*', 'emergency', '*', 1, 'hours'),
  ('reply', '*', '*', '*', '*', 5, 'working_days'),
  ('reply', 'enquiry', '*', '*', '*', 1, 'working_days'),
  ('reply', '*', '*', '*', 'complex', 15, 'working_days'),
  ('reply', '*', '*', 'emergency', '*', 24, 'hours');

CREATE TABLE cases (
  id {{id}},
  case_type TEXT NOT NULL CHECK (case_type IN ('enquiry', 'help', 'complaint', 'report', 'suggestion')),
  category TEXT NOT NULL REFERENCES case_categories(code),
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  area_id BIGINT NOT NULL REFERENCES areas(id),
  neighborhood_id BIGINT NOT NULL REFERENCES areas(id),
  subdistrict_id BIGINT NOT NULL REFERENCES areas(id),
  building_id BIGINT REFERENCES areas(id),
  unit_id BIGINT REFERENCES units(id),
  lat_e6 BIGINT,
  lon_e6 BIGINT,
  urgency TEXT NOT NULL CHECK (urgency IN ('normal', 'urgent', 'emergency')),
  complex INTEGER NOT NULL DEFAULT 0,
  channel TEXT NOT NULL CHECK (channel IN ('web', 'door_qr', 'phone', 'visit', 'letter', 'reception', 'api',
                                           'open311')),
  contact_name TEXT NOT NULL DEFAULT '',
  contact_phone TEXT NOT NULL DEFAULT '',
  is_public INTEGER NOT NULL DEFAULT 0,
  reporter_id BIGINT REFERENCES users(id),
  entered_by BIGINT REFERENCES users(id),
  state TEXT NOT NULL,
  extension_state TEXT NOT NULL DEFAULT '',
  submitted_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  due_at BIGINT,
  reply_due_at BIGINT,
  overdue_since BIGINT,
  closed_at BIGINT,
  lead_unit_id BIGINT REFERENCES handling_units(id),
  merged_into BIGINT REFERENCES cases(id),
  escalated_at BIGINT,
  reopen_count INTEGER NOT NULL DEFAULT 0,
  overdue_count INTEGER NOT NULL DEFAULT 0,
  me_too_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX cases_neighborhood ON cases(neighborhood_id, state, id);
CREATE INDEX cases_subdistrict ON cases(subdistrict_id, id);
CREATE INDEX cases_building ON cases(building_id, state);
CREATE INDEX cases_reporter ON cases(reporter_id, id);
CREATE INDEX cases_due ON cases(due_at);
CREATE INDEX cases_lead ON cases(lead_unit_id, due_at, id);
CREATE INDEX cases_public ON cases(is_public, id);

-- Who handles a case: the lead unit (with its deadlines) and co-units; ended when returned, re-dispatched, reopened
-- or closed. The follow-up result is copied onto the lead assignment it judged (the unit's rates read from here).
CREATE TABLE case_assignments (
  id {{id}},
  case_id BIGINT NOT NULL REFERENCES cases(id),
  unit_id BIGINT NOT NULL REFERENCES handling_units(id),
  role TEXT NOT NULL CHECK (role IN ('lead', 'co')),
  assigned_at BIGINT NOT NULL,
  sign_due_at BIGINT,
  signed_at BIGINT,
  reply_due_at BIGINT,
  replied_at BIGINT,
  followed_up_at BIGINT,
  resolved INTEGER,
  satisfaction TEXT,
  reopened INTEGER NOT NULL DEFAULT 0,
  ended_at BIGINT,
  end_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_assignments_case ON case_assignments(case_id, id);
CREATE INDEX case_assignments_unit ON case_assignments(unit_id, ended_at, case_id);
CREATE INDEX case_assignments_metrics ON case_assignments(role, assigned_at);

CREATE TABLE case_follow_ups (
  id {{id}},
  case_id BIGINT NOT NULL REFERENCES cases(id),
  at BIGINT NOT NULL,
  by_user BIGINT REFERENCES users(id),
  resolved INTEGER NOT NULL,
  satisfaction TEXT NOT NULL CHECK (satisfaction IN ('satisfied', 'basically_satisfied', 'dissatisfied')),
  comment TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_follow_ups_case ON case_follow_ups(case_id);

CREATE TABLE case_extensions (
  id {{id}},
  case_id BIGINT NOT NULL REFERENCES cases(id),
  unit_id BIGINT NOT NULL REFERENCES handling_units(id),
  days INTEGER NOT NULL CHECK (days > 0),
  reason TEXT NOT NULL,
  requested_at BIGINT NOT NULL,
  decision TEXT NOT NULL DEFAULT '' CHECK (decision IN ('', 'approved', 'refused')),
  decided_at BIGINT,
  decided_by BIGINT REFERENCES users(id)
);
CREATE INDEX case_extensions_case ON case_extensions(case_id);

-- "Me too": the users following a case (the reporter too).
CREATE TABLE case_followers (
  case_id BIGINT NOT NULL REFERENCES cases(id),
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  since BIGINT NOT NULL,
  PRIMARY KEY (case_id, user_id)
);
CREATE INDEX case_followers_user ON case_followers(user_id, case_id);

-- 约请会商: a meeting of the units involved in a case overdue or reopened twice, and its outcome.
CREATE TABLE case_consultations (
  id {{id}},
  case_id BIGINT NOT NULL REFERENCES cases(id),
  called_at BIGINT NOT NULL,
  reason TEXT NOT NULL,
  unit_ids TEXT NOT NULL DEFAULT '[]',
  outcome TEXT NOT NULL DEFAULT '',
  outcome_at BIGINT,
  outcome_by BIGINT REFERENCES users(id)
);
CREATE INDEX case_consultations_case ON case_consultations(case_id);

-- Background work, claimed with a conditional UPDATE (next_run_at due and the lock free or expired), so that any
-- number of servers can share one database: exactly one of them runs a due job.
CREATE TABLE jobs (
  name TEXT PRIMARY KEY,
  interval_seconds INTEGER NOT NULL CHECK (interval_seconds > 0),
  next_run_at BIGINT NOT NULL DEFAULT 0,
  locked_by TEXT NOT NULL DEFAULT '',
  locked_until BIGINT NOT NULL DEFAULT 0,
  last_run_at BIGINT NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT ''
);
