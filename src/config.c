/*-------------------------------------------------------------------------
 *
 * config.c
 *	  The per-backend cache of grading configuration and its invalidation.
 *
 * The configuration (active scheme, its levels, the signal catalogue, the
 * tiers) is read once and kept in a memory context under
 * CacheMemoryContext.  Every statement that changes a configuration table
 * fires churnwarn_config_trigger, which raises settings.config_version and
 * registers a relcache invalidation of that table; the relcache callback
 * below then drops the cache in this backend at the next command and in
 * every other backend when the change commits (or locally undoes it if the
 * transaction aborts).  So grading never reads stale configuration and never
 * pays a lookup per row to find out.
 *
 * Copyright (c) 2026, churnwarn authors
 *
 * src/config.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "churnwarn.h"
#include "storage.h"

#define NCONFIG_TABLES 6
static const char *const config_table_names[NCONFIG_TABLES] = {
	"settings", "scheme", "scheme_level", "severity", "signal_type", "tier"
};

static ChurnwarnConfig *config = NULL;	/* NULL when not loaded or stale */
static MemoryContext config_cxt = NULL; /* holds *config */
static Oid	config_relids[NCONFIG_TABLES];	/* tables watched for changes */
static bool callback_registered = false;
static bool bumping_version = false;	/* churnwarn_config_trigger re-entry */

/*
 * config_relcache_callback
 *		Drop the cache when a configuration table is invalidated (or on a
 *		full reset).  Only a flag is cleared here: the old context may still
 *		be in use by a grade being computed, so it is freed later.
 */
static void
config_relcache_callback(Datum arg, Oid relid)
{
	int			i;

	if (config == NULL)
		return;
	if (relid == InvalidOid)
	{
		config = NULL;
		return;
	}
	for (i = 0; i < NCONFIG_TABLES; i++)
	{
		if (config_relids[i] == relid)
		{
			config = NULL;
			return;
		}
	}
}

/* Forget the cached configuration (after use_scheme, for instance). */
void
churnwarn_config_reset(void)
{
	config = NULL;
}

/* Copy a text column of the current SPI row into the cache context. */
static char *
cache_str(HeapTuple tup, TupleDesc desc, int col)
{
	char	   *v = SPI_getvalue(tup, desc, col);

	return MemoryContextStrdup(config_cxt, v ? v : "");
}

/* A float8 column of the current SPI row; NULL gives dflt. */
static double
get_float(HeapTuple tup, TupleDesc desc, int col, double dflt, bool *isnull)
{
	Datum		d = SPI_getbinval(tup, desc, col, isnull);

	return *isnull ? dflt : DatumGetFloat8(d);
}

/*
 * load_config
 *		Read the whole configuration through kept plans (SPI connected) and
 *		validate what the table constraints cannot: levels numbered 1..N
 *		without gaps and thresholds rising with the level.
 */
static ChurnwarnConfig *
load_config(void)
{
	MemoryContext old;
	ChurnwarnConfig *c;
	HeapTuple	tup;
	TupleDesc	desc;
	bool		isnull;
	Datum		v[1];
	uint64		i;
	Oid			nsp;

	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(config_relcache_callback, (Datum) 0);
		callback_registered = true;
	}

	/*
	 * The previous generation may still be referenced by a grade in
	 * progress in this transaction: hand it to the transaction to free.
	 */
	if (config_cxt != NULL)
		MemoryContextSetParent(config_cxt, TopTransactionContext);
	config_cxt = AllocSetContextCreate(CacheMemoryContext,
									   "churnwarn configuration",
									   ALLOCSET_SMALL_SIZES);

	nsp = get_namespace_oid("churnwarn", false);
	for (i = 0; i < NCONFIG_TABLES; i++)
		config_relids[i] = get_relname_relid(config_table_names[i], nsp);

	old = MemoryContextSwitchTo(config_cxt);
	c = palloc0(sizeof(ChurnwarnConfig));
	MemoryContextSwitchTo(old);

	churnwarn_exec(CW_Q_CFG_SETTINGS, NULL, NULL, churnwarn_spi_read_only, SPI_OK_SELECT);
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("table \"churnwarn.settings\" must hold exactly one row")));
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	c->scheme = cache_str(tup, desc, 1);
	c->version = DatumGetInt64(SPI_getbinval(tup, desc, 2, &isnull));
	c->hysteresis = get_float(tup, desc, 3, 0, &isnull);
	c->resolved_factor = get_float(tup, desc, 4, 0.5, &isnull);
	c->breadth_step = get_float(tup, desc, 5, 0, &isnull);
	c->scope_after_termination = *DatumGetIntervalP(SPI_getbinval(tup, desc, 6, &isnull));
	c->report_within = *DatumGetIntervalP(SPI_getbinval(tup, desc, 7, &isnull));

	v[0] = CStringGetTextDatum(c->scheme);
	churnwarn_exec(CW_Q_CFG_LEVELS, v, NULL, churnwarn_spi_read_only, SPI_OK_SELECT);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("scheme \"%s\" has no levels", c->scheme),
				 errhint("Add rows to churnwarn.scheme_level or choose another scheme with churnwarn.use_scheme().")));
	c->nlevels = (int) SPI_processed;
	c->levels = MemoryContextAllocZero(config_cxt, sizeof(ChurnwarnLevel) * c->nlevels);
	for (i = 0; i < SPI_processed; i++)
	{
		ChurnwarnLevel *l = &c->levels[i];

		tup = SPI_tuptable->vals[i];
		desc = SPI_tuptable->tupdesc;
		l->level = DatumGetInt32(SPI_getbinval(tup, desc, 1, &isnull));
		l->severity_rank = DatumGetInt32(SPI_getbinval(tup, desc, 2, &isnull));
		l->min_score = get_float(tup, desc, 3, 0, &isnull);
		l->label_en = cache_str(tup, desc, 4);
		l->label_zh = cache_str(tup, desc, 5);
		if (l->level != (int) i + 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("levels of scheme \"%s\" are not numbered 1 to %d without gaps",
							c->scheme, c->nlevels)));
		if (i > 0 && (l->min_score <= c->levels[i - 1].min_score ||
					  l->severity_rank < c->levels[i - 1].severity_rank))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("level %d of scheme \"%s\" must have a higher min_score and no lower severity than level %d",
							l->level, c->scheme, l->level - 1)));
	}

	churnwarn_exec(CW_Q_CFG_TYPES, NULL, NULL, churnwarn_spi_read_only, SPI_OK_SELECT);
	c->ntypes = (int) SPI_processed;
	c->types = MemoryContextAllocZero(config_cxt,
									  sizeof(ChurnwarnSignalType) * Max(c->ntypes, 1));
	for (i = 0; i < SPI_processed; i++)
	{
		ChurnwarnSignalType *t = &c->types[i];
		char	   *cat;
		int			k;

		tup = SPI_tuptable->vals[i];
		desc = SPI_tuptable->tupdesc;
		t->code = cache_str(tup, desc, 1);
		cat = SPI_getvalue(tup, desc, 2);
		t->category = 0;
		for (k = 0; k < CHURNWARN_NCATEGORIES; k++)
			if (strcmp(cat, churnwarn_category_names[k]) == 0)
				t->category = k;
		t->weight = get_float(tup, desc, 3, 0, &isnull);
		t->half_life = get_float(tup, desc, 4, 0, &isnull);
		t->floor_rank = DatumGetInt32(SPI_getbinval(tup, desc, 5, &isnull));
		if (isnull)
			t->floor_rank = 0;
		t->floor_min_amount = get_float(tup, desc, 6, 0, &isnull);
		t->has_floor_min = !isnull;
	}

	churnwarn_exec(CW_Q_CFG_TIERS, NULL, NULL, churnwarn_spi_read_only, SPI_OK_SELECT);
	c->ntiers = (int) SPI_processed;
	c->tiers = MemoryContextAllocZero(config_cxt, sizeof(ChurnwarnTier) * Max(c->ntiers, 1));
	for (i = 0; i < SPI_processed; i++)
	{
		tup = SPI_tuptable->vals[i];
		desc = SPI_tuptable->tupdesc;
		c->tiers[i].tier = cache_str(tup, desc, 1);
		c->tiers[i].score_factor = get_float(tup, desc, 2, 1, &isnull);
		c->tiers[i].level_raise = DatumGetInt32(SPI_getbinval(tup, desc, 3, &isnull));
	}
	return c;
}

/*
 * churnwarn_config
 *		The current configuration; loads it if needed.  The caller must be
 *		connected to SPI.  The result stays valid until the end of the
 *		transaction even if the cache is invalidated meanwhile.
 */
const ChurnwarnConfig *
churnwarn_config(void)
{
	if (config == NULL)
		config = load_config();
	return config;
}

/* Index of a signal type in cfg->types (binary search by code), or -1. */
int
churnwarn_config_find_type(const ChurnwarnConfig *cfg, const char *code)
{
	int			lo = 0;
	int			hi = cfg->ntypes - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		int			cmp = strcmp(code, cfg->types[mid].code);

		if (cmp == 0)
			return mid;
		if (cmp < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return -1;
}

/* Index of a tier in cfg->tiers, or -1. */
int
churnwarn_config_find_tier(const ChurnwarnConfig *cfg, const char *tier)
{
	int			i;

	for (i = 0; i < cfg->ntiers; i++)
		if (strcmp(cfg->tiers[i].tier, tier) == 0)
			return i;
	return -1;
}

PG_FUNCTION_INFO_V1(churnwarn_config_trigger);

/*
 * churnwarn_config_trigger
 *		AFTER ... FOR EACH STATEMENT on every configuration table: raise the
 *		configuration version and invalidate the cached configuration in
 *		every backend (transactionally, through the relcache).
 */
Datum
churnwarn_config_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager",
						"churnwarn_config_trigger")));
	if (!TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired AFTER ... FOR EACH STATEMENT",
						"churnwarn_config_trigger")));

	CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));
	config = NULL;

	/* The version bump updates settings, whose own trigger must not loop. */
	if (!bumping_version)
	{
		bumping_version = true;
		PG_TRY();
		{
			churnwarn_spi_connect();
			churnwarn_bump_config_version();
			/* refuse configuration that cannot grade, while it is written */
			config = NULL;
			(void) churnwarn_config();
			churnwarn_spi_finish();
		}
		PG_FINALLY();
		{
			bumping_version = false;
		}
		PG_END_TRY();
	}
	return PointerGetDatum(NULL);
}
