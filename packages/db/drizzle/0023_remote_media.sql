ALTER TABLE "media_attachments" DROP CONSTRAINT "media_attachments_type";--> statement-breakpoint
ALTER TABLE "media_attachments" ADD COLUMN "remote_url" text;--> statement-breakpoint
ALTER TABLE "status_edits" ADD COLUMN "content_html" text;--> statement-breakpoint
ALTER TABLE "media_attachments" ADD CONSTRAINT "media_attachments_type" CHECK ("media_attachments"."type" in ('image', 'unknown'));