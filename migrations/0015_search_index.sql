-- Site-wide search (src/platform/search): one document per searchable object (a case, a meeting, a ballot, an
-- elevator project, an area; later modules register their kinds), its text as the text engine's tokens. The
-- dialect's index over `tokens` (an FTS5 table search_fts on SQLite, a GIN index over to_tsvector on PostgreSQL) is
-- created by SearchService::Open, since the two have no common SQL. Who may see a document is never stored here: the
-- search joins the object's own row and asks the policy (auth/policy.h) about it.
CREATE TABLE search_docs (
  id {{id}},
  kind TEXT NOT NULL,
  object_id BIGINT NOT NULL,
  area_id BIGINT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  tokens TEXT NOT NULL,
  UNIQUE (kind, object_id)
);
CREATE INDEX search_docs_area ON search_docs(area_id);

-- How far each kind has been indexed: the newest updated_at seen (SearchService::Refresh re-reads a margin before it).
CREATE TABLE search_sources (
  kind TEXT PRIMARY KEY,
  watermark BIGINT NOT NULL DEFAULT 0
);

-- The refresh reads each kind's rows changed since its watermark.
CREATE INDEX cases_updated ON cases(updated_at);
CREATE INDEX meetings_updated ON meetings(updated_at);
CREATE INDEX ballots_updated ON ballots(updated_at);
CREATE INDEX elevator_projects_updated ON elevator_projects(updated_at);
CREATE INDEX areas_updated ON areas(updated_at);
