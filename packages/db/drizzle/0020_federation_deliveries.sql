CREATE TABLE "federation_deliveries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"event_id" uuid NOT NULL,
	"inbox_url" text NOT NULL,
	"host" text NOT NULL,
	"sender_account_id" bigint NOT NULL,
	"activity" jsonb NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"leased_until" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "federation_deliveries_state" CHECK ("federation_deliveries"."state" in ('pending', 'delivered', 'failed'))
);
--> statement-breakpoint
ALTER TABLE "federation_deliveries" ADD CONSTRAINT "federation_deliveries_sender_account_id_accounts_id_fk" FOREIGN KEY ("sender_account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "federation_deliveries_event_inbox_idx" ON "federation_deliveries" USING btree ("event_id","inbox_url");--> statement-breakpoint
CREATE INDEX "federation_deliveries_due_idx" ON "federation_deliveries" USING btree ("next_attempt_at") WHERE "federation_deliveries"."state" = 'pending';--> statement-breakpoint
CREATE INDEX "federation_deliveries_finished_idx" ON "federation_deliveries" USING btree ("finished_at");