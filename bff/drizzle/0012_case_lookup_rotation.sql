DROP INDEX "reports_without_case_id_idx";--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "case_lookup_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "reports_case_lookup_idx" ON "reports" USING btree ("case_lookup_at" asc nulls first,"delivered_without_id_at") WHERE case_id is null and delivered_without_id_at is not null;