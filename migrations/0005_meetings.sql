-- Meetings (docs/MEETINGS.md): the kinds (configurable), meetings with their notice and agenda, registrations,
-- sign-in (attendance by role), decisions with an optional show-of-hands count, and follow-up actions.
-- Times are integer seconds since the Unix epoch (UTC); due dates are calendar dates 'YYYY-MM-DD' (Asia/Shanghai).

-- notice_days: how many whole days before its start a meeting of this kind must be noticed (0: any time before).
CREATE TABLE meeting_kinds (
  code TEXT PRIMARY KEY,
  name_zh TEXT NOT NULL,
  name_en TEXT NOT NULL,
  notice_days INTEGER NOT NULL DEFAULT 0 CHECK (notice_days >= 0 AND notice_days <= 90),
  sort_key INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1
);
INSERT INTO meeting_kinds (code, name_zh, name_en, notice_days, sort_key) VALUES
  ('consultation', '征询会', 'Consultation', 0, 1),
  ('hearing', '听证会', 'Hearing', 3, 2),
  ('coordination', '协调会', 'Coordination meeting', 0, 3),
  ('review', '评议会', 'Review meeting', 0, 4),
  ('residents_meeting', '居民会议', 'Residents'' meeting', 3, 5),
  ('owners_assembly', '业主大会', 'Owners'' assembly', 15, 6);

-- area_id: the neighborhood or one of its buildings; neighborhood_id: the neighborhood itself (for its list and
-- calendar feed). sequence counts the changes to a noticed meeting (iCalendar SEQUENCE).
CREATE TABLE meetings (
  id {{id}},
  kind TEXT NOT NULL REFERENCES meeting_kinds(code),
  subject TEXT NOT NULL,
  area_id BIGINT NOT NULL REFERENCES areas(id),
  neighborhood_id BIGINT NOT NULL REFERENCES areas(id),
  convener_id BIGINT NOT NULL REFERENCES users(id),
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  place TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('draft', 'noticed', 'held', 'minuted', 'cancelled')),
  noticed_at BIGINT NOT NULL DEFAULT 0,
  held_at BIGINT NOT NULL DEFAULT 0,
  minutes TEXT NOT NULL DEFAULT '',
  minuted_at BIGINT NOT NULL DEFAULT 0,
  cancelled_at BIGINT NOT NULL DEFAULT 0,
  cancel_reason TEXT NOT NULL DEFAULT '',
  sequence INTEGER NOT NULL DEFAULT 0,
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  CHECK (ends_at > starts_at)
);
CREATE INDEX meetings_neighborhood ON meetings(neighborhood_id, starts_at, id);

CREATE TABLE meeting_agenda_items (
  meeting_id BIGINT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  title TEXT NOT NULL,
  PRIMARY KEY (meeting_id, position)
);

-- Residents who signed up in advance; role is what they come as ('resident' or 'owner').
CREATE TABLE meeting_registrations (
  meeting_id BIGINT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id),
  role TEXT NOT NULL,
  registered_at BIGINT NOT NULL,
  PRIMARY KEY (meeting_id, user_id)
);

-- The sign-in sheet: a person with an account (user_id) or a walk-in known by name only.
CREATE TABLE meeting_attendance (
  id {{id}},
  meeting_id BIGINT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
  user_id BIGINT REFERENCES users(id),
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('resident', 'owner', 'deputy', 'staff', 'organization', 'guest')),
  signed_in_at BIGINT NOT NULL,
  recorded_by BIGINT REFERENCES users(id)
);
CREATE INDEX meeting_attendance_meeting ON meeting_attendance(meeting_id, id);
CREATE UNIQUE INDEX meeting_attendance_user ON meeting_attendance(meeting_id, user_id) WHERE user_id IS NOT NULL;

-- A decision; the show-of-hands counts are NULL when the decision was not put to a show of hands.
CREATE TABLE meeting_decisions (
  id {{id}},
  meeting_id BIGINT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
  text TEXT NOT NULL,
  votes_for INTEGER CHECK (votes_for >= 0),
  votes_against INTEGER CHECK (votes_against >= 0),
  votes_abstain INTEGER CHECK (votes_abstain >= 0),
  recorded_at BIGINT NOT NULL,
  recorded_by BIGINT REFERENCES users(id)
);
CREATE INDEX meeting_decisions_meeting ON meeting_decisions(meeting_id, id);

CREATE TABLE meeting_actions (
  id {{id}},
  meeting_id BIGINT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  assignee_id BIGINT NOT NULL REFERENCES users(id),
  due_date TEXT NOT NULL,
  done INTEGER NOT NULL DEFAULT 0,
  done_at BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  created_by BIGINT REFERENCES users(id)
);
CREATE INDEX meeting_actions_meeting ON meeting_actions(meeting_id, id);
CREATE INDEX meeting_actions_assignee ON meeting_actions(assignee_id, done);
