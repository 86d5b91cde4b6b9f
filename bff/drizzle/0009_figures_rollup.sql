CREATE TABLE "report_figures_daily" (
	"day" date NOT NULL,
	"street" text,
	"category" text NOT NULL,
	"department" text,
	"reports" integer NOT NULL,
	"delivered" integer NOT NULL,
	"responded" integer NOT NULL,
	"registered" integer NOT NULL,
	"handled" integer NOT NULL,
	"closed" integer NOT NULL,
	"rated" integer NOT NULL,
	"satisfied" integer NOT NULL,
	CONSTRAINT "report_figures_daily_key" UNIQUE NULLS NOT DISTINCT("day","street","category","department")
);
--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "rated_level" text;
--> statement-breakpoint
-- The figures' rollup, kept by triggers so that every writer (use cases, jobs, imports, psql) keeps it
-- exact in its own transaction. The definitions below must match figureCountsSql in
-- bff/src/features/figures/figures.repository.ts (FIGURE_DEFINITIONS.responseHours = 24); the
-- figures-rollup test compares both on random data.
CREATE FUNCTION report_figures_add(p_day date, p_street text, p_category text, p_department text, c integer[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF c = '{0,0,0,0,0,0,0,0}'::integer[] THEN RETURN; END IF;
  INSERT INTO report_figures_daily AS d (day, street, category, department, reports, delivered, responded, registered, handled, closed, rated, satisfied)
  VALUES (p_day, p_street, p_category, p_department, c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8])
  ON CONFLICT (day, street, category, department) DO UPDATE SET
    reports = d.reports + excluded.reports, delivered = d.delivered + excluded.delivered,
    responded = d.responded + excluded.responded, registered = d.registered + excluded.registered,
    handled = d.handled + excluded.handled, closed = d.closed + excluded.closed,
    rated = d.rated + excluded.rated, satisfied = d.satisfied + excluded.satisfied;
END $$;
--> statement-breakpoint
-- One report's contribution: 1 or 0 per count, in the order of the rollup's columns.
CREATE FUNCTION report_figures_counts(r reports) RETURNS integer[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY[
    1,
    (r.case_id IS NOT NULL)::int,
    (r.case_id IS NOT NULL AND r.responded_at IS NOT NULL AND r.responded_at - r.created_at <= interval '24 hours')::int,
    (r.registered_at IS NOT NULL)::int,
    (r.registered_at IS NOT NULL AND (r.handled_at IS NOT NULL OR r.status = 'closed'))::int,
    (r.registered_at IS NOT NULL AND r.status = 'closed')::int,
    (r.rated_level IS NOT NULL)::int,
    coalesce(r.rated_level IN ('very_satisfied', 'satisfied', 'basically_satisfied'), false)::int
  ]
$$;
--> statement-breakpoint
CREATE FUNCTION report_figures_day(t timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE AS $$ SELECT ((t AT TIME ZONE 'UTC') + interval '8 hours')::date $$;
--> statement-breakpoint
CREATE FUNCTION reports_figures_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  o integer[];
  n integer[];
  old_key text[];
  new_key text[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM report_figures_add(report_figures_day(NEW.created_at), NEW.street, NEW.category, NEW.department, report_figures_counts(NEW));
  ELSIF TG_OP = 'DELETE' THEN
    o := report_figures_counts(OLD);
    PERFORM report_figures_add(report_figures_day(OLD.created_at), OLD.street, OLD.category, OLD.department, ARRAY(SELECT -x FROM unnest(o) x));
  ELSE
    o := report_figures_counts(OLD);
    n := report_figures_counts(NEW);
    IF report_figures_day(OLD.created_at) = report_figures_day(NEW.created_at) AND OLD.street IS NOT DISTINCT FROM NEW.street
       AND OLD.category = NEW.category AND OLD.department IS NOT DISTINCT FROM NEW.department THEN
      -- Same rollup row (every milestone): one upsert of the difference, none when nothing counted changed.
      PERFORM report_figures_add(report_figures_day(NEW.created_at), NEW.street, NEW.category, NEW.department,
        ARRAY(SELECT n[i] - o[i] FROM generate_series(1, 8) i ORDER BY i));
    ELSE
      -- The report moved (another department, a corrected street): the two rows in key order, so that
      -- two transactions moving reports between the same rows cannot deadlock.
      old_key := ARRAY[report_figures_day(OLD.created_at)::text, OLD.street, OLD.category, OLD.department];
      new_key := ARRAY[report_figures_day(NEW.created_at)::text, NEW.street, NEW.category, NEW.department];
      IF old_key < new_key THEN
        PERFORM report_figures_add(report_figures_day(OLD.created_at), OLD.street, OLD.category, OLD.department, ARRAY(SELECT -x FROM unnest(o) x));
        PERFORM report_figures_add(report_figures_day(NEW.created_at), NEW.street, NEW.category, NEW.department, n);
      ELSE
        PERFORM report_figures_add(report_figures_day(NEW.created_at), NEW.street, NEW.category, NEW.department, n);
        PERFORM report_figures_add(report_figures_day(OLD.created_at), OLD.street, OLD.category, OLD.department, ARRAY(SELECT -x FROM unnest(o) x));
      END IF;
    END IF;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER reports_figures_insert AFTER INSERT ON reports FOR EACH ROW EXECUTE FUNCTION reports_figures_trigger();
--> statement-breakpoint
CREATE TRIGGER reports_figures_delete AFTER DELETE ON reports FOR EACH ROW EXECUTE FUNCTION reports_figures_trigger();
--> statement-breakpoint
-- Only updates of what the figures read: the reminder and fixed-question jobs' batch updates, the
-- anonymisation on erasure and the polling timestamps leave the rollup (and its row locks) alone.
CREATE TRIGGER reports_figures_update AFTER UPDATE ON reports FOR EACH ROW
  WHEN ((OLD.created_at, OLD.street, OLD.category, OLD.department, OLD.case_id, OLD.responded_at, OLD.registered_at, OLD.handled_at, OLD.status, OLD.rated_level)
    IS DISTINCT FROM (NEW.created_at, NEW.street, NEW.category, NEW.department, NEW.case_id, NEW.responded_at, NEW.registered_at, NEW.handled_at, NEW.status, NEW.rated_level))
  EXECUTE FUNCTION reports_figures_trigger();
--> statement-breakpoint
-- The latest round's level unless an upheld appeal excluded it (report_ratings_round_idx: one probe).
CREATE FUNCTION report_rated_level(p_report uuid) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN rr.excluded_at IS NULL THEN rr.level END FROM report_ratings rr WHERE rr.report_id = p_report ORDER BY rr.round DESC LIMIT 1
$$;
--> statement-breakpoint
CREATE FUNCTION report_ratings_figures_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    UPDATE reports SET rated_level = report_rated_level(NEW.report_id) WHERE id = NEW.report_id AND rated_level IS DISTINCT FROM report_rated_level(NEW.report_id);
  END IF;
  IF TG_OP = 'DELETE' OR OLD.report_id <> NEW.report_id THEN
    UPDATE reports SET rated_level = report_rated_level(OLD.report_id) WHERE id = OLD.report_id AND rated_level IS DISTINCT FROM report_rated_level(OLD.report_id);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER report_ratings_figures_insert AFTER INSERT ON report_ratings FOR EACH ROW EXECUTE FUNCTION report_ratings_figures_trigger();
--> statement-breakpoint
CREATE TRIGGER report_ratings_figures_delete AFTER DELETE ON report_ratings FOR EACH ROW EXECUTE FUNCTION report_ratings_figures_trigger();
--> statement-breakpoint
CREATE TRIGGER report_ratings_figures_update AFTER UPDATE ON report_ratings FOR EACH ROW
  WHEN ((OLD.report_id, OLD.round, OLD.level, OLD.excluded_at IS NULL) IS DISTINCT FROM (NEW.report_id, NEW.round, NEW.level, NEW.excluded_at IS NULL))
  EXECUTE FUNCTION report_ratings_figures_trigger();
--> statement-breakpoint
-- Recomputes rated_level and the rollup from scratch: the backfill below, and for bulk loads that ran
-- with these triggers disabled (the figures bench). Holds the tables locked while it runs.
CREATE FUNCTION report_figures_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE reports, report_ratings IN SHARE ROW EXCLUSIVE MODE;
  ALTER TABLE reports DISABLE TRIGGER reports_figures_update;
  UPDATE reports r SET rated_level = l.level
  FROM (SELECT DISTINCT ON (report_id) report_id, CASE WHEN excluded_at IS NULL THEN level END AS level FROM report_ratings ORDER BY report_id, round DESC) l
  WHERE l.report_id = r.id AND r.rated_level IS DISTINCT FROM l.level;
  UPDATE reports r SET rated_level = NULL WHERE r.rated_level IS NOT NULL AND NOT EXISTS (SELECT 1 FROM report_ratings rr WHERE rr.report_id = r.id);
  ALTER TABLE reports ENABLE TRIGGER reports_figures_update;
  DELETE FROM report_figures_daily;
  INSERT INTO report_figures_daily (day, street, category, department, reports, delivered, responded, registered, handled, closed, rated, satisfied)
  SELECT day, street, category, department, sum(c[1]), sum(c[2]), sum(c[3]), sum(c[4]), sum(c[5]), sum(c[6]), sum(c[7]), sum(c[8])
  FROM (SELECT report_figures_day(r.created_at) AS day, r.street, r.category, r.department, report_figures_counts(r) AS c FROM reports r) x
  GROUP BY day, street, category, department;
END $$;
--> statement-breakpoint
SELECT report_figures_rebuild();
