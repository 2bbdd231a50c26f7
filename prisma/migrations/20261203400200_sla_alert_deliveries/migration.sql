-- An SLA alert mail names the clock it is about (first_response / resolution): the mail reads the
-- ticket's due time for it when it is sent (src/sla/sla.mail.ts).
ALTER TABLE "email_deliveries" ADD COLUMN "sla_target" VARCHAR(20);
