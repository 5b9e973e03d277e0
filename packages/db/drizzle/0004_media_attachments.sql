CREATE TABLE "media_attachments" (
	"id" bigint PRIMARY KEY DEFAULT snowflake_id() NOT NULL,
	"account_id" bigint NOT NULL,
	"status_id" bigint,
	"position" smallint,
	"type" text DEFAULT 'image' NOT NULL,
	"processing" text DEFAULT 'pending' NOT NULL,
	"failure_reason" text,
	"incoming_key" text,
	"original_key" text,
	"small_key" text,
	"meta" jsonb,
	"description" text,
	"focus_x" real DEFAULT 0 NOT NULL,
	"focus_y" real DEFAULT 0 NOT NULL,
	"blurhash" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone,
	CONSTRAINT "media_attachments_type" CHECK ("media_attachments"."type" in ('image')),
	CONSTRAINT "media_attachments_processing" CHECK ("media_attachments"."processing" in ('pending', 'processed', 'failed')),
	CONSTRAINT "media_attachments_description_length" CHECK (char_length("media_attachments"."description") <= 1500),
	CONSTRAINT "media_attachments_focus" CHECK ("media_attachments"."focus_x" between -1 and 1 and "media_attachments"."focus_y" between -1 and 1),
	CONSTRAINT "media_attachments_position" CHECK ("media_attachments"."position" between 0 and 3)
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "avatar_key" text;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "header_key" text;--> statement-breakpoint
ALTER TABLE "media_attachments" ADD CONSTRAINT "media_attachments_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "media_attachments" ADD CONSTRAINT "media_attachments_status_id_statuses_id_fk" FOREIGN KEY ("status_id") REFERENCES "public"."statuses"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "media_attachments_status_idx" ON "media_attachments" USING btree ("status_id","position") WHERE "media_attachments"."status_id" is not null;--> statement-breakpoint
CREATE INDEX "media_attachments_account_idx" ON "media_attachments" USING btree ("account_id","id");--> statement-breakpoint
CREATE INDEX "media_attachments_unattached_idx" ON "media_attachments" USING btree ("created_at") WHERE "media_attachments"."status_id" is null;