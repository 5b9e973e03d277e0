CREATE TABLE "list_accounts" (
	"id" bigint PRIMARY KEY DEFAULT snowflake_id() NOT NULL,
	"list_id" bigint NOT NULL,
	"account_id" bigint NOT NULL,
	"follow_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "list_feed_entries" (
	"list_id" bigint NOT NULL,
	"status_id" bigint NOT NULL,
	"author_id" bigint NOT NULL,
	"reblog_of_id" bigint,
	CONSTRAINT "list_feed_entries_list_id_status_id_pk" PRIMARY KEY("list_id","status_id")
);
--> statement-breakpoint
CREATE TABLE "lists" (
	"id" bigint PRIMARY KEY DEFAULT snowflake_id() NOT NULL,
	"account_id" bigint NOT NULL,
	"title" text NOT NULL,
	"replies_policy" text DEFAULT 'list' NOT NULL,
	"exclusive" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lists_title_length" CHECK (char_length("lists"."title") between 1 and 256),
	CONSTRAINT "lists_replies_policy" CHECK ("lists"."replies_policy" in ('followed', 'list', 'none'))
);
--> statement-breakpoint
CREATE TABLE "account_conversations" (
	"id" bigint PRIMARY KEY DEFAULT snowflake_id() NOT NULL,
	"account_id" bigint NOT NULL,
	"thread_id" bigint NOT NULL,
	"participant_ids" bigint[] NOT NULL,
	"status_ids" bigint[] NOT NULL,
	"last_status_id" bigint NOT NULL,
	"unread" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
ALTER TABLE "list_accounts" ADD CONSTRAINT "list_accounts_list_id_lists_id_fk" FOREIGN KEY ("list_id") REFERENCES "public"."lists"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "list_accounts" ADD CONSTRAINT "list_accounts_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "list_accounts" ADD CONSTRAINT "list_accounts_follow_id_follows_id_fk" FOREIGN KEY ("follow_id") REFERENCES "public"."follows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lists" ADD CONSTRAINT "lists_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_conversations" ADD CONSTRAINT "account_conversations_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "list_accounts_list_account_key" ON "list_accounts" USING btree ("list_id","account_id");--> statement-breakpoint
CREATE INDEX "list_accounts_account_idx" ON "list_accounts" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "list_accounts_follow_idx" ON "list_accounts" USING btree ("follow_id");--> statement-breakpoint
CREATE INDEX "lists_account_idx" ON "lists" USING btree ("account_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "account_conversations_key" ON "account_conversations" USING btree ("account_id","thread_id","participant_ids");--> statement-breakpoint
CREATE INDEX "account_conversations_account_last_idx" ON "account_conversations" USING btree ("account_id","last_status_id" DESC NULLS LAST);