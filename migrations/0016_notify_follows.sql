-- Following and in-site notifications (src/platform/notify, docs/ARCHITECTURE.md "src/platform"). An object is
-- followed by its reference ("case:12", "meeting:3", "ballot:5", "elevator:1", "area:40"), the same reference the
-- events timeline and the audit chain use; so a later module's objects are followed without a new table.
-- case_followers ("me too", 0003) stays what it is: the reporter and those affected too, which the policy lets see
-- the case. A follow here grants nothing; "me too" adds one (the bridge), and unfollowing leaves the "me too".
CREATE TABLE follows (
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  object_ref TEXT NOT NULL,
  since BIGINT NOT NULL,
  PRIMARY KEY (user_id, object_ref)
);
CREATE INDEX follows_object ON follows(object_ref, user_id);

-- One row per person and event: the unique index is what makes the fan-out exactly once.
CREATE TABLE notifications (
  id {{id}},
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  event_id BIGINT NOT NULL REFERENCES events(id),
  object_ref TEXT NOT NULL,
  kind TEXT NOT NULL,              -- "<object kind>.<event kind>", e.g. "case.reply"
  reason TEXT NOT NULL CHECK (reason IN ('follow', 'concerned')),
  title TEXT NOT NULL DEFAULT '',  -- the object's title and page when the event was fanned out
  path TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  read_at BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX notifications_once ON notifications(user_id, event_id);
CREATE INDEX notifications_inbox ON notifications(user_id, id);
CREATE INDEX notifications_unread ON notifications(user_id, read_at, id);

-- Per person, kind and channel ('site'; 'email' later): a row only where the person changed the default (on).
CREATE TABLE notification_settings (
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('site', 'email')),
  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  PRIMARY KEY (user_id, kind, channel)
);

-- The events fanned out above the watermark; an event's row is written in the same transaction as its
-- notifications, and a second runner's insert of the same event finds it and writes nothing.
CREATE TABLE notify_fanned (
  event_id BIGINT PRIMARY KEY
);
-- Every event up to watermark is fanned out (its notify_fanned rows are pruned). It moves only past events older
-- than an hour, so an event whose transaction committed after a later id's is never skipped.
CREATE TABLE notify_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  watermark BIGINT NOT NULL
);
-- On an existing database the history is not announced again: fan-out starts after the latest event.
INSERT INTO notify_state (id, watermark) SELECT 1, COALESCE(MAX(id), 0) FROM events;
