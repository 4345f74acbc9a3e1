-- Residents asking to join a neighborhood, staff approving (docs/ROSTER.md "Residents asking to join"), and where a
-- resident role came from, so that an unlink or a refusal takes back only what it gave.
--
-- role_grants.origin: '' for a grant by hand (`ningju user grant`, the roles page, the demo); 'owner' when an
-- invitation claim or a link by hand made the account a resident; 'join' when staff approved a join request. Grants
-- made before this migration keep ''.
ALTER TABLE role_grants ADD COLUMN origin TEXT NOT NULL DEFAULT '';

-- One request of an account to be a resident of a neighborhood. state: 'pending' until staff approve or refuse it
-- or its author withdraws it. The building and the unit are what the resident says, to help staff find the owner;
-- owner_id is the roster owner staff linked when approving.
CREATE TABLE join_requests (
  id {{id}},
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  neighborhood_id BIGINT NOT NULL REFERENCES areas(id),
  building_id BIGINT REFERENCES areas(id),
  unit_number TEXT NOT NULL DEFAULT '',
  message TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'refused', 'withdrawn')),
  created_at BIGINT NOT NULL,
  decided_at BIGINT,
  decided_by BIGINT REFERENCES users(id),
  reason TEXT NOT NULL DEFAULT '',
  owner_id BIGINT REFERENCES owners(id)
);
CREATE INDEX join_requests_area ON join_requests(neighborhood_id, state, id);
CREATE INDEX join_requests_user ON join_requests(user_id, id);
-- At most one pending request per account and neighborhood, also when two arrive at once.
CREATE UNIQUE INDEX join_requests_one_pending ON join_requests(user_id, neighborhood_id) WHERE state = 'pending';
