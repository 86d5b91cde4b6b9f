CREATE TABLE "report_figure_ratings" (
	"report_id" uuid PRIMARY KEY NOT NULL,
	"level" text NOT NULL
);
--> statement-breakpoint
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
CREATE TABLE "report_figures_delta" (
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
	"satisfied" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "report_figures_monthly" (
	"month" date NOT NULL,
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
	CONSTRAINT "report_figures_monthly_key" UNIQUE NULLS NOT DISTINCT("month","street","category","department")
);

--> statement-breakpoint
-- The figures' rollups, kept by triggers so that every writer (use cases, jobs, imports, psql) keeps
-- them exact in its own transaction. What counts must match figureCountsSql in
-- bff/src/features/figures/figures.repository.ts (FIGURE_DEFINITIONS.responseHours = 24 there):
-- tests/integration/figures-rollup.test.ts compares both on random data, and the figures bench on
-- its seed. Shanghai days are UTC+8 (shared/src/time.ts), as the figures' periods are.
CREATE FUNCTION report_figures_day(t timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE AS $$ SELECT ((t AT TIME ZONE 'UTC') + interval '8 hours')::date $$;
--> statement-breakpoint
-- One report's contribution, 1 or 0 per count in the rollups' column order; `level` is its row in
-- report_figure_ratings (null: not rated).
CREATE FUNCTION report_figures_counts(r reports, level text) RETURNS integer[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY[
    1,
    (r.case_id IS NOT NULL)::int,
    (r.case_id IS NOT NULL AND r.responded_at IS NOT NULL AND r.responded_at - r.created_at <= interval '24 hours')::int,
    (r.registered_at IS NOT NULL)::int,
    (r.registered_at IS NOT NULL AND (r.handled_at IS NOT NULL OR r.status = 'closed'))::int,
    (r.registered_at IS NOT NULL AND r.status = 'closed')::int,
    (level IS NOT NULL)::int,
    coalesce(level IN ('very_satisfied', 'satisfied', 'basically_satisfied'), false)::int
  ]
$$;
--> statement-breakpoint
-- Moves the pending changes into the rollups, in one statement: a concurrent fold skips the rows this
-- one deleted, and a reader sees them either still pending or already folded, never both or neither.
CREATE FUNCTION report_figures_fold() RETURNS void
LANGUAGE sql AS $$
  WITH moved AS (DELETE FROM report_figures_delta RETURNING *),
  agg AS (
    SELECT day, street, category, department, sum(reports)::int AS reports, sum(delivered)::int AS delivered, sum(responded)::int AS responded, sum(registered)::int AS registered, sum(handled)::int AS handled, sum(closed)::int AS closed, sum(rated)::int AS rated, sum(satisfied)::int AS satisfied
    FROM moved GROUP BY day, street, category, department
  ),
  daily AS (
    INSERT INTO report_figures_daily AS d (day, street, category, department, reports, delivered, responded, registered, handled, closed, rated, satisfied)
    SELECT * FROM agg
    ON CONFLICT (day, street, category, department) DO UPDATE SET reports = d.reports + excluded.reports, delivered = d.delivered + excluded.delivered, responded = d.responded + excluded.responded, registered = d.registered + excluded.registered, handled = d.handled + excluded.handled, closed = d.closed + excluded.closed, rated = d.rated + excluded.rated, satisfied = d.satisfied + excluded.satisfied
  )
  INSERT INTO report_figures_monthly AS m (month, street, category, department, reports, delivered, responded, registered, handled, closed, rated, satisfied)
  SELECT date_trunc('month', day::timestamp)::date, street, category, department, sum(reports), sum(delivered), sum(responded), sum(registered), sum(handled), sum(closed), sum(rated), sum(satisfied)
  FROM agg GROUP BY 1, 2, 3, 4
  ON CONFLICT (month, street, category, department) DO UPDATE SET reports = m.reports + excluded.reports, delivered = m.delivered + excluded.delivered, responded = m.responded + excluded.responded, registered = m.registered + excluded.registered, handled = m.handled + excluded.handled, closed = m.closed + excluded.closed, rated = m.rated + excluded.rated, satisfied = m.satisfied + excluded.satisfied;
$$;
--> statement-breakpoint
-- Records `c` (signed) for one key's day: an insert, never an update, so writers do not wait on each
-- other. About one change in 64 then folds the pending rows, unless another transaction is folding:
-- the lock is this transaction's, so at most one folder runs and writers never wait for it.
CREATE FUNCTION report_figures_add(t timestamptz, p_street text, p_category text, p_department text, c integer[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF c = '{0,0,0,0,0,0,0,0}'::integer[] THEN RETURN; END IF;
  INSERT INTO report_figures_delta (day, street, category, department, reports, delivered, responded, registered, handled, closed, rated, satisfied)
  VALUES (report_figures_day(t), p_street, p_category, p_department, c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8]);
  IF random() < 1.0 / 64 AND pg_try_advisory_xact_lock(hashtext('cityloop.report_figures_fold')) THEN
    PERFORM report_figures_fold();
  END IF;
END $$;
--> statement-breakpoint
CREATE FUNCTION report_figures_negate(c integer[]) RETURNS integer[]
LANGUAGE sql IMMUTABLE AS $$ SELECT ARRAY(SELECT -x FROM unnest(c) WITH ORDINALITY AS u(x, i) ORDER BY i) $$;
--> statement-breakpoint
CREATE FUNCTION reports_figures_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  lvl text;
  o integer[];
  n integer[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    -- A new report has no rating yet.
    PERFORM report_figures_add(NEW.created_at, NEW.street, NEW.category, NEW.department, report_figures_counts(NEW, NULL));
    RETURN NULL;
  END IF;
  SELECT level INTO lvl FROM report_figure_ratings WHERE report_id = OLD.id;
  o := report_figures_counts(OLD, lvl);
  IF TG_OP = 'DELETE' THEN
    PERFORM report_figures_add(OLD.created_at, OLD.street, OLD.category, OLD.department, report_figures_negate(o));
    DELETE FROM report_figure_ratings WHERE report_id = OLD.id;
    RETURN NULL;
  END IF;
  n := report_figures_counts(NEW, lvl);
  IF report_figures_day(OLD.created_at) = report_figures_day(NEW.created_at) AND OLD.street IS NOT DISTINCT FROM NEW.street
     AND OLD.category = NEW.category AND OLD.department IS NOT DISTINCT FROM NEW.department THEN
    -- The same key (every milestone): the difference, nothing when no count changed.
    PERFORM report_figures_add(NEW.created_at, NEW.street, NEW.category, NEW.department, ARRAY(SELECT n[i] - o[i] FROM generate_series(1, 8) i ORDER BY i));
  ELSE
    -- The report moved (another department, a corrected street): out of one key, into the other.
    PERFORM report_figures_add(OLD.created_at, OLD.street, OLD.category, OLD.department, report_figures_negate(o));
    PERFORM report_figures_add(NEW.created_at, NEW.street, NEW.category, NEW.department, n);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER reports_figures_insert AFTER INSERT ON reports FOR EACH ROW EXECUTE FUNCTION reports_figures_trigger();
--> statement-breakpoint
CREATE TRIGGER reports_figures_delete AFTER DELETE ON reports FOR EACH ROW EXECUTE FUNCTION reports_figures_trigger();
--> statement-breakpoint
-- Only updates of what the figures read: the reminder and fixed-question jobs' batch updates, the
-- anonymisation on erasure and the polling timestamps leave the rollups alone.
CREATE TRIGGER reports_figures_update AFTER UPDATE ON reports FOR EACH ROW
  WHEN ((OLD.created_at, OLD.street, OLD.category, OLD.department, OLD.case_id, OLD.responded_at, OLD.registered_at, OLD.handled_at, OLD.status)
    IS DISTINCT FROM (NEW.created_at, NEW.street, NEW.category, NEW.department, NEW.case_id, NEW.responded_at, NEW.registered_at, NEW.handled_at, NEW.status))
  EXECUTE FUNCTION reports_figures_trigger();
--> statement-breakpoint
-- The latest round's level unless an upheld appeal excluded it (report_ratings_round_idx: one probe).
CREATE FUNCTION report_rated_level(p_report uuid) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN rr.excluded_at IS NULL THEN rr.level END FROM report_ratings rr WHERE rr.report_id = p_report ORDER BY rr.round DESC LIMIT 1
$$;
--> statement-breakpoint
-- Brings one report's report_figure_ratings row and its rated/satisfied counts up to its ratings.
CREATE FUNCTION report_figures_rerate(p_report uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  was text;
  now_level text := report_rated_level(p_report);
  r reports;
BEGIN
  SELECT level INTO was FROM report_figure_ratings WHERE report_id = p_report;
  IF was IS NOT DISTINCT FROM now_level THEN RETURN; END IF;
  IF now_level IS NULL THEN
    DELETE FROM report_figure_ratings WHERE report_id = p_report;
  ELSE
    INSERT INTO report_figure_ratings (report_id, level) VALUES (p_report, now_level) ON CONFLICT (report_id) DO UPDATE SET level = excluded.level;
  END IF;
  SELECT * INTO r FROM reports WHERE id = p_report;
  IF FOUND THEN
    PERFORM report_figures_add(r.created_at, r.street, r.category, r.department,
      ARRAY(SELECT n[i] - o[i] FROM (SELECT report_figures_counts(r, now_level) AS n, report_figures_counts(r, was) AS o) x, generate_series(1, 8) i ORDER BY i));
  END IF;
END $$;
--> statement-breakpoint
CREATE FUNCTION report_ratings_figures_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN PERFORM report_figures_rerate(NEW.report_id); END IF;
  IF TG_OP = 'DELETE' OR OLD.report_id <> NEW.report_id THEN PERFORM report_figures_rerate(OLD.report_id); END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER report_ratings_figures_insert AFTER INSERT ON report_ratings FOR EACH ROW EXECUTE FUNCTION report_ratings_figures_trigger();
--> statement-breakpoint
CREATE TRIGGER report_ratings_figures_delete AFTER DELETE ON report_ratings FOR EACH ROW EXECUTE FUNCTION report_ratings_figures_trigger();
--> statement-breakpoint
-- Not on a comment erased (account erasure) nor on a new exclusion time of an excluded rating.
CREATE TRIGGER report_ratings_figures_update AFTER UPDATE ON report_ratings FOR EACH ROW
  WHEN ((OLD.report_id, OLD.round, OLD.level, OLD.excluded_at IS NULL) IS DISTINCT FROM (NEW.report_id, NEW.round, NEW.level, NEW.excluded_at IS NULL))
  EXECUTE FUNCTION report_ratings_figures_trigger();
--> statement-breakpoint
-- Recomputes report_figure_ratings and both rollups from scratch (no change left pending): the backfill below, and after bulk
-- loads that ran with these triggers disabled (the figures bench). Locks out writers while it runs.
CREATE FUNCTION report_figures_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE reports, report_ratings IN SHARE MODE;
  DELETE FROM report_figures_delta;
  DELETE FROM report_figure_ratings;
  INSERT INTO report_figure_ratings (report_id, level)
  SELECT report_id, level FROM (
    SELECT DISTINCT ON (report_id) report_id, CASE WHEN excluded_at IS NULL THEN level END AS level FROM report_ratings ORDER BY report_id, round DESC
  ) l WHERE level IS NOT NULL;
  DELETE FROM report_figures_daily;
  INSERT INTO report_figures_daily (day, street, category, department, reports, delivered, responded, registered, handled, closed, rated, satisfied)
  SELECT report_figures_day(r.created_at), r.street, r.category, r.department,
    count(*),
    count(*) FILTER (WHERE r.case_id IS NOT NULL),
    count(*) FILTER (WHERE r.case_id IS NOT NULL AND r.responded_at IS NOT NULL AND r.responded_at - r.created_at <= interval '24 hours'),
    count(*) FILTER (WHERE r.registered_at IS NOT NULL),
    count(*) FILTER (WHERE r.registered_at IS NOT NULL AND (r.handled_at IS NOT NULL OR r.status = 'closed')),
    count(*) FILTER (WHERE r.registered_at IS NOT NULL AND r.status = 'closed'),
    count(fr.level),
    count(*) FILTER (WHERE fr.level IN ('very_satisfied', 'satisfied', 'basically_satisfied'))
  FROM reports r LEFT JOIN report_figure_ratings fr ON fr.report_id = r.id
  GROUP BY 1, 2, 3, 4;
  DELETE FROM report_figures_monthly;
  INSERT INTO report_figures_monthly (month, street, category, department, reports, delivered, responded, registered, handled, closed, rated, satisfied)
  SELECT date_trunc('month', day::timestamp)::date, street, category, department,
    sum(reports), sum(delivered), sum(responded), sum(registered), sum(handled), sum(closed), sum(rated), sum(satisfied)
  FROM report_figures_daily GROUP BY 1, 2, 3, 4;
END $$;
--> statement-breakpoint
SELECT report_figures_rebuild();
