-- The foundation: accounts, sessions, roles, the area tree with units and owners, the audit chain, the events
-- timeline and the links between objects. Times are integer seconds since the Unix epoch (UTC).
-- Areas are fixed-point integers in 0.01 m² (column suffix _centi).

CREATE TABLE users (
  id {{id}},
  username TEXT UNIQUE,
  phone TEXT UNIQUE,
  display_name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  locale TEXT NOT NULL DEFAULT 'zh-CN',
  disabled INTEGER NOT NULL DEFAULT 0,
  failed_sign_ins INTEGER NOT NULL DEFAULT 0,
  locked_until BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  CHECK (username IS NOT NULL OR phone IS NOT NULL)
);

-- Server-side sessions. The cookie holds a random token; the table holds only its hash.
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Personal access tokens for API clients (Authorization: Bearer ...). Only the hash is kept.
CREATE TABLE api_tokens (
  id {{id}},
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT NOT NULL DEFAULT 0,
  revoked_at BIGINT NOT NULL DEFAULT 0
);

-- Failed sign-in attempts per source address, for the rate limit.
CREATE TABLE sign_in_attempts (
  id {{id}},
  remote TEXT NOT NULL,
  login TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX sign_in_attempts_remote ON sign_in_attempts(remote, at);

-- The tree: district -> subdistrict -> neighborhood -> building -> entrance. Units hang under entrances.
-- subkind: subdistrict 'street' | 'town'; neighborhood class 'commodity' | 'sold_public' | 'old_lane' | 'mixed'.
CREATE TABLE areas (
  id {{id}},
  parent_id BIGINT REFERENCES areas(id),
  kind TEXT NOT NULL CHECK (kind IN ('district', 'subdistrict', 'neighborhood', 'building', 'entrance')),
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  subkind TEXT NOT NULL DEFAULT '',
  signature_project TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT '',
  floors INTEGER NOT NULL DEFAULT 0,
  sort_key INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX areas_parent ON areas(parent_id, sort_key, id);
CREATE INDEX areas_kind ON areas(kind, id);

-- The ancestors of every area (itself included, depth 0), so that "is X inside Y" is one indexed lookup.
CREATE TABLE area_paths (
  ancestor_id BIGINT NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
  descendant_id BIGINT NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
  depth INTEGER NOT NULL,
  PRIMARY KEY (ancestor_id, descendant_id)
);
CREATE INDEX area_paths_descendant ON area_paths(descendant_id, depth);

CREATE TABLE units (
  id {{id}},
  entrance_id BIGINT NOT NULL REFERENCES areas(id),
  building_id BIGINT NOT NULL REFERENCES areas(id),
  number TEXT NOT NULL,
  floor INTEGER NOT NULL DEFAULT 0,
  area_centi BIGINT NOT NULL CHECK (area_centi > 0),
  developer_unsold INTEGER NOT NULL DEFAULT 0,
  UNIQUE (building_id, number)
);
CREATE INDEX units_entrance ON units(entrance_id);

CREATE TABLE owners (
  id {{id}},
  name TEXT NOT NULL,
  phone TEXT NOT NULL DEFAULT '',
  user_id BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL
);
CREATE INDEX owners_user ON owners(user_id);

CREATE TABLE unit_owners (
  unit_id BIGINT NOT NULL REFERENCES units(id) ON DELETE CASCADE,
  owner_id BIGINT NOT NULL REFERENCES owners(id),
  PRIMARY KEY (unit_id, owner_id)
);
CREATE INDEX unit_owners_owner ON unit_owners(owner_id);

-- Residents of neighborhoods (owners or not).
CREATE TABLE residencies (
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  area_id BIGINT NOT NULL REFERENCES areas(id),
  since BIGINT NOT NULL,
  PRIMARY KEY (user_id, area_id)
);

-- Roles scoped to an area of the tree: a grant on an area covers everything below it.
CREATE TABLE role_grants (
  id {{id}},
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('resident', 'building_leader', 'neighborhood_staff', 'subdistrict_staff',
                                     'district_admin', 'deputy', 'legislative_liaison', 'organization_member')),
  area_id BIGINT NOT NULL REFERENCES areas(id),
  granted_by BIGINT REFERENCES users(id),
  granted_at BIGINT NOT NULL,
  revoked_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX role_grants_user ON role_grants(user_id, revoked_at);
CREATE UNIQUE INDEX role_grants_active ON role_grants(user_id, role, area_id, revoked_at);

-- The audit chain: every state change, in the same transaction as the change. hash = SHA-256 over the previous
-- hash and this record's fields; audit_head serializes writers and remembers the end of the chain.
CREATE TABLE audit_log (
  id BIGINT PRIMARY KEY,
  at BIGINT NOT NULL,
  actor_id BIGINT,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  object_ref TEXT NOT NULL,
  summary TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_log_object ON audit_log(object_ref, id);

CREATE TABLE audit_head (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  last_id BIGINT NOT NULL,
  last_hash TEXT NOT NULL
);
INSERT INTO audit_head (singleton, last_id, last_hash) VALUES (1, 0, '');

-- One timeline for every object: what happened to case:1042, who did it, and a note.
CREATE TABLE events (
  id {{id}},
  object_ref TEXT NOT NULL,
  at BIGINT NOT NULL,
  actor_id BIGINT,
  kind TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_object ON events(object_ref, id);

-- The chain between objects: case:1 became suggestion:7; project:3 decided_by ballot:12.
CREATE TABLE links (
  from_ref TEXT NOT NULL,
  relation TEXT NOT NULL CHECK (relation IN ('became', 'refers_to', 'decided_by', 'implements', 'duplicate_of',
                                             'answered_by')),
  to_ref TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by BIGINT,
  PRIMARY KEY (from_ref, relation, to_ref)
);
CREATE INDEX links_to ON links(to_ref);

-- Small persistent settings (the secret that signs CSRF tokens, the demo seed).
CREATE TABLE settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
