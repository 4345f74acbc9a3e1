-- A phone login's standing (auth::User::phone_state, src/platform/contacts): 'pending' from a sign-up on a server
-- with an SMS gateway until the code sent to the number comes back, then 'verified'; 'unchecked' where no code could
-- be sent (no gateway at sign-up, an account made by staff or the command line, accounts made before this
-- migration). A pending phone is not shown as the person's and does not count where a person stands for themselves
-- (claiming an owner's invitation, "me too", objections): auth::RequireSettledPhone.
ALTER TABLE users ADD COLUMN phone_state TEXT NOT NULL DEFAULT 'unchecked'
  CHECK (phone_state IN ('unchecked', 'pending', 'verified'));
ALTER TABLE users ADD COLUMN phone_verified_at BIGINT NOT NULL DEFAULT 0;
