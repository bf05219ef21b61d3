-- A patient's own say over how the clinic reaches them: channels in the order they prefer, and
-- channels they do not want to be messaged on at all.
ALTER TABLE "Patient" ADD COLUMN "preferredChannels" "MessageChannel"[] NOT NULL DEFAULT ARRAY[]::"MessageChannel"[];
ALTER TABLE "Patient" ADD COLUMN "optedOutChannels" "MessageChannel"[] NOT NULL DEFAULT ARRAY[]::"MessageChannel"[];
