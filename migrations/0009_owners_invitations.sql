-- Real owners linked to accounts (docs/ROSTER.md "Invitation letters and claims"): staff print an invitation letter for
-- an owner of the roster, the owner claims its one-time code from their own account, and owners.user_id (0001) is
-- set. The code itself is never stored, only its SHA-256. A letter printed again replaces the open code
-- (replaced_at); a claimed code is used (used_at, used_by); past expires_at it is refused.
CREATE TABLE owner_invitations (
  id {{id}},
  owner_id BIGINT NOT NULL REFERENCES owners(id),
  code_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  created_by BIGINT REFERENCES users(id),
  expires_at BIGINT NOT NULL,
  used_at BIGINT,
  used_by BIGINT REFERENCES users(id),
  replaced_at BIGINT
);
CREATE INDEX owner_invitations_owner ON owner_invitations(owner_id, id);

-- Wrong codes tried by an account, for the claim limit (counted over the last hour).
CREATE TABLE owner_claim_failures (
  id {{id}},
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  at BIGINT NOT NULL
);
CREATE INDEX owner_claim_failures_user ON owner_claim_failures(user_id, at);
