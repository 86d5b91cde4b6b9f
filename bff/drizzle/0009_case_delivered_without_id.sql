ALTER TABLE "reports" ADD COLUMN "delivered_without_id_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "case_token" text;--> statement-breakpoint
CREATE INDEX "reports_without_case_id_idx" ON "reports" USING btree ("delivered_without_id_at") WHERE case_id is null and delivered_without_id_at is not null;