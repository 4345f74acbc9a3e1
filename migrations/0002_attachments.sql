-- Files attached to any object (record/attachments.h): a case's photos, a paper ballot's scan, a proxy's written
-- authorization. Kept in the database so that a backup holds them and a transaction covers them.
CREATE TABLE attachments (
  id {{id}},
  object_ref TEXT NOT NULL,
  name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  data {{blob}} NOT NULL,
  thumbnail {{blob}},
  created_by BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE INDEX attachments_object ON attachments(object_ref, id);
