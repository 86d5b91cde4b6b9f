-- Nearest-point queries for stall spots (ll_to_earth / earth_box) need these; PGlite loads them as contrib modules.
CREATE EXTENSION IF NOT EXISTS cube;
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS earthdistance;
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"actor_kind" text NOT NULL,
	"actor_id" uuid,
	"action" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"topic" text NOT NULL,
	"page" text NOT NULL,
	"data" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "staff_accounts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"username" text NOT NULL,
	"display_name" text NOT NULL,
	"password_hash" text NOT NULL,
	"role" text DEFAULT 'staff' NOT NULL,
	"disabled" boolean DEFAULT false NOT NULL,
	"last_login_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "staff_accounts_username_unique" UNIQUE("username"),
	CONSTRAINT "staff_accounts_role_check" CHECK ("staff_accounts"."role" in ('staff', 'admin'))
);
--> statement-breakpoint
CREATE TABLE "stall_spot_follows" (
	"user_id" uuid NOT NULL,
	"spot_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stall_spot_follows_user_id_spot_id_pk" PRIMARY KEY("user_id","spot_id")
);
--> statement-breakpoint
CREATE TABLE "stall_spots" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"district" text NOT NULL,
	"street" text DEFAULT '' NOT NULL,
	"address" text NOT NULL,
	"lat" double precision NOT NULL,
	"lng" double precision NOT NULL,
	"coord_approximate" boolean DEFAULT false NOT NULL,
	"radius_m" integer DEFAULT 80 NOT NULL,
	"capacity" integer DEFAULT 0 NOT NULL,
	"goods" text[] DEFAULT '{}'::text[] NOT NULL,
	"facilities" text[] DEFAULT '{}'::text[] NOT NULL,
	"rules" text DEFAULT '' NOT NULL,
	"manager_name" text,
	"manager_phone" text,
	"photos" text[] DEFAULT '{}'::text[] NOT NULL,
	"schedule" jsonb NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"suspended_reason" text,
	"suspended_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stall_spots_code_unique" UNIQUE("code"),
	CONSTRAINT "stall_spots_lat_check" CHECK ("stall_spots"."lat" between -90 and 90),
	CONSTRAINT "stall_spots_lng_check" CHECK ("stall_spots"."lng" between -180 and 180),
	CONSTRAINT "stall_spots_radius_check" CHECK ("stall_spots"."radius_m" between 5 and 5000),
	CONSTRAINT "stall_spots_capacity_check" CHECK ("stall_spots"."capacity" >= 0),
	CONSTRAINT "stall_spots_status_check" CHECK ("stall_spots"."status" in ('active', 'suspended')),
	CONSTRAINT "stall_spots_kind_check" CHECK ("stall_spots"."kind" in ('convenience_market', 'night_market', 'time_slot', 'seasonal_market', 'stall_cluster', 'guidance_point'))
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"openid" text NOT NULL,
	"unionid" text,
	"session_key" text,
	"nickname" text,
	"blocked_at" timestamp with time zone,
	"blocked_reason" text,
	"last_login_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_openid_unique" UNIQUE("openid")
);
--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stall_spot_follows" ADD CONSTRAINT "stall_spot_follows_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stall_spot_follows" ADD CONSTRAINT "stall_spot_follows_spot_id_stall_spots_id_fk" FOREIGN KEY ("spot_id") REFERENCES "public"."stall_spots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_entity_idx" ON "audit_log" USING btree ("entity_type","entity_id","created_at");--> statement-breakpoint
CREATE INDEX "notifications_due_idx" ON "notifications" USING btree ("next_attempt_at") WHERE "notifications"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "stall_spot_follows_spot_idx" ON "stall_spot_follows" USING btree ("spot_id");--> statement-breakpoint
CREATE INDEX "stall_spots_earth_idx" ON "stall_spots" USING gist (ll_to_earth("lat", "lng"));