-- API tokens get an expiry and a scope; the sign-in lock becomes a growing wait (auth/accounts.h AccountOptions).
-- expires_at 0: never (only tokens made before this migration; new ones always expire). scope 'write' may do what the
-- user may; 'read' only GET and HEAD.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'write';
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- Counted attempts: failed sign-ins ('sign_in', subject = keyed hash of the login, source = keyed hash of the
-- address or 'device:' + a known device's id), accounts created ('sign_up', source = keyed hash of the address) and
-- wrong current passwords ('password', subject = 'user:ID'). Keyed with the server secret (HMAC), so the table
-- names no address or login in clear. Rows older than the window are pruned by the job "auth.prune".
CREATE TABLE auth_throttle (
  id {{id}},
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  source TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX auth_throttle_pair ON auth_throttle(kind, subject, source, at);
CREATE INDEX auth_throttle_source ON auth_throttle(kind, source, at);
CREATE INDEX auth_throttle_at ON auth_throttle(at);

-- The plain-text addresses and logins of the old limit, and the hard lock, are gone.
DROP TABLE sign_in_attempts;
UPDATE users SET failed_sign_ins = 0, locked_until = 0;
