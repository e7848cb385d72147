-- Wrong passwords count per account in a window of fixed length that opens at
-- the first failure (failed_logins and last_failed_at already exist); wrong
-- second-factor codes count per account as well as per half-finished login.
-- The per-client counts are kept in memory only and never reach this file.
ALTER TABLE accounts ADD COLUMN failed_since BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN totp_failures BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN totp_failed_since BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN totp_last_failed_at BIGINT NOT NULL DEFAULT 0;
-- Failures counted before this version had no window; they start afresh.
UPDATE accounts SET failed_logins = 0, last_failed_at = 0;
