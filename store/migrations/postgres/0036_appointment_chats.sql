-- A chat's page asks whether an appointment opened it (a video appointment
-- opens straight into its call), so the appointment is found by its chat.
CREATE INDEX appointment_slots_chat ON appointment_slots (chat_id) WHERE chat_id IS NOT NULL;
