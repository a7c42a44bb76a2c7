/*-------------------------------------------------------------------------
 *
 * watch_cache.c
 *	  Per-relation metadata of watched tables and the kept plans of the
 *	  watch feature.
 *
 * The trigger on a watched table (or on a partition of one) needs the
 * customer key column, the customer fields a master table feeds and the
 * rules with their thresholds converted and comparison functions looked up.
 * All of that is built once per relation, by column name against that
 * relation's own descriptor, and kept in an HTAB keyed by relation OID in
 * the "churnwarn watch cache" context under CacheMemoryContext.  A relcache
 * callback marks an entry stale when its relation changes (ALTER, RENAME,
 * DROP COLUMN, ATTACH PARTITION ...) and marks every entry stale when one of
 * the watch configuration tables changes (their statement trigger,
 * churnwarn_watch_config_trigger, sends that invalidation to every session).
 * So a row change on a watched table costs a hash lookup and no query until
 * a rule fires.
 *
 * Copyright (c) 2026, churnwarn authors
 *
 * src/watch_cache.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_type_d.h"
#include "executor/spi.h"
#include "nodes/pg_list.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "churnwarn.h"
#include "storage.h"
#include "watch.h"

typedef struct ChurnwarnWatchQueryDef
{
	const char *sql;			/* query text */
	int			nargs;			/* number of parameters */
	Oid			argtypes[14];	/* their types */
} ChurnwarnWatchQueryDef;

#define EQ " OPERATOR(pg_catalog.=) "
#define CUSTOMER_FIELD(n, col) \
	" " col " = CASE WHEN $14[" #n "] THEN excluded." col " ELSE c." col " END"

static const ChurnwarnWatchQueryDef query_defs[CW_WQ_COUNT] = {
	[CW_WQ_FIND_TABLE] = {
		"SELECT key_column, is_master FROM churnwarn.watched_table"
		" WHERE tbl::pg_catalog.oid" EQ "$1",
		1, {OIDOID}
	},
	[CW_WQ_ATTRIBUTES] = {
		"SELECT field, column_name FROM churnwarn.watched_attribute"
		" WHERE tbl::pg_catalog.oid" EQ "$1 ORDER BY field",
		1, {OIDOID}
	},
	[CW_WQ_RULES] = {
		"SELECT id, column_name, condition, threshold, signal_type FROM churnwarn.watch_rule"
		" WHERE tbl::pg_catalog.oid" EQ "$1 ORDER BY id",
		1, {OIDOID}
	},
	[CW_WQ_INSERT_TABLE] = {
		"INSERT INTO churnwarn.watched_table (tbl, key_column, is_master) VALUES ($1, $2, $3)",
		3, {REGCLASSOID, NAMEOID, BOOLOID}
	},
	[CW_WQ_INSERT_ATTRIBUTE] = {
		"INSERT INTO churnwarn.watched_attribute (tbl, field, column_name) VALUES ($1, $2, $3)",
		3, {REGCLASSOID, TEXTOID, NAMEOID}
	},
	[CW_WQ_INSERT_RULE] = {
		"INSERT INTO churnwarn.watch_rule (tbl, column_name, condition, threshold, signal_type)"
		" VALUES ($1, $2, $3, $4, $5) RETURNING id",
		5, {REGCLASSOID, NAMEOID, TEXTOID, TEXTOID, TEXTOID}
	},
	[CW_WQ_DELETE_TABLE] = {
		"DELETE FROM churnwarn.watched_table WHERE tbl::pg_catalog.oid" EQ "$1",
		1, {OIDOID}
	},
	[CW_WQ_CUSTOMER_UPSERT] = {
		"INSERT INTO churnwarn.customer AS c (customer_id, name, country, region, tier,"
		" annual_value, department, owner, contact, status, calendar, terminated_at, legal_hold)"
		" VALUES ($1, $2, $3, $4, COALESCE($5, 'ordinary'),"
		" COALESCE($6::pg_catalog.numeric, 0), $7, $8, $9,"
		" COALESCE($10, 'active'), $11, $12::pg_catalog.timestamptz,"
		" COALESCE($13::pg_catalog.bool, false))"
		" ON CONFLICT (customer_id) DO UPDATE SET"
		CUSTOMER_FIELD(1, "name") ","
		CUSTOMER_FIELD(2, "country") ","
		CUSTOMER_FIELD(3, "region") ","
		CUSTOMER_FIELD(4, "tier") ","
		CUSTOMER_FIELD(5, "annual_value") ","
		CUSTOMER_FIELD(6, "department") ","
		CUSTOMER_FIELD(7, "owner") ","
		CUSTOMER_FIELD(8, "contact") ","
		CUSTOMER_FIELD(9, "status") ","
		CUSTOMER_FIELD(10, "calendar") ","
		" terminated_at = CASE WHEN $14[11] THEN excluded.terminated_at"
		" WHEN excluded.status" EQ "'terminated'"
		" THEN COALESCE(c.terminated_at, excluded.terminated_at)"
		" ELSE c.terminated_at END,"
		CUSTOMER_FIELD(12, "legal_hold"),
		14, {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID,
		TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, BOOLARRAYOID}
	},
	[CW_WQ_CUSTOMER_RENAME] = {
		"UPDATE churnwarn.customer SET customer_id = $2 WHERE customer_id" EQ "$1"
		" AND NOT EXISTS (SELECT FROM churnwarn.customer WHERE customer_id" EQ "$2)",
		2, {TEXTOID, TEXTOID}
	},
	[CW_WQ_CUSTOMER_TERMINATE] = {
		"UPDATE churnwarn.customer SET status = 'terminated',"
		" terminated_at = COALESCE(terminated_at, $2)"
		" WHERE customer_id" EQ "$1 AND status OPERATOR(pg_catalog.<>) 'terminated'",
		2, {TEXTOID, TIMESTAMPTZOID}
	},
	[CW_WQ_CUSTOMER_STUB] = {
		"INSERT INTO churnwarn.customer (customer_id) VALUES ($1) ON CONFLICT DO NOTHING",
		1, {TEXTOID}
	},
	[CW_WQ_INSERT_SIGNAL] = {
		"INSERT INTO churnwarn.signal (customer_id, signal_type, observed_at, reported_at,"
		" reported_by, source, detail, amount) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
		8, {TEXTOID, TEXTOID, TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID, TEXTOID, JSONBOID,
		FLOAT8OID}
	},
	[CW_WQ_OLDER_THAN_RULES] = {
		"SELECT r.id, r.tbl::pg_catalog.oid, r.column_name, r.threshold, r.signal_type,"
		" w.key_column FROM churnwarn.watch_rule r"
		" JOIN churnwarn.watched_table w ON w.tbl::pg_catalog.oid" EQ "r.tbl::pg_catalog.oid"
		" WHERE r.condition" EQ "'older_than' ORDER BY r.id FOR NO KEY UPDATE OF r",
		0, {InvalidOid}
	},
	[CW_WQ_OPEN_TICK_SIGNAL] = {
		"SELECT 1 FROM churnwarn.signal WHERE customer_id" EQ "$1"
		" AND source" EQ "'tick' AND status" EQ "'open'"
		" AND detail OPERATOR(pg_catalog.@>) $2 LIMIT 1",
		2, {TEXTOID, JSONBOID}
	},
	[CW_WQ_HOLD_CUSTOMER] = {
		"SELECT churnwarn.hold_customer($1, true)",
		1, {TEXTOID}
	},
	[CW_WQ_UPDATE_COLUMNS] = {
		"SELECT w.key_column FROM churnwarn.watched_table w"
		" WHERE w.tbl::pg_catalog.oid" EQ "$1"
		" UNION SELECT a.column_name FROM churnwarn.watched_attribute a"
		" JOIN churnwarn.watched_table w ON w.tbl::pg_catalog.oid" EQ "a.tbl::pg_catalog.oid"
		" WHERE a.tbl::pg_catalog.oid" EQ "$1 AND w.is_master"
		" UNION SELECT r.column_name FROM churnwarn.watch_rule r"
		" WHERE r.tbl::pg_catalog.oid" EQ "$1"
		" AND r.condition OPERATOR(pg_catalog.<>) 'older_than'",
		1, {OIDOID}
	},
	[CW_WQ_WATCHED_TABLES] = {
		"SELECT tbl::pg_catalog.oid FROM churnwarn.watched_table ORDER BY 1",
		0, {InvalidOid}
	},
};

static SPIPlanPtr plans[CW_WQ_COUNT];

/*
 * churnwarn_watch_exec
 *		Execute a kept plan of the watch feature, prepared on first use in
 *		this backend (the plan cache revalidates it when churnwarn's tables
 *		change); check the result code.  The caller is connected to SPI.
 */
int
churnwarn_watch_exec(ChurnwarnWatchQuery q, Datum *values, const char *nulls,
					 bool read_only, int expected)
{
	int			rc;

	if (plans[q] == NULL)
	{
		SPIPlanPtr	plan;

		plan = SPI_prepare(query_defs[q].sql, query_defs[q].nargs,
						   (Oid *) query_defs[q].argtypes);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for churnwarn watch query %d: %s",
				 (int) q, SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed for churnwarn watch query %d", (int) q);
		plans[q] = plan;
	}
	if (q == CW_WQ_INSERT_SIGNAL && !read_only)
		rc = churnwarn_write_exec_sharing(CW_W_SIGNAL, plans[q], values, nulls);
	else if (q == CW_WQ_UPDATE_COLUMNS || q == CW_WQ_WATCHED_TABLES)
	{
		/* what is committed now, whatever the isolation level */
		rc = SPI_execute_snapshot(plans[q], values, nulls, GetLatestSnapshot(),
								  InvalidSnapshot, false, false, 0);
	}
	else
		rc = SPI_execute_plan(plans[q], values, nulls, read_only, 0);
	if (rc != expected)
		elog(ERROR, "churnwarn watch query %d failed: %s", (int) q,
			 SPI_result_code_string(rc));
	return rc;
}

/* The cache: relation OID -> ChurnwarnWatchEntry, in watch_cxt */
static HTAB *watch_cache = NULL;
static MemoryContext watch_cxt = NULL;

/* OIDs of the watch configuration tables (a change invalidates all) */
#define NWATCH_CONFIG 3
static Oid	config_relids[NWATCH_CONFIG];

/*
 * Number of trigger calls using an entry right now.  An entry's memory is
 * only freed at rebuild when nobody can still be using it; a transaction
 * end resets the count (an error may have left it raised).
 */
static int	watch_depth = 0;

/*
 * Count of invalidations that marked something stale.  An entry is valid
 * only if none arrived while it was being built (SPI may process them), and
 * an error during the build leaves it invalid.
 */
static uint64 watch_inval_count = 0;

/* Mark every entry stale. */
static void
invalidate_all(void)
{
	HASH_SEQ_STATUS status;
	ChurnwarnWatchEntry *e;

	watch_inval_count++;
	hash_seq_init(&status, watch_cache);
	while ((e = hash_seq_search(&status)) != NULL)
		e->valid = false;
	memset(config_relids, 0, sizeof(config_relids));
}

/*
 * watch_relcache_callback
 *		A relation changed: its entry is stale; a watch configuration table
 *		changed (or everything was reset): all entries are stale.  Only flags
 *		are set here; memory is freed at the next rebuild.
 */
static void
watch_relcache_callback(Datum arg, Oid relid)
{
	ChurnwarnWatchEntry *e;
	int			i;

	if (watch_cache == NULL)
		return;
	if (relid == InvalidOid)
	{
		invalidate_all();
		return;
	}
	for (i = 0; i < NWATCH_CONFIG; i++)
	{
		if (config_relids[i] == relid)
		{
			invalidate_all();
			return;
		}
	}
	e = hash_search(watch_cache, &relid, HASH_FIND, NULL);
	if (e != NULL)
	{
		e->valid = false;
		watch_inval_count++;
	}
}

/*
 * Reset the in-use count and forget a half-seen cross-partition move at the
 * end of every transaction.
 */
static void
watch_xact_callback(XactEvent event, void *arg)
{
	watch_depth = 0;
	churnwarn_watch_forget_moved();
}

/* Create the cache and register the callbacks, once per backend. */
static void
init_cache(void)
{
	HASHCTL		ctl;

	watch_cxt = AllocSetContextCreate(CacheMemoryContext,
									  "churnwarn watch cache",
									  ALLOCSET_SMALL_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(ChurnwarnWatchEntry);
	ctl.hcxt = watch_cxt;
	watch_cache = hash_create("churnwarn watched relations", 32, &ctl,
							  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	CacheRegisterRelcacheCallback(watch_relcache_callback, (Datum) 0);
	RegisterXactCallback(watch_xact_callback, NULL);
}

/* Look up the configuration tables' OIDs (after a reset). */
static void
resolve_config_relids(void)
{
	static const char *const names[NWATCH_CONFIG] = {
		"watched_table", "watched_attribute", "watch_rule"
	};
	Oid			nsp = get_namespace_oid("churnwarn", false);
	int			i;

	for (i = 0; i < NWATCH_CONFIG; i++)
		config_relids[i] = get_relname_relid(names[i], nsp);
}

/* Column number of a live column by name, or InvalidAttrNumber. */
static AttrNumber
column_attnum(TupleDesc desc, const char *column)
{
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), column) == 0)
			return att->attnum;
	}
	return InvalidAttrNumber;
}

/*
 * churnwarn_watch_resolve_rule
 *		Resolve a rule's column by name in desc and prepare its threshold in
 *		the current memory context; *ok is false if the column is missing.
 */
void
churnwarn_watch_resolve_rule(ChurnwarnRule *rule, TupleDesc desc,
							 const char *column, bool *ok)
{
	Form_pg_attribute att;

	rule->attnum = column_attnum(desc, column);
	*ok = (rule->attnum != InvalidAttrNumber);
	if (!*ok)
		return;
	att = TupleDescAttr(desc, rule->attnum - 1);
	rule->column = pstrdup(column);
	rule->typid = att->atttypid;
	rule->collation = att->attcollation;
	churnwarn_rule_prepare(rule, att->atttypmod);
}

/* Text of column col of SPI result row 0, copied into cxt (NULL stays NULL). */
static char *
spi_text(int row, int col, MemoryContext cxt)
{
	char	   *s = SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);

	return s ? MemoryContextStrdup(cxt, s) : NULL;
}

/*
 * build_entry
 *		Fill e for relation rel from the watch configuration: find the watched
 *		table covering rel (rel itself or its nearest watched ancestor),
 *		resolve its key, fields and rules against rel's descriptor.  Columns
 *		The lookups are not read-only, so they see configuration written
 *		earlier in this transaction (watch() copies a master table right
 *		after registering it).  Columns
 *		that no longer exist are skipped with a WARNING (renames and drops
 *		are followed by the event triggers, so this only happens if those
 *		were disabled).
 */
static void
build_entry(ChurnwarnWatchEntry *e, Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	List	   *candidates = list_make1_oid(RelationGetRelid(rel));
	ListCell   *lc;
	MemoryContext old;
	Datum		v[1];
	char	   *key_column = NULL;
	uint64		i;
	int			n;

	e->cxt = AllocSetContextCreate(watch_cxt, "churnwarn watch entry",
								   ALLOCSET_SMALL_SIZES);
	e->watched = false;
	e->nrules = 0;
	e->rules = NULL;
	e->is_master = false;
	memset(e->field_attnum, 0, sizeof(e->field_attnum));

	if (rel->rd_rel->relispartition)
		candidates = list_concat(candidates,
								 get_partition_ancestors(RelationGetRelid(rel)));

	churnwarn_spi_connect();
	foreach(lc, candidates)
	{
		v[0] = ObjectIdGetDatum(lfirst_oid(lc));
		churnwarn_watch_exec(CW_WQ_FIND_TABLE, v, NULL, false, SPI_OK_SELECT);
		if (SPI_processed > 0)
		{
			bool		isnull;

			e->root = lfirst_oid(lc);
			key_column = spi_text(0, 1, e->cxt);
			e->is_master = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
													  SPI_tuptable->tupdesc, 2,
													  &isnull));
			break;
		}
	}
	if (key_column == NULL)
	{
		churnwarn_spi_finish();
		return;
	}

	old = MemoryContextSwitchTo(e->cxt);
	e->root_name = psprintf("%s.%s",
							get_namespace_name(get_rel_namespace(e->root)),
							get_rel_name(e->root));
	e->key_attnum = column_attnum(desc, key_column);
	MemoryContextSwitchTo(old);
	if (e->key_attnum == InvalidAttrNumber)
	{
		ereport(WARNING,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("customer key column \"%s\" of watched table \"%s\" does not exist",
						key_column, RelationGetRelationName(rel)),
				 errhint("Call churnwarn.unwatch() and churnwarn.watch() again.")));
		churnwarn_spi_finish();
		return;
	}
	{
		bool		varlena;

		getTypeOutputInfo(TupleDescAttr(desc, e->key_attnum - 1)->atttypid,
						  &e->key_typoutput, &varlena);
	}
	e->watched = true;

	v[0] = ObjectIdGetDatum(e->root);
	if (e->is_master)
	{
		churnwarn_watch_exec(CW_WQ_ATTRIBUTES, v, NULL, false, SPI_OK_SELECT);
		for (i = 0; i < SPI_processed; i++)
		{
			char	   *field = spi_text(i, 1, e->cxt);
			char	   *column = spi_text(i, 2, e->cxt);
			int			f = churnwarn_field_from_name(field);
			AttrNumber	attnum = column_attnum(desc, column);
			bool		varlena;

			if (f < 0)
				continue;
			if (attnum == InvalidAttrNumber)
			{
				ereport(WARNING,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("column \"%s\" of watched table \"%s\" does not exist",
								column, RelationGetRelationName(rel)),
						 errdetail("Customer field \"%s\" is not kept in step.", field)));
				continue;
			}
			e->field_attnum[f] = attnum;
			getTypeOutputInfo(TupleDescAttr(desc, attnum - 1)->atttypid,
							  &e->field_typoutput[f], &varlena);
		}
	}

	churnwarn_watch_exec(CW_WQ_RULES, v, NULL, false, SPI_OK_SELECT);
	n = 0;
	e->rules = MemoryContextAllocZero(e->cxt,
									  sizeof(ChurnwarnRule) * Max(SPI_processed, 1));
	for (i = 0; i < SPI_processed; i++)
	{
		ChurnwarnRule *r = &e->rules[n];
		char	   *column = spi_text(i, 2, e->cxt);
		char	   *cond = spi_text(i, 3, e->cxt);
		bool		ok;

		r->id = pg_strtoint64(spi_text(i, 1, e->cxt));
		r->cond = churnwarn_condition_from_name(cond);
		if ((int) r->cond < 0 || r->cond == CW_COND_OLDER_THAN)
			continue;
		r->threshold = spi_text(i, 4, e->cxt);
		r->signal_type = spi_text(i, 5, e->cxt);
		old = MemoryContextSwitchTo(e->cxt);
		churnwarn_watch_resolve_rule(r, desc, column, &ok);
		MemoryContextSwitchTo(old);
		if (!ok)
		{
			ereport(WARNING,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of watched table \"%s\" does not exist",
							column, RelationGetRelationName(rel)),
					 errdetail("Rule " INT64_FORMAT " is not evaluated.", r->id)));
			continue;
		}
		n++;
	}
	e->nrules = n;
	churnwarn_spi_finish();
}

/*
 * churnwarn_watch_entry
 *		The metadata of rel, built on first use and after invalidation.  The
 *		returned entry stays valid until the caller's trigger call ends.
 */
ChurnwarnWatchEntry *
churnwarn_watch_entry(Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	ChurnwarnWatchEntry *e;
	bool		found;
	uint64		generation;

	if (watch_cache == NULL)
		init_cache();
	e = hash_search(watch_cache, &relid, HASH_ENTER, &found);
	if (found && e->valid)
		return e;
	if (!found)
		e->cxt = NULL;
	else if (e->cxt != NULL && watch_depth == 0)
		MemoryContextDelete(e->cxt);
	if (!OidIsValid(config_relids[0]))
		resolve_config_relids();
	e->valid = false;
	generation = watch_inval_count;
	build_entry(e, rel);
	e->valid = (generation == watch_inval_count);
	return e;
}

/* Bracket the use of an entry (see watch_depth). */
void
churnwarn_watch_enter(void)
{
	watch_depth++;
}

void
churnwarn_watch_leave(void)
{
	if (watch_depth > 0)
		watch_depth--;
}
