DROP INDEX "federation_deliveries_event_inbox_idx";--> statement-breakpoint
ALTER TABLE "federation_deliveries" ADD COLUMN "activity_index" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "federation_deliveries_event_activity_inbox_idx" ON "federation_deliveries" USING btree ("event_id","activity_index","inbox_url");