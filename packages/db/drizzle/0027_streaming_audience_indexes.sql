CREATE INDEX "bookmarks_status_idx" ON "bookmarks" USING btree ("status_id");--> statement-breakpoint
CREATE INDEX "account_domain_blocks_domain_idx" ON "account_domain_blocks" USING btree ("domain","account_id");--> statement-breakpoint
CREATE INDEX "mutes_target_account_idx" ON "mutes" USING btree ("target_account_id","account_id");