DROP INDEX "stall_spot_open_hours_knn_idx";--> statement-breakpoint
CREATE INDEX "stall_spot_open_hours_open_knn_idx" ON "stall_spot_open_hours" USING gist ("week","days",ll_to_earth("lat", "lng"));