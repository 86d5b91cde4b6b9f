ALTER TABLE "stall_spots" ADD COLUMN "open_week" "int4multirange";--> statement-breakpoint
ALTER TABLE "stall_spots" ADD COLUMN "open_days" "int4multirange";--> statement-breakpoint
CREATE INDEX "stall_spots_earth_open_idx" ON "stall_spots" USING gist (ll_to_earth("lat", "lng"),"open_week","open_days");