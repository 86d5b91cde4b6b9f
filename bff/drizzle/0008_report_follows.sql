CREATE TABLE "report_follows" (
	"user_id" uuid NOT NULL,
	"report_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "report_follows_user_id_report_id_pk" PRIMARY KEY("user_id","report_id")
);
--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "geocoded_address" text;--> statement-breakpoint
ALTER TABLE "report_follows" ADD CONSTRAINT "report_follows_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_follows" ADD CONSTRAINT "report_follows_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "report_follows_report_idx" ON "report_follows" USING btree ("report_id");--> statement-breakpoint
CREATE INDEX "report_follows_user_created_idx" ON "report_follows" USING btree ("user_id","created_at","report_id");--> statement-breakpoint
CREATE INDEX "reports_open_earth_idx" ON "reports" USING gist (ll_to_earth("lat", "lng")) WHERE "reports"."status" in ('submitted', 'received', 'accepted', 'dispatched', 'handled', 'reopened');