-- The language a person chose (or their browser asked for), for pages after
-- login and for notification mails.
ALTER TABLE accounts ADD COLUMN lang TEXT COLLATE "C" NOT NULL DEFAULT '';
