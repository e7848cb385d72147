-- Conversations held by staff who were disabled before disabling returned
-- them to the queue wait for someone who will never answer: they go back to
-- the office's open queue now, with their notes, as disabling does from now
-- on. Closed ones and chats stay as they are.
UPDATE threads SET counsellor_id = NULL, status = 'open'
	WHERE channel = 'mail' AND status != 'closed'
	AND counsellor_id IN (SELECT id FROM accounts WHERE kind = 'staff' AND disabled = 1);
