CREATE INDEX "audit_log_created_idx" ON "audit_log" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "audit_log_actor_idx" ON "audit_log" USING btree ("actor_id","created_at","id");--> statement-breakpoint
CREATE INDEX "audit_log_action_idx" ON "audit_log" USING btree ("action","created_at","id");--> statement-breakpoint
CREATE INDEX "reports_status_created_idx" ON "reports" USING btree ("status","created_at","id");--> statement-breakpoint
CREATE INDEX "reports_category_created_idx" ON "reports" USING btree ("category","created_at","id");--> statement-breakpoint
CREATE INDEX "reports_street_created_idx" ON "reports" USING btree ("street","created_at","id");--> statement-breakpoint
CREATE INDEX "reports_updated_idx" ON "reports" USING btree ("updated_at","id");--> statement-breakpoint
CREATE INDEX "reports_case_id_prefix_idx" ON "reports" USING btree ("case_id" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "reward_claims_batch_idx" ON "reward_claims" USING btree ("batch_id","status");