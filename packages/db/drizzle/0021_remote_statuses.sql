ALTER TABLE "statuses" ADD COLUMN "uri" text;--> statement-breakpoint
ALTER TABLE "statuses" ADD COLUMN "url" text;--> statement-breakpoint
ALTER TABLE "statuses" ADD COLUMN "content_html" text;--> statement-breakpoint
CREATE INDEX "accounts_domain_idx" ON "accounts" USING btree ("domain") WHERE "accounts"."domain" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "statuses_uri_key" ON "statuses" USING btree ("uri") WHERE "statuses"."uri" is not null;