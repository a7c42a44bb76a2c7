-- test/hijack/plant_public.sql: run as the attacker (a role with CREATE on
-- schema public).  Plants shadows of the built-ins churnwarn's code could
-- resolve through search_path; each one writes a row to public.cw_canary
-- (INSERT granted to PUBLIC, so it works in whoever's session it runs) and
-- then behaves exactly like the built-in, so only the canary tells.
--
-- Generated from pg_proc and pg_operator, for every overload of the listed
-- names:
--  * an exact copy of the signature (wins when public precedes pg_catalog);
--  * a copy with every non-text argument declared text (wins even when
--    pg_catalog comes first, for calls with untyped literals, as
--    nextval('seq') against nextval(regclass));
--  * operators with the same operand types;
--  * aggregates count(*), max, min, sum, string_agg, bool_and, bool_or;
--  * a hostile type with implicit casts from text, integer, bigint and
--    jsonb, and functions and operators taking it;
--  * collations named like the built-in ones ("C", "POSIX", "default").
-- Included by test/sql/hijack.sql with ECHO none.
CREATE TABLE public.cw_canary (
	who name NOT NULL DEFAULT current_user,
	what text NOT NULL,
	query text
);
GRANT INSERT, SELECT ON public.cw_canary TO PUBLIC;

CREATE FUNCTION public.cw_canary_hit(what text) RETURNS boolean
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
	INSERT INTO public.cw_canary (what, query) VALUES ($1, pg_catalog.current_query());
	SELECT true;
$$;
CREATE FUNCTION public.cw_canary_trigger() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM public.cw_canary_hit(pg_catalog.format('trigger on %s.%s', TG_TABLE_SCHEMA, TG_TABLE_NAME));
	IF TG_OP OPERATOR(pg_catalog.=) 'DELETE' THEN
		RETURN OLD;
	END IF;
	RETURN NEW;
END
$$;

CREATE TEMP TABLE cw_shadow_names (name text PRIMARY KEY);
INSERT INTO cw_shadow_names VALUES
	('lower'), ('upper'), ('coalesce'), ('now'), ('format'), ('nextval'), ('currval'),
	('setval'), ('length'), ('octet_length'), ('char_length'), ('jsonb_typeof'),
	('isfinite'), ('current_setting'), ('set_config'), ('pg_notify'),
	('array_position'), ('array_length'), ('cardinality'), ('date_part'),
	('date_trunc'), ('to_char'), ('to_timestamp'), ('concat'), ('concat_ws'),
	('jsonb_build_object'), ('jsonb_build_array'), ('jsonb_array_elements'),
	('jsonb_array_length'), ('jsonb_extract_path_text'), ('jsonb_object_keys'),
	('to_jsonb'), ('row_to_json'), ('jsonb_set'), ('jsonb_strip_nulls'),
	('md5'), ('sha256'), ('encode'), ('decode'), ('convert_to'), ('hashtext'),
	('quote_ident'), ('quote_literal'), ('quote_nullable'), ('replace'),
	('regexp_replace'), ('split_part'), ('substr'), ('substring'), ('btrim'),
	('ltrim'), ('rtrim'), ('left'), ('right'), ('repeat'), ('strpos'),
	('timezone'), ('make_interval'), ('make_timestamptz'), ('clock_timestamp'),
	('statement_timestamp'), ('transaction_timestamp'), ('timeofday'),
	('pg_advisory_xact_lock'), ('pg_try_advisory_xact_lock'), ('txid_current'),
	('pg_current_xact_id'), ('random'), ('round'), ('trunc'), ('floor'), ('ceil'),
	('abs'), ('power'), ('exp'), ('ln'), ('log'), ('sqrt'), ('greatest'), ('least'),
	('generate_series'), ('unnest'), ('array_to_string'), ('string_to_array'),
	('pg_get_userbyid'), ('has_table_privilege'), ('has_function_privilege'),
	('current_database'), ('session_user'), ('current_user'), ('pg_backend_pid'),
	('int4'), ('int8'), ('float8'), ('numeric'), ('text'), ('date'), ('timestamptz'),
	('interval_pl'), ('textcat'), ('texteq'), ('int4pl'), ('int8pl'), ('timestamptz_pl_interval'),
	('age'), ('justify_interval'), ('extract'), ('overlay'), ('position'), ('pg_column_size');

-- the operand/argument types whose overloads are shadowed
CREATE TEMP TABLE cw_shadow_types (t regtype PRIMARY KEY);
INSERT INTO cw_shadow_types VALUES
	('text'), ('varchar'), ('name'), ('bpchar'), ('"char"'), ('int2'), ('int4'), ('int8'),
	('numeric'), ('float4'), ('float8'), ('bool'), ('date'), ('timestamptz'),
	('timestamp'), ('interval'), ('jsonb'), ('json'), ('text[]'), ('int4[]'),
	('int8[]'), ('date[]'), ('bool[]'), ('oid'), ('regclass'), ('bytea'), ('time'), ('timetz');


-- functions: exact signature and the all-text variant
WITH f AS (
	SELECT p.oid, p.proname, p.prorettype::regtype AS rettype, p.proretset,
		p.provariadic <> 0 AS variadic, array(SELECT unnest(p.proargtypes::regtype[])) AS argtypes, p.pronargs
	FROM pg_proc p
	WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.prokind = 'f'
		AND p.proname IN (SELECT name FROM cw_shadow_names)
		AND p.proallargtypes IS NULL
		AND (p.prorettype IN (SELECT t FROM cw_shadow_types) OR p.prorettype = 'void'::regtype)
		AND NOT EXISTS (SELECT FROM unnest(p.proargtypes::regtype[]) a(t)
						WHERE a.t NOT IN (SELECT t FROM cw_shadow_types))
),
variant AS (
	SELECT f.*, 'exact' AS kind, f.argtypes AS decl FROM f
	UNION ALL
	SELECT f.*, 'text', array(SELECT CASE WHEN a.t::text LIKE '%[]' THEN 'text[]'::regtype ELSE 'text'::regtype END
							  FROM unnest(f.argtypes) WITH ORDINALITY a(t, i) ORDER BY i)
	FROM f WHERE f.pronargs > 0
		AND EXISTS (SELECT FROM unnest(f.argtypes) a(t) WHERE a.t NOT IN ('text', 'text[]'))
),
ddl AS (
	SELECT DISTINCT ON (v.proname, v.decl) v.proname, v.decl,
		format('CREATE FUNCTION public.%I(%s) RETURNS %s%s LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp AS %L',
			v.proname,
			(SELECT string_agg(CASE WHEN v.variadic AND i = v.pronargs THEN 'VARIADIC ' ELSE '' END || t::text, ', ' ORDER BY i)
			 FROM unnest(v.decl) WITH ORDINALITY a(t, i)),
			CASE WHEN v.proretset THEN 'SETOF ' ELSE '' END, v.rettype,
			format('SELECT public.cw_canary_hit(%L); SELECT %spg_catalog.%I(%s)',
				'public.' || v.proname || '(' || array_to_string(v.decl, ',') || ')',
				CASE WHEN v.proretset THEN '* FROM ' ELSE '' END,
				v.proname,
				(SELECT string_agg(CASE WHEN v.variadic AND i = v.pronargs THEN 'VARIADIC ' ELSE '' END
					|| '$' || i || '::' || orig.t::text, ', ' ORDER BY i)
				 FROM unnest(v.argtypes) WITH ORDINALITY orig(t, i)))) AS stmt
	FROM variant v
	ORDER BY v.proname, v.decl, v.kind
)
SELECT stmt FROM ddl
WHERE NOT EXISTS (SELECT FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
	AND p.proname = ddl.proname AND array(SELECT unnest(p.proargtypes::regtype[])) = ddl.decl)
\gexec

-- operators with the same operand types, and the text variants
WITH o AS (
	SELECT o.oid, o.oprname, o.oprleft::regtype AS l, o.oprright::regtype AS r,
		o.oprresult::regtype AS res
	FROM pg_operator o
	WHERE o.oprnamespace = 'pg_catalog'::regnamespace AND o.oprkind = 'b'
		AND o.oprname IN ('=', '<>', '<', '>', '<=', '>=', '||', '+', '-', '*', '/', '%',
			'->', '->>', '#>', '#>>', '@>', '<@', '?', '?|', '?&', '~', '~*', '~~', '!~', '&&')
		AND o.oprleft IN (SELECT t FROM cw_shadow_types)
		AND o.oprright IN (SELECT t FROM cw_shadow_types)
		AND o.oprresult IN (SELECT t FROM cw_shadow_types)
)
SELECT format('CREATE FUNCTION public.cw_op_%s(%s, %s) RETURNS %s LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp AS %L',
		o.oid, o.l, o.r, o.res,
		format('SELECT public.cw_canary_hit(%L); SELECT $1 OPERATOR(pg_catalog.%s) $2',
			'public.' || o.oprname || '(' || o.l || ',' || o.r || ')', o.oprname))
	|| format('; CREATE OPERATOR public.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = public.cw_op_%s)',
		o.oprname, o.l, o.r, o.oid)
FROM o
\gexec

-- aggregates
CREATE FUNCTION public.cw_count_sf(bigint) RETURNS bigint LANGUAGE sql AS
	$$ SELECT public.cw_canary_hit('public.count(*)'); SELECT $1 OPERATOR(pg_catalog.+) 1 $$;
CREATE AGGREGATE public.count(*) (SFUNC = public.cw_count_sf, STYPE = bigint, INITCOND = '0');
WITH t(t) AS (VALUES ('int4'::regtype), ('int8'), ('numeric'), ('text'), ('timestamptz'), ('date'), ('float8'), ('interval')),
a(agg, fn) AS (VALUES ('max', 'greatest'), ('min', 'least'))
SELECT format('CREATE FUNCTION public.cw_%s_%s(%s, %s) RETURNS %s LANGUAGE sql SET search_path = pg_catalog, pg_temp AS %L; '
	'CREATE AGGREGATE public.%s(%s) (SFUNC = public.cw_%s_%s, STYPE = %s)',
	a.agg, t.t::oid, t.t, t.t, t.t,
	format('SELECT public.cw_canary_hit(%L); SELECT %s($1, $2)', 'public.' || a.agg || '(' || t.t || ')',
		CASE a.fn WHEN 'greatest' THEN 'GREATEST' ELSE 'LEAST' END),
	a.agg, t.t, a.agg, t.t::oid, t.t)
FROM t, a
\gexec
WITH t(t) AS (VALUES ('int4'::regtype), ('int8'), ('numeric'), ('float8'), ('interval'))
SELECT format('CREATE FUNCTION public.cw_sum_%s(%s, %s) RETURNS %s LANGUAGE sql SET search_path = pg_catalog, pg_temp AS %L; '
	'CREATE AGGREGATE public.sum(%s) (SFUNC = public.cw_sum_%s, STYPE = %s)',
	t.t::oid, CASE WHEN t.t IN ('int4', 'int8') THEN 'numeric' ELSE t.t::text END, t.t,
	CASE WHEN t.t IN ('int4', 'int8') THEN 'numeric' ELSE t.t::text END,
	format('SELECT public.cw_canary_hit(%L); SELECT coalesce($1 OPERATOR(pg_catalog.+) $2, $1, $2)', 'public.sum(' || t.t || ')'),
	t.t, t.t::oid, CASE WHEN t.t IN ('int4', 'int8') THEN 'numeric' ELSE t.t::text END)
FROM t
\gexec
CREATE FUNCTION public.cw_string_agg_sf(text, text, text) RETURNS text LANGUAGE sql AS
	$$ SELECT public.cw_canary_hit('public.string_agg(text,text)'); SELECT pg_catalog.concat($1, $3, $2) $$;
CREATE AGGREGATE public.string_agg(text, text) (SFUNC = public.cw_string_agg_sf, STYPE = text);
CREATE FUNCTION public.cw_bool_and_sf(boolean, boolean) RETURNS boolean LANGUAGE sql AS
	$$ SELECT public.cw_canary_hit('public.bool_and(boolean)'); SELECT $1 AND $2 $$;
CREATE AGGREGATE public.bool_and(boolean) (SFUNC = public.cw_bool_and_sf, STYPE = boolean);
CREATE AGGREGATE public.every(boolean) (SFUNC = public.cw_bool_and_sf, STYPE = boolean);
CREATE FUNCTION public.cw_bool_or_sf(boolean, boolean) RETURNS boolean LANGUAGE sql AS
	$$ SELECT public.cw_canary_hit('public.bool_or(boolean)'); SELECT $1 OR $2 $$;
CREATE AGGREGATE public.bool_or(boolean) (SFUNC = public.cw_bool_or_sf, STYPE = boolean);
CREATE FUNCTION public.cw_jsonb_agg_sf(jsonb, jsonb) RETURNS jsonb LANGUAGE sql AS
	$$ SELECT public.cw_canary_hit('public.jsonb_agg(jsonb)'); SELECT coalesce($1, '[]') OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_array($2) $$;
CREATE AGGREGATE public.jsonb_agg(jsonb) (SFUNC = public.cw_jsonb_agg_sf, STYPE = jsonb);

-- a hostile type with implicit casts, and functions and operators taking it
CREATE TYPE public.cw_evil AS (v text);
CREATE FUNCTION public.cw_evil(text) RETURNS public.cw_evil LANGUAGE sql AS
	$$ SELECT public.cw_canary_hit('cast text -> cw_evil'); SELECT ROW($1)::public.cw_evil $$;
CREATE FUNCTION public.cw_evil(integer) RETURNS public.cw_evil LANGUAGE sql AS
	$$ SELECT public.cw_canary_hit('cast integer -> cw_evil'); SELECT ROW($1::text)::public.cw_evil $$;
CREATE FUNCTION public.cw_evil(bigint) RETURNS public.cw_evil LANGUAGE sql AS
	$$ SELECT public.cw_canary_hit('cast bigint -> cw_evil'); SELECT ROW($1::text)::public.cw_evil $$;
CREATE FUNCTION public.cw_evil(jsonb) RETURNS public.cw_evil LANGUAGE sql AS
	$$ SELECT public.cw_canary_hit('cast jsonb -> cw_evil'); SELECT ROW($1::text)::public.cw_evil $$;
CREATE CAST (text AS public.cw_evil) WITH FUNCTION public.cw_evil(text) AS IMPLICIT;
CREATE CAST (integer AS public.cw_evil) WITH FUNCTION public.cw_evil(integer) AS IMPLICIT;
CREATE CAST (bigint AS public.cw_evil) WITH FUNCTION public.cw_evil(bigint) AS IMPLICIT;
CREATE CAST (jsonb AS public.cw_evil) WITH FUNCTION public.cw_evil(jsonb) AS IMPLICIT;
SELECT format('CREATE FUNCTION public.%I(public.cw_evil) RETURNS text LANGUAGE sql SET search_path = pg_catalog, pg_temp AS %L',
	n, format('SELECT public.cw_canary_hit(%L); SELECT ($1).v', 'public.' || n || '(cw_evil)'))
FROM unnest(ARRAY['lower', 'upper', 'length', 'coalesce', 'format', 'nextval', 'jsonb_typeof',
	'isfinite', 'current_setting', 'btrim', 'md5', 'quote_ident', 'now']) n
\gexec
SELECT format('CREATE FUNCTION public.cw_evil_op_%s(%s, public.cw_evil) RETURNS boolean LANGUAGE sql SET search_path = pg_catalog, pg_temp AS %L; '
	'CREATE OPERATOR public.%s (LEFTARG = %s, RIGHTARG = public.cw_evil, FUNCTION = public.cw_evil_op_%s)',
	i, t, format('SELECT public.cw_canary_hit(%L); SELECT true', 'public.' || op || '(' || t || ',cw_evil)'),
	op, t, i)
FROM unnest(ARRAY['=', '<>', '>', '<', '>=', '<=', '||', '+', '@>', '<@', '?'],
	ARRAY['text', 'text', 'integer', 'bigint', 'timestamptz', 'numeric', 'text', 'integer', 'jsonb', 'jsonb', 'jsonb'])
	WITH ORDINALITY AS x(op, t, i)
\gexec

-- collations named like the built-in ones, ordering differently (ICU,
-- punctuation ignored: "a_c" sorts after "ab" instead of before)
CREATE COLLATION public."C" (provider = icu, locale = 'und-u-ka-shifted');
CREATE COLLATION public."POSIX" (provider = icu, locale = 'und-u-ka-shifted');
CREATE COLLATION public."default" (provider = icu, locale = 'und-u-ka-shifted');
CREATE COLLATION public.ucs_basic (provider = icu, locale = 'und-u-ka-shifted');

-- conversions are looked up through search_path too
-- (CREATE DEFAULT CONVERSION needs a C function, so only a plain one)

SELECT count(*) > 100 AS planted_functions FROM pg_proc WHERE pronamespace = 'public'::regnamespace;
SELECT count(*) > 100 AS planted_operators FROM pg_operator WHERE oprnamespace = 'public'::regnamespace;
DROP TABLE cw_shadow_names, cw_shadow_types;
