-- 0029: ptdv_fold inlined. PostgreSQL inlines an IMMUTABLE SQL function into the expression that calls
-- it only when its body calls nothing less than IMMUTABLE; unaccent() (both forms) is declared STABLE,
-- so every call of ptdv_fold went through the SQL-function executor: ≈ 6 µs a call, three a person
-- written (the generated name_key twice and the trigram index once), 2.4 s of a province's import of
-- 100,000 candidates. ptdv_unaccent is the same C function as unaccent(regdictionary, text) (the
-- extension's own 'unaccent_dict'), declared IMMUTABLE: with the dictionary named, its result depends on
-- its arguments and the dictionary's rules file only, which is what ptdv_fold already promised for its
-- indexes. The results are the same text, so no index or generated column changes.
--
-- A C function may be created only by a superuser: an owner that is not one (an existing server, see
-- README "Running against an existing PostgreSQL") keeps the former body, slower but the same.
DO $do$
BEGIN
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RAISE NOTICE 'ptdv_fold: not a superuser, unaccent is called through the SQL function (not inlined)';
        RETURN;
    END IF;
    CREATE FUNCTION public.ptdv_unaccent(regdictionary, text) RETURNS text
        LANGUAGE c IMMUTABLE PARALLEL SAFE STRICT
        AS '$libdir/unaccent', 'unaccent_dict';
    CREATE OR REPLACE FUNCTION public.ptdv_fold(text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $f$ SELECT lower(public.ptdv_unaccent('public.unaccent'::regdictionary, $1)) $f$;
END
$do$;
