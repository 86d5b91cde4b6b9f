CREATE TABLE "payout_batches" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"created_by" uuid NOT NULL,
	"claim_count" integer NOT NULL,
	"total_fen" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rating_appeals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"rating_id" uuid NOT NULL,
	"filed_by" uuid NOT NULL,
	"reason" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"decided_by" uuid,
	"decision_note" text,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rating_appeals_rating_id_unique" UNIQUE("rating_id"),
	CONSTRAINT "rating_appeals_status_check" CHECK ("rating_appeals"."status" in ('pending', 'upheld', 'dismissed'))
);
--> statement-breakpoint
CREATE TABLE "rating_follow_ups" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"rating_id" uuid NOT NULL,
	"report_id" uuid NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"note" text,
	"closed_by" uuid,
	"closed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rating_follow_ups_rating_id_unique" UNIQUE("rating_id")
);
--> statement-breakpoint
CREATE TABLE "report_ratings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"report_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"round" integer NOT NULL,
	"level" text NOT NULL,
	"speed" integer,
	"result" integer,
	"attitude" integer,
	"comment" text,
	"excluded_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "report_ratings_round_check" CHECK ("report_ratings"."round" in (1, 2)),
	CONSTRAINT "report_ratings_level_check" CHECK ("report_ratings"."level" in ('very_satisfied', 'satisfied', 'basically_satisfied', 'dissatisfied', 'very_dissatisfied')),
	CONSTRAINT "report_ratings_dimensions_check" CHECK (coalesce("report_ratings"."speed", 1) between 1 and 5 and coalesce("report_ratings"."result", 1) between 1 and 5 and coalesce("report_ratings"."attitude", 1) between 1 and 5),
	CONSTRAINT "report_ratings_bad_comment_check" CHECK ("report_ratings"."level" not in ('dissatisfied', 'very_dissatisfied') or length("report_ratings"."comment") > 0)
);
--> statement-breakpoint
CREATE TABLE "reward_appeals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"report_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"decided_by" uuid,
	"decision_note" text,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reward_appeals_report_id_unique" UNIQUE("report_id"),
	CONSTRAINT "reward_appeals_status_check" CHECK ("reward_appeals"."status" in ('pending', 'upheld', 'rejected'))
);
--> statement-breakpoint
CREATE TABLE "reward_claims" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"amount_fen" integer NOT NULL,
	"method" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"out_bill_no" text NOT NULL,
	"provider_bill_no" text,
	"batch_id" uuid,
	"idempotency_key" text NOT NULL,
	"request_hash" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"failure_reason" text,
	"paid_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reward_claims_out_bill_no_unique" UNIQUE("out_bill_no"),
	CONSTRAINT "reward_claims_amount_check" CHECK ("reward_claims"."amount_fen" > 0),
	CONSTRAINT "reward_claims_status_check" CHECK ("reward_claims"."status" in ('pending', 'processing', 'paid', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "reward_decisions" (
	"report_id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"outcome" text NOT NULL,
	"amount_fen" integer NOT NULL,
	"reason" text NOT NULL,
	"facts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"reviewed_by" uuid,
	"review_note" text,
	"reviewed_at" timestamp with time zone,
	"decided_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reward_decisions_outcome_check" CHECK ("reward_decisions"."outcome" in ('accrued', 'held', 'none', 'reversed')),
	CONSTRAINT "reward_decisions_amount_check" CHECK ("reward_decisions"."amount_fen" >= 0)
);
--> statement-breakpoint
CREATE TABLE "reward_ledger" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"prev_seq" integer,
	"kind" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"prev_balance_fen" bigint NOT NULL,
	"balance_fen" bigint NOT NULL,
	"report_id" uuid,
	"claim_id" uuid,
	"reason" text,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reward_ledger_kind_check" CHECK ("reward_ledger"."kind" in ('accrual', 'reversal', 'claim', 'payout', 'payout_failed', 'expiry', 'adjustment')),
	CONSTRAINT "reward_ledger_arithmetic_check" CHECK ("reward_ledger"."balance_fen" = "reward_ledger"."prev_balance_fen" + "reward_ledger"."amount_fen"),
	CONSTRAINT "reward_ledger_chain_check" CHECK (("reward_ledger"."seq" = 1 and "reward_ledger"."prev_seq" is null and "reward_ledger"."prev_balance_fen" = 0) or ("reward_ledger"."seq" > 1 and "reward_ledger"."prev_seq" = "reward_ledger"."seq" - 1)),
	CONSTRAINT "reward_ledger_no_overdraw_check" CHECK ("reward_ledger"."kind" not in ('claim', 'expiry') or "reward_ledger"."balance_fen" >= 0),
	CONSTRAINT "reward_ledger_sign_check" CHECK (("reward_ledger"."kind" = 'accrual' and "reward_ledger"."amount_fen" > 0) or ("reward_ledger"."kind" = 'reversal' and "reward_ledger"."amount_fen" < 0) or ("reward_ledger"."kind" = 'claim' and "reward_ledger"."amount_fen" < 0)
        or ("reward_ledger"."kind" = 'payout' and "reward_ledger"."amount_fen" = 0) or ("reward_ledger"."kind" = 'payout_failed' and "reward_ledger"."amount_fen" > 0) or ("reward_ledger"."kind" = 'expiry' and "reward_ledger"."amount_fen" < 0)
        or ("reward_ledger"."kind" = 'adjustment' and "reward_ledger"."amount_fen" <> 0)),
	CONSTRAINT "reward_ledger_refs_check" CHECK (("reward_ledger"."kind" not in ('accrual', 'reversal') or "reward_ledger"."report_id" is not null) and ("reward_ledger"."kind" not in ('claim', 'payout', 'payout_failed') or "reward_ledger"."claim_id" is not null))
);
--> statement-breakpoint
CREATE TABLE "reward_rules" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"rules" jsonb NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reward_rules_single_row" CHECK ("reward_rules"."id" = 1)
);
--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "street" text;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "responded_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "registered_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "dispatched_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "handled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "closed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "closing_note" text;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "rework_requested_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "rework_reason" text;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "rating_reminder_sent_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "fixed_asked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "fixed_answer" text;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "fixed_answered_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "reward_exclusion" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "leaderboard_opt_in" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "rating_appeals" ADD CONSTRAINT "rating_appeals_rating_id_report_ratings_id_fk" FOREIGN KEY ("rating_id") REFERENCES "public"."report_ratings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rating_follow_ups" ADD CONSTRAINT "rating_follow_ups_rating_id_report_ratings_id_fk" FOREIGN KEY ("rating_id") REFERENCES "public"."report_ratings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rating_follow_ups" ADD CONSTRAINT "rating_follow_ups_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_ratings" ADD CONSTRAINT "report_ratings_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_ratings" ADD CONSTRAINT "report_ratings_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reward_appeals" ADD CONSTRAINT "reward_appeals_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reward_appeals" ADD CONSTRAINT "reward_appeals_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reward_claims" ADD CONSTRAINT "reward_claims_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reward_claims" ADD CONSTRAINT "reward_claims_batch_id_payout_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."payout_batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reward_decisions" ADD CONSTRAINT "reward_decisions_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reward_decisions" ADD CONSTRAINT "reward_decisions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reward_ledger" ADD CONSTRAINT "reward_ledger_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reward_ledger" ADD CONSTRAINT "reward_ledger_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "rating_follow_ups_open_idx" ON "rating_follow_ups" USING btree ("due_at") WHERE "rating_follow_ups"."status" = 'open';--> statement-breakpoint
CREATE INDEX "rating_follow_ups_report_idx" ON "rating_follow_ups" USING btree ("report_id");--> statement-breakpoint
CREATE UNIQUE INDEX "report_ratings_round_idx" ON "report_ratings" USING btree ("report_id","round");--> statement-breakpoint
CREATE INDEX "reward_appeals_pending_idx" ON "reward_appeals" USING btree ("created_at") WHERE "reward_appeals"."status" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "reward_claims_user_idempotency_idx" ON "reward_claims" USING btree ("user_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "reward_claims_user_idx" ON "reward_claims" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "reward_claims_due_idx" ON "reward_claims" USING btree ("next_attempt_at") WHERE "reward_claims"."status" in ('pending', 'processing') and "reward_claims"."method" = 'wechatpay';--> statement-breakpoint
CREATE INDEX "reward_decisions_user_idx" ON "reward_decisions" USING btree ("user_id","decided_at");--> statement-breakpoint
CREATE INDEX "reward_decisions_held_idx" ON "reward_decisions" USING btree ("decided_at") WHERE "reward_decisions"."outcome" = 'held';--> statement-breakpoint
CREATE UNIQUE INDEX "reward_ledger_user_seq_idx" ON "reward_ledger" USING btree ("user_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "reward_ledger_chain_target_idx" ON "reward_ledger" USING btree ("user_id","seq","balance_fen");--> statement-breakpoint
CREATE UNIQUE INDEX "reward_ledger_report_kind_idx" ON "reward_ledger" USING btree ("report_id","kind") WHERE "reward_ledger"."kind" in ('accrual', 'reversal');--> statement-breakpoint
CREATE UNIQUE INDEX "reward_ledger_claim_kind_idx" ON "reward_ledger" USING btree ("claim_id","kind") WHERE "reward_ledger"."claim_id" is not null;--> statement-breakpoint
CREATE INDEX "reward_ledger_created_idx" ON "reward_ledger" USING btree ("created_at") WHERE "reward_ledger"."kind" in ('accrual', 'reversal');--> statement-breakpoint
CREATE INDEX "photos_phash_idx" ON "photos" USING btree ("phash");--> statement-breakpoint
CREATE INDEX "reports_created_idx" ON "reports" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "reports_closed_idx" ON "reports" USING btree ("closed_at") WHERE "reports"."closed_at" is not null;--> statement-breakpoint
CREATE INDEX "reports_dispatched_open_idx" ON "reports" USING btree ("dispatched_at") WHERE "reports"."fixed_asked_at" is null and "reports"."status" not in ('closed', 'rejected', 'duplicate');--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_fixed_answer_check" CHECK ("reports"."fixed_answer" in ('fixed', 'not_fixed'));--> statement-breakpoint
-- Hand-written: the ledger chain. Each row after the first must point at its user's previous row and
-- that row's balance; with (user_id, seq) unique, a balance can be extended by one writer only.
ALTER TABLE "reward_ledger" ADD CONSTRAINT "reward_ledger_chain_fk" FOREIGN KEY ("user_id","prev_seq","prev_balance_fen") REFERENCES "public"."reward_ledger"("user_id","seq","balance_fen");--> statement-breakpoint
ALTER TABLE "reward_ledger" ADD CONSTRAINT "reward_ledger_claim_fk" FOREIGN KEY ("claim_id") REFERENCES "public"."reward_claims"("id");--> statement-breakpoint
CREATE FUNCTION "reward_ledger_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'reward_ledger is append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';
END;
$$;--> statement-breakpoint
CREATE TRIGGER "reward_ledger_no_update_or_delete" BEFORE UPDATE OR DELETE ON "reward_ledger" FOR EACH ROW EXECUTE FUNCTION "reward_ledger_append_only"();--> statement-breakpoint
CREATE TRIGGER "reward_ledger_no_truncate" BEFORE TRUNCATE ON "reward_ledger" FOR EACH STATEMENT EXECUTE FUNCTION "reward_ledger_append_only"();
