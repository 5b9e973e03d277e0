CREATE TABLE "account_write_marks" (
	"account_id" bigint PRIMARY KEY NOT NULL,
	"wrote_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "account_write_marks" ADD CONSTRAINT "account_write_marks_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;