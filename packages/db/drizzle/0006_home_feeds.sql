CREATE TABLE "home_feed_entries" (
	"account_id" bigint NOT NULL,
	"status_id" bigint NOT NULL,
	"author_id" bigint NOT NULL,
	"reblog_of_id" bigint,
	CONSTRAINT "home_feed_entries_account_id_status_id_pk" PRIMARY KEY("account_id","status_id")
);
--> statement-breakpoint
CREATE TABLE "home_feed_state" (
	"account_id" bigint PRIMARY KEY NOT NULL,
	"complete_from_id" bigint NOT NULL,
	"follows_merged_before_id" bigint NOT NULL,
	"built_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "follows_account_id_key" ON "follows" USING btree ("account_id","id");