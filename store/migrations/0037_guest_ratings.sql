-- A guest rates their chat, and answers the survey after it, once the chat
-- is over, although their session ends with it: the chat keeps the SHA-256
-- of the guest's pass (counselling.GuestPass), which only pages rendered for
-- the guest's own session hold. It goes with the chat.
ALTER TABLE threads ADD COLUMN guest_pass BLOB;
