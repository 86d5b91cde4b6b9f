-- Every change to an account is announced on LISTEN channel cityloop_account_changes as
-- "<table>:<id>", after commit, to every BFF instance: each forgets that account from its
-- per-instance cache before it can serve the old row again (bff/src/db/account-cache.ts).
CREATE OR REPLACE FUNCTION cityloop_notify_account_change() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('cityloop_account_changes', TG_TABLE_NAME || ':' || OLD.id::text);
  RETURN NULL;
END
$$ LANGUAGE plpgsql;--> statement-breakpoint
CREATE TRIGGER users_announce_change AFTER UPDATE OR DELETE ON users FOR EACH ROW EXECUTE FUNCTION cityloop_notify_account_change();--> statement-breakpoint
CREATE TRIGGER staff_accounts_announce_change AFTER UPDATE OR DELETE ON staff_accounts FOR EACH ROW EXECUTE FUNCTION cityloop_notify_account_change();
