-- Device notifications: the push subscriptions of help-seekers, one per device
-- that opted in. A subscription names the push service's endpoint for that one
-- browser, which is personal: it is sealed under the account's data key. A
-- notification waiting in the outbox for a device refers to its subscription
-- and goes with it when the device opts out.
CREATE TABLE push_subscriptions (
	id           INTEGER PRIMARY KEY,
	account_id   TEXT    NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	subscription BLOB    NOT NULL,
	created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX push_subscriptions_account ON push_subscriptions (account_id);

ALTER TABLE outbox ADD COLUMN subscription_id INTEGER REFERENCES push_subscriptions(id) ON DELETE CASCADE;
CREATE INDEX outbox_subscription ON outbox (subscription_id) WHERE subscription_id IS NOT NULL;
