-- Appointments: a counsellor's free slots, which a registered help-seeker
-- books. A slot is booked by one conditional update (seeker_id IS NULL), so
-- of two bookings at once exactly one wins. A cancelled slot stays, so that
-- the other side is told on their pages; it no longer takes up its time.
CREATE TABLE appointment_slots (
	id            TEXT COLLATE "C"    PRIMARY KEY,
	office_id     BIGINT NOT NULL REFERENCES offices(id),
	counsellor_id TEXT COLLATE "C"    NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	start_at      BIGINT NOT NULL,
	minutes       BIGINT NOT NULL CHECK (minutes BETWEEN 1 AND 1440),
	kind          TEXT COLLATE "C"    NOT NULL CHECK (kind IN ('chat', 'video')),
	seeker_id     TEXT COLLATE "C"    REFERENCES accounts(id) ON DELETE SET NULL,
	booked_at     BIGINT,
	cancelled_at  BIGINT,
	cancelled_by  TEXT COLLATE "C"    CHECK (cancelled_by IN ('counsellor', 'seeker')),
	chat_id       TEXT COLLATE "C"    REFERENCES threads(id) ON DELETE SET NULL,
	created_at    BIGINT NOT NULL
);
CREATE INDEX appointment_slots_counsellor ON appointment_slots (counsellor_id, start_at);
CREATE INDEX appointment_slots_office ON appointment_slots (office_id, start_at);
CREATE INDEX appointment_slots_seeker ON appointment_slots (seeker_id, start_at) WHERE seeker_id IS NOT NULL;
