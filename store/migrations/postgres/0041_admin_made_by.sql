-- Who made an admin who waits for approval: while the office has another
-- admin, the one who made them may not approve them too
-- (counselling.MayApproveAdmin).
ALTER TABLE accounts ADD COLUMN made_by TEXT COLLATE "C";
