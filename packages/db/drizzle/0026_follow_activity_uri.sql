ALTER TABLE "follows" ADD COLUMN "activity_uri" text;--> statement-breakpoint
ALTER TABLE "follow_requests" ADD COLUMN "activity_uri" text;