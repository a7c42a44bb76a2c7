/*-------------------------------------------------------------------------
 *
 * write.c
 *	  The grading pipeline's ledger writes without SQL: a grade_history and
 *	  a warning_event row per level change, a new warning, the customer's
 *	  grade row.
 *
 * A level change writes three or four rows.  Through SPI each costs an
 * executor start-up, and its table's CHECK constraints are read back from
 * their stored text and planned again for every statement (the executor
 * keeps them per statement only).  Here each row goes through the
 * executor's single-relation routines (ExecSimpleRelationInsert/Update, as
 * logical replication applies a change) with the table's defaults and
 * CHECK constraints planned once per backend and kept until the relcache
 * says the table changed.  What SQL would do still happens: defaults
 * (sequences, now()), NOT NULL and CHECK constraints, indexes, and the
 * table's row triggers, so foreign keys are checked and every row gets its
 * audit row, in this transaction.  Like the reads of scan.c these writes
 * are the extension's own consequences of a change the caller was allowed
 * to make: they are not checked against the caller's table privileges or
 * row security, and defaults (nextval) are evaluated as the table's owner.
 *
 * Copyright (c) 2026, churnwarn authors
 *
 * src/write.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_am_d.h"
#include "catalog/pg_type_d.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "rewrite/rewriteHandler.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "churnwarn.h"
#include "storage.h"

#define WRITE_MAX_COLS 9

typedef struct WriteTableDef
{
	const char *table;			/* in schema churnwarn */
	const char *columns[WRITE_MAX_COLS + 1];	/* written, NULL-terminated */
	Oid			types[WRITE_MAX_COLS];	/* their types, as the callers build them */
} WriteTableDef;

#define TSTZ TIMESTAMPTZOID
static const WriteTableDef write_defs[CW_W_COUNT] = {
	[CW_W_WARNING] = {"warning",
		{"customer_id", "scheme", "proposed_level", "first_signal_id", "opened_at",
		"observed_at", "report_due", "assess_due", "updated_at", NULL},
	{TEXTOID, TEXTOID, INT4OID, INT8OID, TSTZ, TSTZ, TSTZ, TSTZ, TSTZ}},
	[CW_W_EVENT] = {"warning_event",
		{"warning_id", "customer_id", "at", "event", "actor", "from_level",
		"to_level", "detail", NULL},
	{INT8OID, TEXTOID, TSTZ, TEXTOID, TEXTOID, INT4OID, INT4OID, JSONBOID}},
	[CW_W_HISTORY] = {"grade_history",
		{"customer_id", "at", "from_level", "to_level", "score", "config_version",
		"warning_id", "signal_id", "explanation", NULL},
	{TEXTOID, TSTZ, INT4OID, INT4OID, FLOAT8OID, INT8OID, INT8OID, INT8OID, JSONBOID}},
	/* updated by key (the first column, by the primary key), not inserted */
	[CW_W_GRADE] = {"customer_grade",
		{"customer_id", "level", "score", "config_version", "graded_at", NULL},
	{TEXTOID, INT4OID, FLOAT8OID, INT8OID, TSTZ}},
	[CW_W_WARNING_LEVEL] = {"warning",
		{"id", "proposed_level", "updated_at", "status", "closed_at", NULL},
	{INT8OID, INT4OID, TSTZ, TEXTOID, TSTZ}},
	/* not written here: its CHECK plans serve churnwarn's own SPI inserts */
	[CW_W_SIGNAL] = {"signal", {NULL}, {InvalidOid}},
};
#undef TSTZ

/* What a table's rows need, planned once: kept in its own context. */
typedef struct WriteTable
{
	Oid			relid;
	bool		valid;			/* false: rebuild before the next write */
	MemoryContext context;		/* holds everything below; freed on rebuild */
	int			ncols;
	AttrNumber	attnums[WRITE_MAX_COLS];	/* the written columns */
	AttrNumber	id_attnum;		/* column "id", or 0 */
	int			natts;
	Expr	  **defaults;		/* per attribute: planned default, or NULL */
	int			ncheck;
	char	  **ccnames;		/* CHECK constraints, in the relcache's order */
	Expr	  **checks;			/* their planned expressions */
	Oid			key_index;		/* updates: the primary key, on the key column */
	Bitmapset  *updated_cols;	/* updates: the columns set */
	Oid			built_by;		/* the user planning ran as (see the hook) */
} WriteTable;

static WriteTable write_tables[CW_W_COUNT];
static MemoryContext write_context = NULL;

/* Invalidations seen; a plan built while one arrives is not kept. */
static uint64 write_invalidations = 0;

/* Forget a table's plan when the relcache says it changed. */
static void
write_relcache_callback(Datum arg, Oid relid)
{
	int			i;

	write_invalidations++;
	for (i = 0; i < CW_W_COUNT; i++)
		if (!OidIsValid(relid) || write_tables[i].relid == relid)
			write_tables[i].valid = false;
}

/* A function changed: defaults and constraints may have inlined it. */
static void
write_proc_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	write_relcache_callback(arg, InvalidOid);
}


/*
 * write_table_build
 *		Plan a table's defaults and CHECK constraints (as the executor
 *		would, with expression_planner) from the open relation.
 */
static void
write_table_build(WriteTable *wt, const WriteTableDef *def, Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	TupleConstr *constr = desc->constr;
	MemoryContext old;
	uint64		seen = write_invalidations;
	int			i;

	/*
	 * The previous plan may still be in use by a write further up the stack
	 * (a trigger of a ledger table that reports a signal): it goes with the
	 * transaction, not now.
	 */
	if (wt->context != NULL)
		MemoryContextSetParent(wt->context, TopTransactionContext);
	wt->context = AllocSetContextCreate(write_context, "churnwarn write plan",
										ALLOCSET_SMALL_SIZES);
	wt->valid = false;
	wt->relid = RelationGetRelid(rel);
	old = MemoryContextSwitchTo(wt->context);

	wt->ncols = 0;
	for (i = 0; def->columns[i] != NULL; i++)
	{
		AttrNumber	attnum = get_attnum(wt->relid, def->columns[i]);

		if (attnum == InvalidAttrNumber)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of relation \"churnwarn.%s\" does not exist",
							def->columns[i], def->table)));
		if (attnum < 0 || TupleDescAttr(desc, attnum - 1)->atttypid != def->types[i] ||
			TupleDescAttr(desc, attnum - 1)->attgenerated)
			churnwarn_shape_error(def->table,
								  psprintf("Column \"%s\" is not a plain column of type %s.",
										   def->columns[i], format_type_be(def->types[i])));
		wt->attnums[wt->ncols++] = attnum;
	}
	wt->id_attnum = get_attnum(wt->relid, "id");
	if (wt->id_attnum < 0 ||
		(wt->id_attnum > 0 && TupleDescAttr(desc, wt->id_attnum - 1)->atttypid != INT8OID))
		wt->id_attnum = 0;

	wt->natts = desc->natts;
	wt->defaults = palloc0(sizeof(Expr *) * Max(desc->natts, 1));
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		Node	   *expr;
		int			k;
		bool		supplied = false;

		for (k = 0; k < wt->ncols; k++)
			if (wt->attnums[k] == i + 1)
				supplied = true;
		/* as SQL: no default for a column given a value */
		if (att->attisdropped || att->attgenerated || supplied)
			continue;
		expr = build_column_default(rel, i + 1);
		if (expr != NULL)
			wt->defaults[i] = expression_planner((Expr *) expr);
	}

	wt->ncheck = constr ? constr->num_check : 0;
	wt->ccnames = palloc0(sizeof(char *) * Max(wt->ncheck, 1));
	wt->checks = palloc0(sizeof(Expr *) * Max(wt->ncheck, 1));
	for (i = 0; i < wt->ncheck; i++)
	{
		wt->ccnames[i] = pstrdup(constr->check[i].ccname);
		wt->checks[i] = expression_planner((Expr *) stringToNode(constr->check[i].ccbin));
	}

	wt->key_index = InvalidOid;
	wt->updated_cols = NULL;
	if (def == &write_defs[CW_W_GRADE] || def == &write_defs[CW_W_WARNING_LEVEL])
	{
		Relation	index;
		bool		ok;

		wt->key_index = RelationGetPrimaryKeyIndex(rel);
		if (!OidIsValid(wt->key_index))
			churnwarn_shape_error(def->table, "It has no primary key.");
		index = index_open(wt->key_index, AccessShareLock);
		ok = (index->rd_rel->relam == BTREE_AM_OID &&
			  index->rd_index->indnkeyatts == 1 &&
			  index->rd_index->indkey.values[0] == wt->attnums[0]);
		index_close(index, AccessShareLock);
		if (!ok)
			churnwarn_shape_error(def->table,
								  psprintf("Its primary key is not a btree on \"%s\" alone.",
										   def->columns[0]));
		for (i = 1; i < wt->ncols; i++)
			wt->updated_cols = bms_add_member(wt->updated_cols,
											  wt->attnums[i] - FirstLowInvalidHeapAttributeNumber);
	}
	MemoryContextSwitchTo(old);
	/* an invalidation that came in meanwhile makes the next write build again */
	wt->built_by = GetUserId();
	wt->valid = (write_invalidations == seen);
}

/* Does the plan still match the relation's CHECK constraints? */
static bool
write_table_matches(const WriteTable *wt, Relation rel)
{
	TupleConstr *constr = RelationGetDescr(rel)->constr;
	int			ncheck = constr ? constr->num_check : 0;
	int			i;

	if (!wt->valid || wt->relid != RelationGetRelid(rel) ||
		wt->natts != RelationGetDescr(rel)->natts || wt->ncheck != ncheck)
		return false;
	for (i = 0; i < ncheck; i++)
		if (strcmp(wt->ccnames[i], constr->check[i].ccname) != 0)
			return false;
	return true;
}

/*
 * A write in progress: the relation, an executor state with its result
 * relation (indexes open, CHECK constraints prepared from the plan) and a
 * slot, at the command id and snapshot a statement would have.
 */
typedef struct Write
{
	WriteTable *wt;
	Relation	rel;
	EState	   *estate;
	ResultRelInfo *ri;
	TupleTableSlot *slot;
	Snapshot	snapshot;
} Write;

static void
write_init(void)
{
	if (write_context == NULL)
	{
		write_context = AllocSetContextCreate(CacheMemoryContext,
											  "churnwarn write plans",
											  ALLOCSET_SMALL_SIZES);
		CacheRegisterRelcacheCallback(write_relcache_callback, (Datum) 0);
		CacheRegisterSyscacheCallback(PROCOID, write_proc_callback, (Datum) 0);
	}
}

/* The table's CHECK constraints, in the order ExecConstraints reads them. */
static void
write_prepare_checks(const WriteTable *wt, ResultRelInfo *ri, EState *estate)
{
	MemoryContext old;
	int			i;

	if (wt->ncheck == 0)
		return;
	old = MemoryContextSwitchTo(estate->es_query_cxt);
	ri->ri_ConstraintExprs = palloc(sizeof(ExprState *) * wt->ncheck);
	for (i = 0; i < wt->ncheck; i++)
		ri->ri_ConstraintExprs[i] = ExecInitExpr(wt->checks[i], NULL);
	MemoryContextSwitchTo(old);
}

static void
write_begin(Write *w, ChurnwarnWriteTable which)
{
	const WriteTableDef *def = &write_defs[which];
	RangeTblEntry *rte;
	MemoryContext oldcxt;
	Oid			relid;
	int			i;

	write_init();

	/* as a non-read-only SPI statement: see what the transaction did so far */
	CommandCounterIncrement();
	w->snapshot = RegisterSnapshot(GetTransactionSnapshot());

	/*
	 * The plan's relation while the plan is valid (dropping the table
	 * invalidates it; a drop committed since this transaction began shows
	 * only once the lock is taken), else looked up by name.
	 */
	w->wt = &write_tables[which];
	w->rel = w->wt->valid ? try_table_open(w->wt->relid, RowExclusiveLock) : NULL;
	if (w->rel == NULL)
		w->rel = table_open(churnwarn_relid(def->table), RowExclusiveLock);
	relid = RelationGetRelid(w->rel);
	if (!write_table_matches(w->wt, w->rel))
		write_table_build(w->wt, def, w->rel);

	w->estate = CreateExecutorState();
	oldcxt = MemoryContextSwitchTo(w->estate->es_query_cxt);
	rte = makeNode(RangeTblEntry);
	rte->rtekind = RTE_RELATION;
	rte->relid = relid;
	rte->relkind = RELKIND_RELATION;
	rte->rellockmode = RowExclusiveLock;
	/* the columns an update sets, for UPDATE OF triggers and generated columns */
	rte->updatedCols = bms_copy(w->wt->updated_cols);
	if (rte->updatedCols != NULL)
	{
		TupleDesc	desc = RelationGetDescr(w->rel);

		/* every stored generated column is computed again: a superset is correct */
		for (i = 0; i < desc->natts; i++)
			if (TupleDescAttr(desc, i)->attgenerated == ATTRIBUTE_GENERATED_STORED)
				rte->extraUpdatedCols =
					bms_add_member(rte->extraUpdatedCols,
								   i + 1 - FirstLowInvalidHeapAttributeNumber);
	}
	ExecInitRangeTable(w->estate, list_make1(rte));
	w->ri = makeNode(ResultRelInfo);
	InitResultRelInfo(w->ri, w->rel, 1, NULL, 0);
	MemoryContextSwitchTo(oldcxt);
	/* where the after triggers look for the relation's result info */
	w->estate->es_opened_result_relations = list_make1(w->ri);
	w->estate->es_output_cid = GetCurrentCommandId(true);
	w->estate->es_snapshot = w->snapshot;
	ExecOpenIndices(w->ri, false);
	write_prepare_checks(w->wt, w->ri, w->estate);
	w->slot = ExecInitExtraTupleSlot(w->estate, RelationGetDescr(w->rel),
									 &TTSOpsVirtual);
	/* as SPI would: functions in defaults, checks and triggers see the write */
	PushActiveSnapshot(w->snapshot);
	AfterTriggerBeginQuery();
}

/* Fire the row's after triggers and release what write_begin set up. */
static void
write_end(Write *w)
{
	AfterTriggerEndQuery(w->estate);
	PopActiveSnapshot();
	ExecCloseResultRelations(w->estate);
	ExecResetTupleTable(w->estate->es_tupleTable, false);
	FreeExecutorState(w->estate);
	table_close(w->rel, NoLock);
	UnregisterSnapshot(w->snapshot);
}

/*
 * churnwarn_write_insert
 *		INSERT INTO churnwarn.<table> (<its columns>) VALUES (values), the
 *		other columns from their defaults; returns the new row's id (0 for a
 *		table without one).
 */
int64
churnwarn_write_insert(ChurnwarnWriteTable which, const Datum *values,
					   const bool *nulls)
{
	Write		w;
	TupleTableSlot *slot;
	ExprContext *econtext;
	int64		id = 0;
	Oid			save_userid;
	int			save_sec_context;
	int			i;

	Assert(which != CW_W_GRADE && which != CW_W_WARNING_LEVEL && which != CW_W_SIGNAL);
	write_begin(&w, which);
	slot = w.slot;
	econtext = GetPerTupleExprContext(w.estate);

	/*
	 * Defaults are evaluated as the table's owner, as the row is written on
	 * churnwarn's behalf: nextval() would otherwise ask the caller for a
	 * privilege on the table's id sequence (foreign-key checks switch the
	 * same way).
	 */
	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(w.rel->rd_rel->relowner,
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE);
	ExecClearTuple(slot);
	for (i = 0; i < w.wt->natts; i++)
	{
		slot->tts_values[i] = (Datum) 0;
		slot->tts_isnull[i] = true;
		if (w.wt->defaults[i] != NULL)
		{
			MemoryContext old = MemoryContextSwitchTo(w.estate->es_query_cxt);
			ExprState  *state = ExecInitExpr(w.wt->defaults[i], NULL);

			MemoryContextSwitchTo(old);
			slot->tts_values[i] = ExecEvalExprSwitchContext(state, econtext,
															&slot->tts_isnull[i]);
		}
	}
	SetUserIdAndSecContext(save_userid, save_sec_context);
	for (i = 0; i < w.wt->ncols; i++)
	{
		slot->tts_values[w.wt->attnums[i] - 1] = values[i];
		slot->tts_isnull[w.wt->attnums[i] - 1] = nulls[i];
	}
	ExecStoreVirtualTuple(slot);

	ExecSimpleRelationInsert(w.ri, w.estate, slot);
	if (w.wt->id_attnum > 0 && !slot->tts_isnull[w.wt->id_attnum - 1])
		id = DatumGetInt64(slot->tts_values[w.wt->id_attnum - 1]);
	write_end(&w);
	return id;
}

/*
 * write_find
 *		The row whose key (the first written column, with the equality
 *		function eqfunc) is key, by the table's primary key index, into
 *		slot.  With lock, lock it as UPDATE would: wait for its holder,
 *		under READ COMMITTED follow it to its newest version, under
 *		REPEATABLE READ or SERIALIZABLE fail if it was changed since the
 *		snapshot.  False if there is no such row (or it went meanwhile).
 */
static bool
write_find(Write *w, Datum key, RegProcedure eqfunc, bool lock,
		   TupleTableSlot *slot)
{
	Relation	index;
	IndexScanDesc scan;
	ScanKeyData skey;
	bool		found;

	index = index_open(w->wt->key_index, RowExclusiveLock);
	ScanKeyEntryInitialize(&skey, 0, 1, BTEqualStrategyNumber, InvalidOid,
						   index->rd_indcollation[0], eqfunc, key);
	scan = index_beginscan(w->rel, index, w->snapshot, 1, 0);
	index_rescan(scan, &skey, 1, NULL, 0);
	found = index_getnext_slot(scan, ForwardScanDirection, slot);
	index_endscan(scan);
	index_close(index, NoLock);

	if (found && lock)
		found = churnwarn_lock_row(w->rel, w->snapshot, slot,
								   w->estate->es_output_cid, LockTupleNoKeyExclusive);
	return found;
}

/*
 * write_apply_update
 *		Update the row in old (found, and locked where needed, by
 *		write_find) setting the written columns after the key to values.
 */
static void
write_apply_update(Write *w, TupleTableSlot *old, const Datum *values,
				   const bool *nulls)
{
	TupleTableSlot *slot = w->slot;
	EPQState	epq;
	int			i;

	slot_getallattrs(old);
	ExecClearTuple(slot);
	memcpy(slot->tts_values, old->tts_values, sizeof(Datum) * w->wt->natts);
	memcpy(slot->tts_isnull, old->tts_isnull, sizeof(bool) * w->wt->natts);
	for (i = 1; i < w->wt->ncols; i++)
	{
		slot->tts_values[w->wt->attnums[i] - 1] = values[i];
		slot->tts_isnull[w->wt->attnums[i] - 1] = nulls[i];
	}
	ExecStoreVirtualTuple(slot);
	EvalPlanQualInit(&epq, w->estate, NULL, NIL, -1);
	ExecSimpleRelationUpdate(w->ri, w->estate, &epq, old, slot);
	EvalPlanQualEnd(&epq);
}

/*
 * churnwarn_write_update_grade
 *		UPDATE churnwarn.customer_grade SET level, score, config_version,
 *		graded_at WHERE customer_id = values[0], for a grade row this
 *		transaction holds locked (churnwarn_lock_grade): no concurrent
 *		writer can have moved it.  False if the row is not there.
 */
bool
churnwarn_write_update_grade(const Datum *values, const bool *nulls)
{
	Write		w;
	TupleTableSlot *old;
	bool		found;

	write_begin(&w, CW_W_GRADE);
	old = table_slot_create(w.rel, &w.estate->es_tupleTable);
	found = write_find(&w, values[0], F_TEXTEQ, false, old);
	if (found)
		write_apply_update(&w, old, values, nulls);
	write_end(&w);
	return found;
}

/*
 * churnwarn_write_update_warning_level
 *		UPDATE churnwarn.warning SET proposed_level = level, updated_at = at
 *		(and status 'dismissed', closed_at = at if dismiss) WHERE id =
 *		warning_id, locking the row as UPDATE would.
 */
bool
churnwarn_write_update_warning_level(int64 warning_id, int level, bool dismiss,
									 TimestampTz at)
{
	Datum		v[5];
	bool		n[5] = {false, false, false, false, false};
	Write		w;
	TupleTableSlot *old;
	bool		found;

	write_begin(&w, CW_W_WARNING_LEVEL);
	old = table_slot_create(w.rel, &w.estate->es_tupleTable);
	found = write_find(&w, Int64GetDatum(warning_id), F_INT8EQ, true, old);
	if (found)
	{
		v[0] = Int64GetDatum(warning_id);
		v[1] = Int32GetDatum(level);
		v[2] = TimestampTzGetDatum(at);
		/* status and closed_at keep their values unless it is dismissed */
		slot_getallattrs(old);
		if (dismiss)
		{
			v[3] = CStringGetTextDatum("dismissed");
			v[4] = TimestampTzGetDatum(at);
		}
		else
		{
			v[3] = old->tts_values[w.wt->attnums[3] - 1];
			n[3] = old->tts_isnull[w.wt->attnums[3] - 1];
			v[4] = old->tts_values[w.wt->attnums[4] - 1];
			n[4] = old->tts_isnull[w.wt->attnums[4] - 1];
		}
		write_apply_update(&w, old, v, n);
	}
	write_end(&w);
	return found;
}

/*
 * The INSERT statements churnwarn still runs through SPI, the signals that
 * report_signal and the watch rules write, plan their table's CHECK
 * constraints again from the stored text for every statement, as any SQL
 * INSERT does: for churnwarn.signal's six that is about 150,000
 * instructions, more than a third of the row's own cost.  The statement
 * goes through SPI so that the caller's privileges and row security apply;
 * only its CHECK plans are handed over from the ones kept here.
 * churnwarn_write_exec_sharing marks the next statement the executor
 * starts; the executor start hook gives its result relation the kept
 * plans, if the statement inserts into that very table and the plans still
 * match it.  Anything else (another statement starting first, a table
 * changed meanwhile) leaves the executor to plan the constraints itself.
 */
static ChurnwarnWriteTable checks_for_next = CW_W_COUNT;
static ExecutorStart_hook_type prev_executor_start = NULL;

/*
 * churnwarn_write_exec_sharing
 *		Run a kept SPI plan that inserts into the table of which, handing
 *		its statement the kept CHECK plans; the mark never outlives the
 *		call, even when it fails before the executor starts.
 */
int
churnwarn_write_exec_sharing(ChurnwarnWriteTable which, SPIPlanPtr plan,
							 Datum *values, const char *nulls)
{
	int			rc;

	checks_for_next = which;
	PG_TRY();
	{
		rc = SPI_execute_plan(plan, values, nulls, false, 0);
	}
	PG_FINALLY();
	{
		checks_for_next = CW_W_COUNT;
	}
	PG_END_TRY();
	return rc;
}

static void
write_executor_start(QueryDesc *queryDesc, int eflags)
{
	ChurnwarnWriteTable which = checks_for_next;

	checks_for_next = CW_W_COUNT;
	if (prev_executor_start)
		prev_executor_start(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);

	if (which != CW_W_COUNT && queryDesc->operation == CMD_INSERT &&
		queryDesc->planstate != NULL && IsA(queryDesc->planstate, ModifyTableState))
	{
		ModifyTableState *mt = (ModifyTableState *) queryDesc->planstate;
		ResultRelInfo *ri = mt->resultRelInfo;
		WriteTable *wt = &write_tables[which];

		if (mt->mt_nrels != 1 || ri->ri_ConstraintExprs != NULL)
			return;

		/*
		 * Planning inlines SQL functions only if the planning user may
		 * execute them, and the statement runs as its caller: plans made
		 * for another user are made again.
		 */
		if (!write_table_matches(wt, ri->ri_RelationDesc) || wt->built_by != GetUserId())
		{
			if (RelationGetRelid(ri->ri_RelationDesc) !=
				churnwarn_relid(write_defs[which].table))
				return;
			write_init();
			write_table_build(wt, &write_defs[which], ri->ri_RelationDesc);
		}
		write_prepare_checks(wt, ri, queryDesc->estate);
	}
}

/* _PG_init: chain the executor start hook. */
void
churnwarn_write_install_hook(void)
{
	prev_executor_start = ExecutorStart_hook;
	ExecutorStart_hook = write_executor_start;
}
