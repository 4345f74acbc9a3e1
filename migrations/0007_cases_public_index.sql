-- A neighborhood's cases newest first, for its lists. CaseService::List filters a neighborhood by
-- cases.neighborhood_id (before: an EXISTS over area_paths per case, which no index serves: PostgreSQL walked all
-- cases newest first, about 31,000 at a million cases for one page of a neighborhood's public list, 300 ms).
-- cases_neighborhood puts the state before the id, so neither index below is redundant with it.

-- The public list (anonymous, or public only) and the building plot's counts: both equalities, then id order. It
-- also makes SQLite, which keeps no statistics here, prefer it to cases_public (is_public, id).
CREATE INDEX cases_neighborhood_public ON cases(neighborhood_id, is_public, id);

-- Lists of staff and others who see private cases too: the neighborhood's cases in id order, whatever the state.
CREATE INDEX cases_neighborhood_recent ON cases(neighborhood_id, id);
