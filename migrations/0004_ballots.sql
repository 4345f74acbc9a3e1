-- Owners' ballots (表决, docs/BALLOTS.md): a ballot on one matter of 民法典 art. 278 ¶1 over a scope (a building, an
-- entrance, or a whole neighborhood's estate), its electorate frozen when it opens, the ballots cast (every one kept,
-- one current per voter), the stored result, and the objections against its public notice (公示).
-- The link owner <-> user is owners.user_id (0001).

CREATE TABLE ballots (
  id {{id}},
  area_id BIGINT NOT NULL REFERENCES areas(id),          -- the scope: a building, an entrance or a neighborhood
  neighborhood_id BIGINT NOT NULL REFERENCES areas(id),  -- the neighborhood the scope lies in (for its list)
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  matter INTEGER NOT NULL CHECK (matter BETWEEN 1 AND 9),  -- art. 278 ¶1 item
  state TEXT NOT NULL CHECK (state IN ('draft', 'open', 'closed')),
  closes_at BIGINT NOT NULL,           -- the announced end of voting; no ballot is accepted from then on
  notice_days INTEGER NOT NULL DEFAULT 7 CHECK (notice_days BETWEEN 1 AND 90),
  opened_at BIGINT NOT NULL DEFAULT 0,
  closed_at BIGINT NOT NULL DEFAULT 0,  -- also the start of the notice period
  result TEXT NOT NULL DEFAULT '',      -- the stored result (JSON), written once at closing
  passed INTEGER NOT NULL DEFAULT 0,
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX ballots_neighborhood ON ballots(neighborhood_id, id);

-- The electorate as it stood when the ballot opened: every unit in scope with its registered area and the voter it
-- belongs to. voter is 'o<owner id>' (the smallest id of the owners who hold units together or share a login),
-- 'developer' for the developer's unsold units, or 'u<unit id>' for a unit with no owner on record.
CREATE TABLE ballot_units (
  ballot_id BIGINT NOT NULL REFERENCES ballots(id) ON DELETE CASCADE,
  unit_id BIGINT NOT NULL REFERENCES units(id),
  label TEXT NOT NULL,
  area_centi BIGINT NOT NULL CHECK (area_centi > 0),
  developer_unsold INTEGER NOT NULL DEFAULT 0,
  voter TEXT NOT NULL,
  owner_names TEXT NOT NULL DEFAULT '',  -- as recorded at opening, joined with '、' (masked whenever shown in public)
  sort_key INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (ballot_id, unit_id)
);
CREATE INDEX ballot_units_voter ON ballot_units(ballot_id, voter);

-- Which owner records (and so which logins) speak for which voter of a ballot.
CREATE TABLE ballot_owners (
  ballot_id BIGINT NOT NULL REFERENCES ballots(id) ON DELETE CASCADE,
  owner_id BIGINT NOT NULL REFERENCES owners(id),
  voter TEXT NOT NULL,
  PRIMARY KEY (ballot_id, owner_id)
);

-- Every ballot cast. The current one of a voter is the latest; earlier ones stay as history (is_current = 0).
CREATE TABLE ballot_votes (
  id {{id}},
  ballot_id BIGINT NOT NULL REFERENCES ballots(id) ON DELETE CASCADE,
  voter TEXT NOT NULL,
  choice TEXT NOT NULL CHECK (choice IN ('agree', 'disagree', 'abstain')),
  channel TEXT NOT NULL CHECK (channel IN ('online', 'paper', 'proxy')),
  cast_at BIGINT NOT NULL,
  cast_by BIGINT REFERENCES users(id),  -- the owner online, or the staff member who entered the sheet
  proxy_name TEXT NOT NULL DEFAULT '',
  attachment_id BIGINT,                 -- the scanned sheet or the written authorization
  is_current INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX ballot_votes_current ON ballot_votes(ballot_id, voter) WHERE is_current = 1;
CREATE INDEX ballot_votes_ballot ON ballot_votes(ballot_id, voter, id);

-- Objections to the published notice, recorded while its period runs.
CREATE TABLE ballot_objections (
  id {{id}},
  ballot_id BIGINT NOT NULL REFERENCES ballots(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX ballot_objections_ballot ON ballot_objections(ballot_id, id);
