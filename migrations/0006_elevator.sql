-- Elevator retrofit (加装电梯, docs/ELEVATOR.md): one project per building going through ten dated steps, with the
-- intention survey's answers per unit, the cost shares per floor, the ballots and meetings of each step, and the
-- written objections to the plan notice. The plan's drawings are attachments on "elevator:<id>" (0002).

CREATE TABLE elevator_projects (
  id {{id}},
  building_id BIGINT NOT NULL REFERENCES areas(id),
  neighborhood_id BIGINT NOT NULL REFERENCES areas(id),
  title TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('active', 'stopped', 'completed')),
  stop_reason TEXT NOT NULL DEFAULT '',                 -- feasibility grade C: why the building is unsuitable
  plan_text TEXT NOT NULL DEFAULT '',
  uses_estate_common_parts INTEGER NOT NULL DEFAULT 0,  -- 1: the estate's owners vote too (沪建房管联〔2020〕801号)
  total_cost_cents BIGINT NOT NULL DEFAULT 0,           -- the agreed total cost, in fen
  notice_published_on TEXT NOT NULL DEFAULT '',         -- YYYY-MM-DD (Asia/Shanghai): the plan notice went up
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
-- At most one project under way per building; a stopped or completed one stays as history.
CREATE UNIQUE INDEX elevator_projects_active ON elevator_projects(building_id) WHERE state = 'active';
CREATE INDEX elevator_projects_building ON elevator_projects(building_id, id);

-- The ten steps of every project, created with it. position orders them; state: pending (not reached), current
-- (under way), done, skipped (the estate ballot when no common part of the estate is used).
CREATE TABLE elevator_steps (
  project_id BIGINT NOT NULL REFERENCES elevator_projects(id) ON DELETE CASCADE,
  step TEXT NOT NULL,
  position INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'current', 'done', 'skipped')),
  started_at BIGINT NOT NULL DEFAULT 0,
  completed_at BIGINT NOT NULL DEFAULT 0,
  completed_by BIGINT REFERENCES users(id),
  completed_by_name TEXT NOT NULL DEFAULT '',
  done_on TEXT NOT NULL DEFAULT '',  -- YYYY-MM-DD (Asia/Shanghai): when the step happened, as staff record it
  notes TEXT NOT NULL DEFAULT '',
  data TEXT NOT NULL DEFAULT '{}',   -- the step's own record (feasibility grade, ballot result...), JSON
  PRIMARY KEY (project_id, step)
);

-- The ballots ('ballot:<id>') and meetings ('meeting:<id>') of a step, in the order they were added.
CREATE TABLE elevator_step_refs (
  id {{id}},
  project_id BIGINT NOT NULL REFERENCES elevator_projects(id) ON DELETE CASCADE,
  step TEXT NOT NULL,
  ref TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by BIGINT REFERENCES users(id)
);
CREATE UNIQUE INDEX elevator_step_refs_unique ON elevator_step_refs(project_id, step, ref);

-- The intention survey (意愿征询): one answer per unit, the latest replacing the earlier.
CREATE TABLE elevator_survey_answers (
  project_id BIGINT NOT NULL REFERENCES elevator_projects(id) ON DELETE CASCADE,
  unit_id BIGINT NOT NULL REFERENCES units(id),
  answer TEXT NOT NULL CHECK (answer IN ('willing', 'unwilling', 'undecided')),
  channel TEXT NOT NULL CHECK (channel IN ('online', 'staff')),
  answered_by BIGINT REFERENCES users(id),
  answered_at BIGINT NOT NULL,
  PRIMARY KEY (project_id, unit_id)
);

-- The agreed share of the total cost per floor, in hundredths of a percent (10000 = 100.00%).
CREATE TABLE elevator_cost_shares (
  project_id BIGINT NOT NULL REFERENCES elevator_projects(id) ON DELETE CASCADE,
  floor INTEGER NOT NULL,
  share_centi BIGINT NOT NULL CHECK (share_centi BETWEEN 0 AND 10000),
  PRIMARY KEY (project_id, floor)
);

-- Written objections to the plan notice, as staff record them from the letters (the postmark date counts).
CREATE TABLE elevator_objections (
  id {{id}},
  project_id BIGINT NOT NULL REFERENCES elevator_projects(id) ON DELETE CASCADE,
  received_on TEXT NOT NULL,  -- YYYY-MM-DD, the postmark
  objector TEXT NOT NULL,
  body TEXT NOT NULL,
  recorded_by BIGINT REFERENCES users(id),
  recorded_at BIGINT NOT NULL
);
CREATE INDEX elevator_objections_project ON elevator_objections(project_id, id);
