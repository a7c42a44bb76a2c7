-- install: the extension installs into its own schema, not relocatable
CREATE EXTENSION churnwarn;
SELECT extname, extversion, extrelocatable, n.nspname AS schema
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE extname = 'churnwarn';
SELECT scheme, config_version > 0 AS has_version FROM churnwarn.settings;
SELECT scheme, level, severity, min_score FROM churnwarn.scheme_level ORDER BY scheme, level;
SELECT category, count(*) FROM churnwarn.signal_type GROUP BY category ORDER BY category;
