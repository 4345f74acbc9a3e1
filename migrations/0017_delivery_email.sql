-- Email and text messages (src/platform/delivery, src/platform/contacts, src/platform/notify/mail.cc): an account's
-- verified email address, the one-time codes that verify a contact, the outbox every message goes out through, and
-- the notifications' email state.

-- The address an account receives email at, set only by a verified code (contacts); lowercased. A verified address
-- belongs to one account.
ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE users ADD COLUMN email_verified_at BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX users_email ON users(email);
-- How notifications reach the address: 'each' (one email each), 'daily' (one digest a day), 'off'.
ALTER TABLE users ADD COLUMN email_mode TEXT NOT NULL DEFAULT 'each' CHECK (email_mode IN ('each', 'daily', 'off'));

-- One-time codes sent to verify a contact. Only a keyed hash of the code is kept; a code ends when used, after
-- kMaxCodeAttempts wrong tries, or at expires_at. `client` is the keyed hash of the requesting address (the limits).
CREATE TABLE contact_codes (
  id {{id}},
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
  address TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  client TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  used_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX contact_codes_user ON contact_codes(user_id, channel, id);
CREATE INDEX contact_codes_address ON contact_codes(address, created_at);
CREATE INDEX contact_codes_client ON contact_codes(client, created_at);

-- The outbox: a message is written here in the transaction that decided to send it, and the job delivery.send
-- sends it, retrying with growing waits; after the last attempt it is 'dead' (kept, listed for the administrators,
-- sent again on request). Nothing is lost while the mail server or the gateway is down.
CREATE TABLE deliveries (
  id {{id}},
  user_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
  channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL,
  purpose TEXT NOT NULL,  -- 'notification', 'digest', 'code'
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  locked_until BIGINT NOT NULL DEFAULT 0,  -- a sender's claim on the row while it sends
  last_error TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  sent_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX deliveries_due ON deliveries(state, next_attempt_at);

-- A notification's email: 'new' (not decided yet; the fan-out writes every notification so), 'digest' (waits for
-- the person's daily digest), 'mailed' (in the outbox), 'none' (no email: no verified address, the kind's email off,
-- read before the digest). Notifications made before this migration are 'none'.
ALTER TABLE notifications ADD COLUMN mail_state TEXT NOT NULL DEFAULT 'none';
CREATE INDEX notifications_mail ON notifications(mail_state, user_id, id);

-- The day (Shanghai, "2026-12-03") of each person's last digest: claimed once per day and person.
CREATE TABLE notify_digests (
  user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  last_day TEXT NOT NULL
);
