CREATE TABLE "web_push_deliveries" (
	"notification_id" bigint NOT NULL,
	"subscription_id" bigint NOT NULL,
	"status" text DEFAULT 'sending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "web_push_deliveries_notification_id_subscription_id_pk" PRIMARY KEY("notification_id","subscription_id"),
	CONSTRAINT "web_push_deliveries_status" CHECK ("web_push_deliveries"."status" in ('sending', 'sent', 'gone', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "web_push_subscriptions" (
	"id" bigint PRIMARY KEY DEFAULT snowflake_id() NOT NULL,
	"account_id" bigint NOT NULL,
	"access_token_id" bigint NOT NULL,
	"endpoint" text NOT NULL,
	"key_p256dh" text NOT NULL,
	"key_auth" text NOT NULL,
	"standard" boolean DEFAULT false NOT NULL,
	"alerts" text[] NOT NULL,
	"policy" text DEFAULT 'all' NOT NULL,
	"access_token_sealed" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "web_push_subscriptions_policy" CHECK ("web_push_subscriptions"."policy" in ('all', 'followed', 'follower', 'none'))
);
--> statement-breakpoint
ALTER TABLE "web_push_deliveries" ADD CONSTRAINT "web_push_deliveries_notification_id_notifications_id_fk" FOREIGN KEY ("notification_id") REFERENCES "public"."notifications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "web_push_deliveries" ADD CONSTRAINT "web_push_deliveries_subscription_id_web_push_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."web_push_subscriptions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "web_push_subscriptions" ADD CONSTRAINT "web_push_subscriptions_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "web_push_subscriptions" ADD CONSTRAINT "web_push_subscriptions_access_token_id_oauth_access_tokens_id_fk" FOREIGN KEY ("access_token_id") REFERENCES "public"."oauth_access_tokens"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "web_push_deliveries_subscription_idx" ON "web_push_deliveries" USING btree ("subscription_id");--> statement-breakpoint
CREATE INDEX "web_push_deliveries_created_idx" ON "web_push_deliveries" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "web_push_subscriptions_access_token_key" ON "web_push_subscriptions" USING btree ("access_token_id");--> statement-breakpoint
CREATE INDEX "web_push_subscriptions_account_idx" ON "web_push_subscriptions" USING btree ("account_id");--> statement-breakpoint
-- Written by hand (keep it when regenerating): revoking an access token deletes its Web Push
-- subscription, whichever operation revokes it.
CREATE FUNCTION web_push_subscriptions_drop_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM "web_push_subscriptions" WHERE "access_token_id" = NEW."id";
	RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "oauth_access_tokens_revoked_drops_web_push"
	AFTER UPDATE OF "revoked_at" ON "oauth_access_tokens"
	FOR EACH ROW WHEN (NEW."revoked_at" IS NOT NULL AND OLD."revoked_at" IS NULL)
	EXECUTE FUNCTION web_push_subscriptions_drop_revoked();
