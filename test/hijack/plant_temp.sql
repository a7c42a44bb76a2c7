-- test/hijack/plant_temp.sql: objects in the session's own temporary
-- schema, for the runs with search_path = 'pg_temp, public' (the way an
-- attacker reaches code running with more rights in his session, such as
-- a SECURITY DEFINER function) and for CREATE EXTENSION itself.  pg_temp is
-- searched for relations and types wherever it is listed (first when it is
-- not listed), so every churnwarn relation (names in psql variable
-- cw_relnames) gets a temporary table of the same name whose triggers and
-- defaults hit the canary, and the built-in type names get temporary tables
-- (whose row types shadow them).  Functions and operators in pg_temp are
-- never found unqualified, but they are planted as well.
-- Included with ECHO none.
CREATE FUNCTION pg_temp.lower(pg_catalog.text) RETURNS pg_catalog.text LANGUAGE sql AS
	$$ SELECT public.cw_canary_hit('pg_temp.lower(text)'); SELECT pg_catalog.lower($1) $$;
CREATE FUNCTION pg_temp.now() RETURNS pg_catalog.timestamptz LANGUAGE sql AS
	$$ SELECT public.cw_canary_hit('pg_temp.now()'); SELECT pg_catalog.now() $$;
CREATE FUNCTION pg_temp.cw_eq(pg_catalog.text, pg_catalog.text) RETURNS pg_catalog.bool LANGUAGE sql AS
	$$ SELECT public.cw_canary_hit('pg_temp.=(text,text)'); SELECT $1 OPERATOR(pg_catalog.=) $2 $$;
CREATE OPERATOR pg_temp.= (LEFTARG = pg_catalog.text, RIGHTARG = pg_catalog.text, FUNCTION = pg_temp.cw_eq);
SELECT pg_catalog.format('CREATE TEMP TABLE %I (canary pg_catalog.bool DEFAULT public.cw_canary_hit(%L)); '
	'CREATE TRIGGER canary BEFORE INSERT OR UPDATE OR DELETE ON pg_temp.%I '
	'FOR EACH ROW EXECUTE FUNCTION public.cw_canary_trigger()', t, 'pg_temp.' OPERATOR(pg_catalog.||) t, t)
FROM pg_catalog.unnest(pg_catalog.string_to_array(:'cw_relnames', ',')
	OPERATOR(pg_catalog.||) '{text,int4,int8,int2,float8,numeric,bool,jsonb,json,timestamptz,timestamp,date,interval,name,regclass,varchar,bpchar,oid}'::pg_catalog.text[]) t
\gexec
