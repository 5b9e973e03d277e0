DROP INDEX "follows_target_id_key";--> statement-breakpoint
CREATE UNIQUE INDEX "follows_target_id_follower_key" ON "follows" USING btree ("target_account_id","id","account_id");