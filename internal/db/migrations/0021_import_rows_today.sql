-- The daily import limit (migration 0015) counts the rows an actor's runs read today from the audit
-- trail, which row-level security (migration 0012) shows to the national scope only. This function
-- counts them for the one actor asked about, and returns nothing else of the audit trail.
CREATE FUNCTION ptdv_import_rows_today(who text) RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    SELECT coalesce(sum((r.after->>'rows')::int), 0) FROM audit_log r
    WHERE r.action = 'import.run' AND r.actor = who AND r.after->>'outcome' IN ('written', 'refused')
      AND r.at >= date_trunc('day', now(), 'Asia/Ho_Chi_Minh')
    $$;
REVOKE EXECUTE ON FUNCTION ptdv_import_rows_today(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ptdv_import_rows_today(text) TO ptdv_app;
