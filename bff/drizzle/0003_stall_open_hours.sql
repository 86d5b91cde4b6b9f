CREATE TABLE "stall_spot_open_hours" (
	"spot_id" uuid NOT NULL,
	"lat" double precision NOT NULL,
	"lng" double precision NOT NULL,
	"week" "int4range" NOT NULL,
	"days" "int4multirange" NOT NULL
);
--> statement-breakpoint
ALTER TABLE "stall_spot_open_hours" ADD CONSTRAINT "stall_spot_open_hours_spot_id_stall_spots_id_fk" FOREIGN KEY ("spot_id") REFERENCES "public"."stall_spots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "stall_spot_open_hours_knn_idx" ON "stall_spot_open_hours" USING gist (ll_to_earth("lat", "lng"),"week","days");--> statement-breakpoint
CREATE INDEX "stall_spot_open_hours_spot_idx" ON "stall_spot_open_hours" USING btree ("spot_id");