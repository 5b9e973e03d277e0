CREATE TABLE "poll_votes" (
	"id" bigint PRIMARY KEY DEFAULT snowflake_id() NOT NULL,
	"poll_id" bigint NOT NULL,
	"account_id" bigint NOT NULL,
	"choice" smallint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "polls" (
	"id" bigint PRIMARY KEY DEFAULT snowflake_id() NOT NULL,
	"status_id" bigint NOT NULL,
	"account_id" bigint NOT NULL,
	"options" text[] NOT NULL,
	"option_votes" integer[] NOT NULL,
	"multiple" boolean DEFAULT false NOT NULL,
	"hide_totals" boolean DEFAULT false NOT NULL,
	"votes_count" integer DEFAULT 0 NOT NULL,
	"voters_count" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"end_announced_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "polls_options_count" CHECK (cardinality("polls"."options") between 2 and 10)
);
--> statement-breakpoint
CREATE TABLE "status_edits" (
	"id" bigint PRIMARY KEY DEFAULT snowflake_id() NOT NULL,
	"status_id" bigint NOT NULL,
	"account_id" bigint NOT NULL,
	"text" text NOT NULL,
	"spoiler_text" text DEFAULT '' NOT NULL,
	"sensitive" boolean DEFAULT false NOT NULL,
	"poll_options" text[],
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "scheduled_statuses" (
	"id" bigint PRIMARY KEY DEFAULT snowflake_id() NOT NULL,
	"account_id" bigint NOT NULL,
	"scheduled_at" timestamp with time zone NOT NULL,
	"params" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "notifications" DROP CONSTRAINT "notifications_type";--> statement-breakpoint
ALTER TABLE "statuses" ADD COLUMN "edited_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "media_attachments" ADD COLUMN "scheduled_status_id" bigint;--> statement-breakpoint
ALTER TABLE "poll_votes" ADD CONSTRAINT "poll_votes_poll_id_polls_id_fk" FOREIGN KEY ("poll_id") REFERENCES "public"."polls"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "poll_votes" ADD CONSTRAINT "poll_votes_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "polls" ADD CONSTRAINT "polls_status_id_statuses_id_fk" FOREIGN KEY ("status_id") REFERENCES "public"."statuses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "polls" ADD CONSTRAINT "polls_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_edits" ADD CONSTRAINT "status_edits_status_id_statuses_id_fk" FOREIGN KEY ("status_id") REFERENCES "public"."statuses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_edits" ADD CONSTRAINT "status_edits_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scheduled_statuses" ADD CONSTRAINT "scheduled_statuses_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "poll_votes_poll_account_choice_key" ON "poll_votes" USING btree ("poll_id","account_id","choice");--> statement-breakpoint
CREATE UNIQUE INDEX "polls_status_key" ON "polls" USING btree ("status_id");--> statement-breakpoint
CREATE INDEX "polls_unannounced_end_idx" ON "polls" USING btree ("expires_at") WHERE "polls"."end_announced_at" is null;--> statement-breakpoint
CREATE INDEX "status_edits_status_idx" ON "status_edits" USING btree ("status_id","id");--> statement-breakpoint
CREATE INDEX "scheduled_statuses_due_idx" ON "scheduled_statuses" USING btree ("scheduled_at");--> statement-breakpoint
CREATE INDEX "scheduled_statuses_account_idx" ON "scheduled_statuses" USING btree ("account_id","id");--> statement-breakpoint
ALTER TABLE "media_attachments" ADD CONSTRAINT "media_attachments_scheduled_status_id_scheduled_statuses_id_fk" FOREIGN KEY ("scheduled_status_id") REFERENCES "public"."scheduled_statuses"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "media_attachments_scheduled_idx" ON "media_attachments" USING btree ("scheduled_status_id") WHERE "media_attachments"."scheduled_status_id" is not null;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_type" CHECK ("notifications"."type" in ('mention', 'follow', 'favourite', 'reblog', 'follow_request', 'admin.report', 'update', 'poll'));