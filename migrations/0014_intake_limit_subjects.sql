-- One row per subject of the anonymous-intake limit (intake_limit_hits.subject), locked by each reservation so that
-- the check and the count of one subject are one step (intake_limits.h): concurrent intakes of one client are
-- counted one after the other. last_at is the last reservation; rows a day old are pruned with the hits.
CREATE TABLE intake_limit_subjects (
  subject TEXT PRIMARY KEY,
  last_at BIGINT NOT NULL
);
CREATE INDEX intake_limit_subjects_last_at ON intake_limit_subjects(last_at);
