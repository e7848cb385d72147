-- How an office's pages speak beyond the language: German with "Sie" instead
-- of "du", and an easy-language version of the help-seeker pages that a
-- help-seeker may choose (remembered with their account, like the language).

ALTER TABLE offices ADD COLUMN formal_german BIGINT NOT NULL DEFAULT 0 CHECK (formal_german IN (0, 1));
ALTER TABLE offices ADD COLUMN easy_language BIGINT NOT NULL DEFAULT 0 CHECK (easy_language IN (0, 1));
ALTER TABLE accounts ADD COLUMN easy_language BIGINT NOT NULL DEFAULT 0 CHECK (easy_language IN (0, 1));
