CREATE TABLE "instance_domain_blocks" (
	"id" bigint PRIMARY KEY DEFAULT snowflake_id() NOT NULL,
	"domain" text NOT NULL,
	"severity" text DEFAULT 'silence' NOT NULL,
	"reject_media" boolean DEFAULT false NOT NULL,
	"reject_reports" boolean DEFAULT false NOT NULL,
	"obfuscate" boolean DEFAULT false NOT NULL,
	"public_comment" text DEFAULT '' NOT NULL,
	"private_comment" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "instance_domain_blocks_severity" CHECK ("instance_domain_blocks"."severity" in ('silence', 'suspend', 'noop')),
	CONSTRAINT "instance_domain_blocks_domain_length" CHECK (char_length("instance_domain_blocks"."domain") between 1 and 253),
	CONSTRAINT "instance_domain_blocks_comments_length" CHECK (char_length("instance_domain_blocks"."public_comment") <= 1000 and char_length("instance_domain_blocks"."private_comment") <= 1000)
);
--> statement-breakpoint
CREATE UNIQUE INDEX "instance_domain_blocks_domain_key" ON "instance_domain_blocks" USING btree ("domain");