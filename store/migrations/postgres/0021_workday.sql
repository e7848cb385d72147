-- The counsellor's working day: each office's answer-time promise, time zone,
-- opening hours and holidays; each thread's due time; counsellors' duty
-- roster and absences with a stand-in. Times are Unix seconds (UTC); opening
-- and duty hours are minutes after local midnight in the office's time zone,
-- days are written 2026-12-24.

ALTER TABLE offices ADD COLUMN time_zone TEXT COLLATE "C" NOT NULL DEFAULT 'Europe/Berlin';
ALTER TABLE offices ADD COLUMN promise_amount BIGINT NOT NULL DEFAULT 2;
ALTER TABLE offices ADD COLUMN promise_unit TEXT COLLATE "C" NOT NULL DEFAULT 'working-days'
	CHECK (promise_unit IN ('working-days', 'hours'));
-- A new enquiry goes to the counsellor on duty with the lightest load.
ALTER TABLE offices ADD COLUMN auto_assign BIGINT NOT NULL DEFAULT 0;

-- One row per weekday (0 Sunday … 6 Saturday) the office opens.
CREATE TABLE opening_hours (
	office_id BIGINT NOT NULL REFERENCES offices(id) ON DELETE CASCADE,
	weekday   BIGINT NOT NULL CHECK (weekday BETWEEN 0 AND 6),
	opens     BIGINT NOT NULL CHECK (opens BETWEEN 0 AND 1440),
	closes    BIGINT NOT NULL CHECK (closes BETWEEN 0 AND 1440),
	CHECK (closes > opens),
	PRIMARY KEY (office_id, weekday)
);
INSERT INTO opening_hours (office_id, weekday, opens, closes)
	SELECT o.id, d.weekday, 540, 1020 FROM offices o,
	(SELECT 1 AS weekday UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5) d;

CREATE TABLE office_holidays (
	office_id BIGINT NOT NULL REFERENCES offices(id) ON DELETE CASCADE,
	day       TEXT COLLATE "C"    NOT NULL,
	PRIMARY KEY (office_id, day)
);

-- When the answer to the help-seeker's waiting message is due; NULL while
-- nothing waits for an answer (and for threads written before due times were
-- kept). delay_noticed_at: when the help-seeker was told the answer is late,
-- so that they are told once for each waiting message.
ALTER TABLE threads ADD COLUMN due_at BIGINT;
ALTER TABLE threads ADD COLUMN delay_noticed_at BIGINT;
CREATE INDEX threads_due ON threads (office_id, due_at) WHERE due_at IS NOT NULL AND status <> 'closed';

-- A counsellor's weekly duty times.
CREATE TABLE duty_times (
	id         TEXT COLLATE "C"    PRIMARY KEY,
	office_id  BIGINT NOT NULL REFERENCES offices(id) ON DELETE CASCADE,
	account_id TEXT COLLATE "C"    NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	weekday    BIGINT NOT NULL CHECK (weekday BETWEEN 0 AND 6),
	starts     BIGINT NOT NULL CHECK (starts BETWEEN 0 AND 1440),
	ends       BIGINT NOT NULL CHECK (ends BETWEEN 0 AND 1440),
	CHECK (ends > starts)
);
CREATE INDEX duty_times_office ON duty_times (office_id, weekday);

-- An exception for one day replaces the counsellor's weekly times of that
-- day: on duty from starts to ends, or off the whole day (starts = ends = 0).
CREATE TABLE duty_exceptions (
	id         TEXT COLLATE "C"    PRIMARY KEY,
	office_id  BIGINT NOT NULL REFERENCES offices(id) ON DELETE CASCADE,
	account_id TEXT COLLATE "C"    NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	day        TEXT COLLATE "C"    NOT NULL,
	starts     BIGINT NOT NULL CHECK (starts BETWEEN 0 AND 1440),
	ends       BIGINT NOT NULL CHECK (ends BETWEEN 0 AND 1440),
	CHECK (ends > starts OR (starts = 0 AND ends = 0))
);
CREATE INDEX duty_exceptions_office ON duty_exceptions (office_id, day);

-- A counsellor's absence: from starts_at until ends_at the stand-in, a
-- colleague of the same office, reads and answers their threads.
CREATE TABLE absences (
	id          TEXT COLLATE "C"    PRIMARY KEY,
	office_id   BIGINT NOT NULL REFERENCES offices(id) ON DELETE CASCADE,
	account_id  TEXT COLLATE "C"    NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	stand_in_id TEXT COLLATE "C"    NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	starts_at   BIGINT NOT NULL,
	ends_at     BIGINT NOT NULL,
	created_at  BIGINT NOT NULL,
	CHECK (ends_at > starts_at),
	CHECK (stand_in_id <> account_id)
);
CREATE INDEX absences_stand_in ON absences (stand_in_id, ends_at);
CREATE INDEX absences_account ON absences (account_id, ends_at);
