-- Appointments: a counsellor's free slots, which a registered help-seeker
-- books. A slot is booked by one conditional update (seeker_id IS NULL), so
-- of two bookings at once exactly one wins. A cancelled slot stays, so that
-- the other side is told on their pages; it no longer takes up its time.
CREATE TABLE appointment_slots (
	id            TEXT    PRIMARY KEY,
	office_id     INTEGER NOT NULL REFERENCES offices(id),
	counsellor_id TEXT    NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	start_at      INTEGER NOT NULL,
	minutes       INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 1440),
	kind          TEXT    NOT NULL CHECK (kind IN ('chat', 'video')),
	seeker_id     TEXT    REFERENCES accounts(id) ON DELETE SET NULL,
	booked_at     INTEGER,
	cancelled_at  INTEGER,
	cancelled_by  TEXT    CHECK (cancelled_by IN ('counsellor', 'seeker')),
	chat_id       TEXT    REFERENCES threads(id) ON DELETE SET NULL,
	created_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX appointment_slots_counsellor ON appointment_slots (counsellor_id, start_at);
CREATE INDEX appointment_slots_office ON appointment_slots (office_id, start_at);
CREATE INDEX appointment_slots_seeker ON appointment_slots (seeker_id, start_at) WHERE seeker_id IS NOT NULL;
