-- The rate limit on anonymous intake (docs/CASES.md "Rate limit on anonymous intake"): one row per accepted case
-- per limited subject, the client address ("a:") and the contact phone ("p:"), each as a SHA-256 of its value, so
-- that no address or phone number is kept here in clear. Rows older than a day are pruned by the job
-- "cases.intake_limits".
CREATE TABLE intake_limit_hits (
  id {{id}},
  subject TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX intake_limit_hits_subject ON intake_limit_hits(subject, at);
CREATE INDEX intake_limit_hits_at ON intake_limit_hits(at);
