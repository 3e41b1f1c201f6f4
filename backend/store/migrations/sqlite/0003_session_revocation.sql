-- Sessions issued before this moment are refused: set when a password changes or an account is
-- disabled, so a stolen or old token stops working at once.
ALTER TABLE users ADD COLUMN sessions_valid_after TEXT;
