CREATE TABLE "notification_permissions" (
	"account_id" bigint NOT NULL,
	"from_account_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_permissions_account_id_from_account_id_pk" PRIMARY KEY("account_id","from_account_id")
);
--> statement-breakpoint
CREATE TABLE "notification_policies" (
	"account_id" bigint PRIMARY KEY NOT NULL,
	"for_not_following" text DEFAULT 'accept' NOT NULL,
	"for_not_followers" text DEFAULT 'accept' NOT NULL,
	"for_new_accounts" text DEFAULT 'accept' NOT NULL,
	"for_private_mentions" text DEFAULT 'filter' NOT NULL,
	"for_limited_accounts" text DEFAULT 'filter' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_policies_actions" CHECK ("notification_policies"."for_not_following" in ('accept', 'filter', 'drop') and "notification_policies"."for_not_followers" in ('accept', 'filter', 'drop')
        and "notification_policies"."for_new_accounts" in ('accept', 'filter', 'drop') and "notification_policies"."for_private_mentions" in ('accept', 'filter', 'drop')
        and "notification_policies"."for_limited_accounts" in ('accept', 'filter', 'drop'))
);
--> statement-breakpoint
CREATE TABLE "notification_requests" (
	"id" bigint PRIMARY KEY DEFAULT snowflake_id() NOT NULL,
	"account_id" bigint NOT NULL,
	"from_account_id" bigint NOT NULL,
	"last_status_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_requests_pair_key" UNIQUE("account_id","from_account_id")
);
--> statement-breakpoint
CREATE TABLE "annual_reports" (
	"account_id" bigint NOT NULL,
	"year" integer NOT NULL,
	"schema_version" integer NOT NULL,
	"data" jsonb NOT NULL,
	"viewed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "annual_reports_account_id_year_pk" PRIMARY KEY("account_id","year")
);
--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "filtered" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "notification_permissions" ADD CONSTRAINT "notification_permissions_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_permissions" ADD CONSTRAINT "notification_permissions_from_account_id_accounts_id_fk" FOREIGN KEY ("from_account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_policies" ADD CONSTRAINT "notification_policies_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_requests" ADD CONSTRAINT "notification_requests_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_requests" ADD CONSTRAINT "notification_requests_from_account_id_accounts_id_fk" FOREIGN KEY ("from_account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_requests" ADD CONSTRAINT "notification_requests_last_status_id_statuses_id_fk" FOREIGN KEY ("last_status_id") REFERENCES "public"."statuses"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annual_reports" ADD CONSTRAINT "annual_reports_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "notification_requests_account_idx" ON "notification_requests" USING btree ("account_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "notifications_filtered_idx" ON "notifications" USING btree ("account_id","from_account_id") WHERE "notifications"."filtered";