-- Live chat: a chat is a thread of channel 'chat', with the same messages,
-- notes, themes, flag and handover as mail. Guests chat without registering:
-- a throwaway help-seeker account (no nickname, password or email) with its
-- own data key, deleted together with its chats by the transcript retention.

ALTER TABLE threads ADD COLUMN channel TEXT COLLATE "C" NOT NULL DEFAULT 'mail' CHECK (channel IN ('mail', 'chat'));
-- When a counsellor accepted the chat (for the waiting time) and when it ended.
ALTER TABLE threads ADD COLUMN accepted_at BIGINT;
ALTER TABLE threads ADD COLUMN ended_at BIGINT;
-- The live queue, oldest first, per office.
CREATE INDEX threads_live_queue ON threads (office_id, created_at, id) WHERE status = 'open' AND channel = 'chat';

-- A chat message carries the number its sender's browser gave it, so that a
-- message sent again after a lost connection is stored once.
ALTER TABLE messages ADD COLUMN client_id TEXT COLLATE "C";
CREATE UNIQUE INDEX messages_client ON messages (thread_id, from_seeker, coalesce(author_id, ''), client_id) WHERE client_id IS NOT NULL;

ALTER TABLE accounts ADD COLUMN guest BIGINT NOT NULL DEFAULT 0;

-- The anonymous statistics of a chat: how long it waited and how long it ran,
-- in coarse buckets.
ALTER TABLE contact_facts ADD COLUMN wait TEXT COLLATE "C";
ALTER TABLE contact_facts ADD COLUMN duration TEXT COLLATE "C";
