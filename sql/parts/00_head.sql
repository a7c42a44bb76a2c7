/* churnwarn install script, assembled from sql/parts/ by the Makefile */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION churnwarn" to load this file. \quit

/*
 * A plain CREATE SCHEMA (not IF NOT EXISTS): it fails if somebody
 * pre-created the schema to plant objects in it, and the schema becomes a
 * member of the extension.
 */
CREATE SCHEMA churnwarn;
COMMENT ON SCHEMA churnwarn IS 'churnwarn: customer churn early warning and recovery';
REVOKE ALL ON SCHEMA churnwarn FROM PUBLIC;
