CREATE TABLE "actor_keys" (
	"account_id" bigint NOT NULL,
	"algorithm" text NOT NULL,
	"public_key" jsonb NOT NULL,
	"private_key" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "actor_keys_account_id_algorithm_pk" PRIMARY KEY("account_id","algorithm"),
	CONSTRAINT "actor_keys_algorithm" CHECK ("actor_keys"."algorithm" in ('RSASSA-PKCS1-v1_5', 'Ed25519'))
);
--> statement-breakpoint
CREATE TABLE "federation_kv" (
	"key" text[] PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"expires_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "received_activities" (
	"activity_id" text PRIMARY KEY NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "accounts" DROP CONSTRAINT "accounts_username_format";--> statement-breakpoint
ALTER TABLE "accounts" DROP CONSTRAINT "accounts_display_name_length";--> statement-breakpoint
ALTER TABLE "accounts" DROP CONSTRAINT "accounts_note_length";--> statement-breakpoint
DROP INDEX "accounts_username_lower_key";--> statement-breakpoint
ALTER TABLE "accounts" ALTER COLUMN "email" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "accounts" ALTER COLUMN "password_hash" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "domain" text;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "uri" text;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "url" text;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "inbox_url" text;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "shared_inbox_url" text;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "remote_avatar_url" text;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "remote_header_url" text;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "fetched_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "actor_keys" ADD CONSTRAINT "actor_keys_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "federation_kv_expires_at_idx" ON "federation_kv" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "accounts_remote_username_key" ON "accounts" USING btree (lower("username"),"domain") WHERE "accounts"."domain" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "accounts_uri_key" ON "accounts" USING btree ("uri");--> statement-breakpoint
CREATE UNIQUE INDEX "accounts_username_lower_key" ON "accounts" USING btree (lower("username")) WHERE "accounts"."domain" is null;--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_local_or_remote" CHECK (("accounts"."domain" is null and "accounts"."email" is not null and "accounts"."password_hash" is not null)
        or ("accounts"."domain" is not null and "accounts"."uri" is not null and "accounts"."inbox_url" is not null));--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_username_format" CHECK ("accounts"."username" ~ '^[A-Za-z0-9_]{1,30}$' or ("accounts"."domain" is not null and char_length("accounts"."username") between 1 and 255));--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_display_name_length" CHECK (char_length("accounts"."display_name") <= 100 or "accounts"."domain" is not null);--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_note_length" CHECK (char_length("accounts"."note") <= 1000 or "accounts"."domain" is not null);