/*-------------------------------------------------------------------------
 *
 * scan.c
 *	  The grading path's reads as direct index scans: the customer's grade
 *	  row (locked), the customer, its signals and its open warning.
 *
 * These four reads run for every regrade, so they skip SQL: no executor
 * start-up, no plan, no row-security quals.  They read exactly what the
 * kept plans of storage.c read, with the same snapshots: each read
 * advances the command counter and takes the transaction snapshot, as a
 * non-read-only SPI statement does, so an AFTER trigger sees the row that
 * fired it and, under READ COMMITTED, a regrade that waited for the grade
 * row lock sees what the other transaction committed.  Only the write path
 * uses them: the STABLE SQL functions (grade, explain) read through SPI,
 * under the caller's privileges and row security.
 *
 * Relations and indexes are found by name in the churnwarn schema and
 * cached by OID until a relcache invalidation touches one of them (or the
 * extension is dropped and created again).
 *
 * Copyright (c) 2026, churnwarn authors
 *
 * src/scan.c
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
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "churnwarn.h"
#include "storage.h"

/* The relations read here, with the index each is read through. */
typedef enum ScanRel
{
	SR_CUSTOMER,
	SR_GRADE,
	SR_SIGNAL,
	SR_WARNING,
	SR_COUNT
} ScanRel;

typedef struct ScanRelDef
{
	const char *table;			/* table in schema churnwarn */
	const char *index;			/* its btree index on (customer_id, ...) */
	const char *columns[6];		/* columns read, NULL-terminated */
	Oid			types[6];		/* their types, as read here */
} ScanRelDef;

static const ScanRelDef scan_defs[SR_COUNT] = {
	[SR_CUSTOMER] = {"customer", "customer_pkey",
		{"tier", "status", "terminated_at", NULL},
	{TEXTOID, TEXTOID, TIMESTAMPTZOID}},
	[SR_GRADE] = {"customer_grade", "customer_grade_pkey",
		{"level", "customer_id", NULL},
	{INT4OID, TEXTOID}},
	/* partial: status <> 'withdrawn'; ordered by (customer_id, id) */
	[SR_SIGNAL] = {"signal", "signal_customer_idx",
		{"id", "signal_type", "observed_at", "status", "amount", NULL},
	{INT8OID, TEXTOID, TIMESTAMPTZOID, TEXTOID, NUMERICOID}},
	/* partial, unique: status NOT IN ('closed', 'dismissed') */
	[SR_WARNING] = {"warning", "warning_one_open_idx",
		{"id", "status", "proposed_level", "level", "scheme", "assessed_level"},
	{INT8OID, TEXTOID, INT4OID, INT4OID, TEXTOID, INT4OID}},
};

typedef struct ScanRelInfo
{
	Oid			relid;
	Oid			indexid;
	AttrNumber	attnums[6];
} ScanRelInfo;

static ScanRelInfo scan_rels[SR_COUNT];
static bool scan_rels_valid = false;
static bool scan_callback_registered = false;
static uint64 scan_invalidations = 0;	/* invalidations seen */

/* Forget the cached OIDs when one of the relations changes or goes. */
static void
scan_relcache_callback(Datum arg, Oid relid)
{
	int			i;

	scan_invalidations++;
	if (!scan_rels_valid)
		return;
	if (!OidIsValid(relid))
	{
		scan_rels_valid = false;
		return;
	}
	for (i = 0; i < SR_COUNT; i++)
		if (scan_rels[i].relid == relid || scan_rels[i].indexid == relid)
			scan_rels_valid = false;
}

/*
 * churnwarn_relid
 *		A relation of the churnwarn schema by name, or a clear error.
 *		Shared with write.c.
 */
Oid
churnwarn_relid(const char *name)
{
	Oid			relid = get_relname_relid(name, get_namespace_oid("churnwarn", false));

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"churnwarn.%s\" does not exist", name),
				 errhint("Reinstall the extension: DROP EXTENSION churnwarn; CREATE EXTENSION churnwarn;")));
	return relid;
}

/* The index must be a btree whose first column is customer_id (text). */
static void
scan_check_index(const ScanRelDef *def, const ScanRelInfo *info)
{
	AttrNumber	key = get_attnum(info->relid, "customer_id");
	Relation	index = index_open(info->indexid, AccessShareLock);
	bool		ok;

	ok = (index->rd_rel->relam == BTREE_AM_OID &&
		  index->rd_index->indrelid == info->relid &&
		  index->rd_index->indkey.values[0] == key && key > 0 &&
		  get_atttype(info->relid, key) == TEXTOID);
	index_close(index, AccessShareLock);
	if (!ok)
		churnwarn_shape_error(def->table,
							  psprintf("Index \"%s\" is not a btree index on (customer_id, ...).",
									   def->index));
}

/*
 * churnwarn_shape_error
 *		A table of churnwarn's is not of the shape its C code reads or writes
 *		(a column's type, an index): fail clearly rather than misread it.
 *		Shared with write.c.
 */
void
churnwarn_shape_error(const char *table, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("relation \"churnwarn.%s\" is not of the shape churnwarn expects", table),
			 errdetail_internal("%s", detail),
			 errhint("Reinstall the extension: DROP EXTENSION churnwarn; CREATE EXTENSION churnwarn;")));
}

/*
 * The cached OIDs and attribute numbers, looked up if needed, with the
 * column types and the index's access method and first column checked.
 */
static const ScanRelInfo *
scan_rel(ScanRel which)
{
	int			attempt;

	/*
	 * Catalog lookups may take in invalidations: a lookup overtaken by one
	 * is repeated (at most three times; then this call uses what it found
	 * and the next looks again).
	 */
	for (attempt = 0; !scan_rels_valid && attempt < 3; attempt++)
	{
		uint64		seen = scan_invalidations;
		int			i;
		int			k;

		if (!scan_callback_registered)
		{
			CacheRegisterRelcacheCallback(scan_relcache_callback, (Datum) 0);
			scan_callback_registered = true;
		}
		for (i = 0; i < SR_COUNT; i++)
		{
			ScanRelInfo *info = &scan_rels[i];

			info->relid = churnwarn_relid(scan_defs[i].table);
			info->indexid = churnwarn_relid(scan_defs[i].index);
			for (k = 0; k < (int) lengthof(scan_defs[i].columns) &&
				 scan_defs[i].columns[k] != NULL; k++)
			{
				info->attnums[k] = get_attnum(info->relid, scan_defs[i].columns[k]);
				if (info->attnums[k] == InvalidAttrNumber)
					ereport(ERROR,
							(errcode(ERRCODE_UNDEFINED_COLUMN),
							 errmsg("column \"%s\" of relation \"churnwarn.%s\" does not exist",
									scan_defs[i].columns[k], scan_defs[i].table)));
				if (info->attnums[k] < 0 ||
					get_atttype(info->relid, info->attnums[k]) != scan_defs[i].types[k])
					churnwarn_shape_error(scan_defs[i].table,
										  psprintf("Column \"%s\" is not of type %s.",
												   scan_defs[i].columns[k],
												   format_type_be(scan_defs[i].types[k])));
			}
			scan_check_index(&scan_defs[i], info);
		}
		scan_rels_valid = (scan_invalidations == seen);
	}
	return &scan_rels[which];
}

/*
 * A scan of one customer's rows through the relation's index, with the
 * snapshot a non-read-only SPI statement would take.
 */
typedef struct CustomerScan
{
	const ScanRelInfo *info;
	Relation	rel;
	Relation	index;
	Snapshot	snapshot;
	IndexScanDesc scan;
	TupleTableSlot *slot;
} CustomerScan;

static void
customer_scan_begin(CustomerScan *cs, ScanRel which, const char *customer_id,
					LOCKMODE lockmode)
{
	ScanKeyData key;

	cs->info = scan_rel(which);
	CommandCounterIncrement();
	cs->snapshot = RegisterSnapshot(GetTransactionSnapshot());
	cs->rel = table_open(cs->info->relid, lockmode);
	cs->index = index_open(cs->info->indexid, lockmode);
	ScanKeyEntryInitialize(&key, 0, 1, BTEqualStrategyNumber, InvalidOid,
						   cs->index->rd_indcollation[0], F_TEXTEQ,
						   CStringGetTextDatum(customer_id));
	cs->slot = table_slot_create(cs->rel, NULL);
	cs->scan = index_beginscan(cs->rel, cs->index, cs->snapshot, 1, 0);
	index_rescan(cs->scan, &key, 1, NULL, 0);
}

static bool
customer_scan_next(CustomerScan *cs)
{
	return index_getnext_slot(cs->scan, ForwardScanDirection, cs->slot);
}

static void
customer_scan_end(CustomerScan *cs)
{
	index_endscan(cs->scan);
	ExecDropSingleTupleTableSlot(cs->slot);
	index_close(cs->index, NoLock);
	table_close(cs->rel, NoLock);
	UnregisterSnapshot(cs->snapshot);
}

/* Column k of the scan's current row. */
static Datum
col(CustomerScan *cs, int k, bool *isnull)
{
	return slot_getattr(cs->slot, cs->info->attnums[k], isnull);
}

/* Column k as a C string, NULL if null. */
static char *
col_text(CustomerScan *cs, int k)
{
	bool		isnull;
	Datum		d = col(cs, k, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

/* Column k as an int4, 0 if null. */
static int
col_int(CustomerScan *cs, int k)
{
	bool		isnull;
	Datum		d = col(cs, k, &isnull);

	return isnull ? 0 : DatumGetInt32(d);
}

/*
 * churnwarn_scan_lock_grade
 *		SELECT level FROM customer_grade WHERE customer_id = $1 FOR UPDATE,
 *		directly: lock the row exclusively, waiting for its holder; under
 *		READ COMMITTED follow it to its newest version, under REPEATABLE
 *		READ or SERIALIZABLE fail if it was changed or removed since the
 *		snapshot, as the executor does.  False if there is no row.
 */
bool
churnwarn_scan_lock_grade(const char *customer_id, int *prev_level)
{
	CustomerScan cs;
	bool		found;

	customer_scan_begin(&cs, SR_GRADE, customer_id, RowShareLock);
	found = customer_scan_next(&cs) &&
		churnwarn_lock_row(cs.rel, cs.snapshot, cs.slot, GetCurrentCommandId(true),
						   LockTupleExclusive);
	if (found)
	{
		/* a newer version may belong to a renamed customer */
		char	   *key = col_text(&cs, 1);

		if (key == NULL || strcmp(key, customer_id) != 0)
			found = false;
		else
			*prev_level = col_int(&cs, 0);
	}
	customer_scan_end(&cs);
	return found;
}

/*
 * churnwarn_lock_row
 *		Lock the row version in slot as SELECT ... FOR UPDATE or UPDATE
 *		would (mode), waiting for its holder: under READ COMMITTED follow it
 *		to its newest version (left in slot), under REPEATABLE READ or
 *		SERIALIZABLE fail if it was changed or removed since snapshot.
 *		False if it is gone, or was changed by this very command (skipped,
 *		as the executor does).  Shared with write.c.
 */
bool
churnwarn_lock_row(Relation rel, Snapshot snapshot, TupleTableSlot *slot,
				   CommandId cid, LockTupleMode mode)
{
	ItemPointerData tid = slot->tts_tid;
	TM_FailureData tmfd;
	TM_Result	result;

	result = table_tuple_lock(rel, &tid, snapshot, slot, cid, mode, LockWaitBlock,
							  TUPLE_LOCK_FLAG_LOCK_UPDATE_IN_PROGRESS |
							  (IsolationUsesXactSnapshot() ? 0 :
							   TUPLE_LOCK_FLAG_FIND_LAST_VERSION),
							  &tmfd);
	switch (result)
	{
		case TM_Ok:
			return true;
		case TM_Updated:
		case TM_Deleted:
			if (IsolationUsesXactSnapshot())
				ereport(ERROR,
						(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
						 errmsg("could not serialize access due to concurrent update")));
			return false;		/* gone (READ COMMITTED followed any update) */
		case TM_SelfModified:
			return false;
		default:
			elog(ERROR, "unexpected table_tuple_lock status on %s: %d",
				 RelationGetRelationName(rel), (int) result);
	}
	return false;				/* keep the compiler quiet */
}

/*
 * churnwarn_scan_customer
 *		The customer's tier, status and termination time; false if there is
 *		no such customer.
 */
bool
churnwarn_scan_customer(const char *customer_id, char **tier, char **status,
						bool *has_terminated, TimestampTz *terminated_at)
{
	CustomerScan cs;
	bool		found;

	customer_scan_begin(&cs, SR_CUSTOMER, customer_id, AccessShareLock);
	found = customer_scan_next(&cs);
	if (found)
	{
		bool		isnull;
		Datum		d;

		*tier = col_text(&cs, 0);
		*status = col_text(&cs, 1);
		d = col(&cs, 2, &isnull);
		*has_terminated = !isnull;
		*terminated_at = isnull ? 0 : DatumGetTimestampTz(d);
	}
	customer_scan_end(&cs);
	return found;
}

/*
 * decode_signal
 *		One row of churnwarn.signal (in slot) as a grading row; false for a
 *		withdrawn signal (the index is partial; belt and braces).
 */
static bool
decode_signal(const ChurnwarnConfig *cfg, const ScanRelInfo *info,
			  TupleTableSlot *slot, ChurnwarnSignalRow *r)
{
	bool		isnull;
	Datum		d;
	char	   *type;
	char	   *status;

	d = slot_getattr(slot, info->attnums[3], &isnull);
	status = isnull ? NULL : TextDatumGetCString(d);
	if (status == NULL || strcmp(status, "withdrawn") == 0)
		return false;
	memset(r, 0, sizeof(*r));
	r->id = DatumGetInt64(slot_getattr(slot, info->attnums[0], &isnull));
	d = slot_getattr(slot, info->attnums[1], &isnull);
	type = isnull ? NULL : TextDatumGetCString(d);
	r->type_index = type ? churnwarn_config_find_type(cfg, type) : -1;
	if (r->type_index < 0)
		elog(ERROR, "signal type \"%s\" missing from the configuration cache",
			 type ? type : "(null)");
	r->observed_at = DatumGetTimestampTz(slot_getattr(slot, info->attnums[2], &isnull));
	r->resolved = (strcmp(status, "resolved") == 0);
	d = slot_getattr(slot, info->attnums[4], &isnull);
	r->has_amount = !isnull;
	r->amount = isnull ? 0 : DatumGetFloat8(DirectFunctionCall1(numeric_float8, d));
	return true;
}

/*
 * The signals of many customers, read ahead in passes for a statement that
 * regrades them all (churnwarn_signal_trigger): their index entries first,
 * customer by customer, then the rows in the order they lie in the table,
 * instead of one index scan per customer jumping about the heap (a bulk
 * load in random customer order puts a customer's signals on as many
 * pages as it has signals).  Kept until the caller forgets them and frees
 * their memory after the pass; a signal written meanwhile (a trigger of a
 * ledger table reporting one) makes churnwarn_prefetch_signals_forget drop
 * them all.
 */
typedef struct PrefetchTid
{
	ItemPointerData tid;
	int			k;				/* which customer */
} PrefetchTid;

static int	prefetch_n = 0;
static char **prefetch_ids = NULL;	/* sorted, unique */
static ChurnwarnSignalRow **prefetch_rows = NULL;
static int *prefetch_counts = NULL;

static int
prefetch_tid_cmp(const void *a, const void *b)
{
	return ItemPointerCompare((ItemPointer) &((const PrefetchTid *) a)->tid,
							  (ItemPointer) &((const PrefetchTid *) b)->tid);
}

static int
signal_row_cmp(const void *a, const void *b)
{
	int64		x = ((const ChurnwarnSignalRow *) a)->id;
	int64		y = ((const ChurnwarnSignalRow *) b)->id;

	return (x > y) - (x < y);
}

/* The prefetched signals of customer_id, copied, if it was prefetched. */
static bool
prefetch_lookup(const char *customer_id, ChurnwarnSignalRow **rows, int *n)
{
	int			lo = 0;
	int			hi = prefetch_n - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int			c = strcmp(customer_id, prefetch_ids[mid]);

		if (c == 0)
		{
			*n = prefetch_counts[mid];
			*rows = palloc0(sizeof(ChurnwarnSignalRow) * Max(*n, 1));
			if (*n > 0)
				memcpy(*rows, prefetch_rows[mid], sizeof(ChurnwarnSignalRow) * *n);
			return true;
		}
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return false;
}

/*
 * churnwarn_prefetch_signals
 *		Read the signals of the first customers of ids (n of them, sorted,
 *		unique, their grade rows already locked) into memory in cxt, with the
 *		snapshot a scan of each would take now; return how many customers
 *		were read, at least one.  The index entries are collected customer
 *		by customer until they reach what work_mem holds of rows and entries
 *		(the customer that crosses it is taken whole: a customer's signals
 *		are never split), so that customers with long histories do not make
 *		one pass hold them all.  Each customer's rows are allocated at once,
 *		at the count of its entries, and decoded in a context reset per row.
 */
int
churnwarn_prefetch_signals(const ChurnwarnConfig *cfg, char **ids, int n,
						   MemoryContext cxt)
{
	const ScanRelInfo *info = scan_rel(SR_SIGNAL);
	MemoryContext old;
	MemoryContext rowcxt;
	Snapshot	snapshot;
	Relation	rel;
	Relation	index;
	IndexScanDesc scan;
	IndexFetchTableData *fetch;
	TupleTableSlot *slot;
	PrefetchTid *refs;
	int			nrefs = 0;
	int			cap;
	int		   *entries;
	int			k;
	int			i;
	int64		budget;

	/* rows that fit in work_mem, with their index entries */
	budget = (int64) work_mem * 1024 /
		(int64) (sizeof(ChurnwarnSignalRow) + sizeof(PrefetchTid));
	cap = (int) Min((int64) Min(n, 8192) * 8, budget + 64);
	cap = Max(cap, 64);

	churnwarn_prefetch_signals_forget();
	old = MemoryContextSwitchTo(cxt);
	refs = palloc(sizeof(PrefetchTid) * cap);

	CommandCounterIncrement();
	snapshot = RegisterSnapshot(GetTransactionSnapshot());
	rel = table_open(info->relid, AccessShareLock);
	index = index_open(info->indexid, AccessShareLock);
	scan = index_beginscan(rel, index, snapshot, 1, 0);
	for (k = 0; k < n; k++)
	{
		ScanKeyData key;
		ItemPointer tid;

		ScanKeyEntryInitialize(&key, 0, 1, BTEqualStrategyNumber, InvalidOid,
							   index->rd_indcollation[0], F_TEXTEQ,
							   CStringGetTextDatum(ids[k]));
		index_rescan(scan, &key, 1, NULL, 0);
		while ((tid = index_getnext_tid(scan, ForwardScanDirection)) != NULL)
		{
			if (nrefs == cap)
			{
				cap *= 2;
				refs = repalloc_huge(refs, sizeof(PrefetchTid) * cap);
			}
			refs[nrefs].tid = *tid;
			refs[nrefs].k = k;
			nrefs++;
		}
		CHECK_FOR_INTERRUPTS();
		if (nrefs >= budget)
		{
			k++;				/* this customer is in, the next ones wait */
			break;
		}
	}
	index_endscan(scan);
	n = k;

	/* each customer's rows at once: no more than it has index entries */
	prefetch_ids = ids;
	prefetch_rows = palloc(sizeof(ChurnwarnSignalRow *) * n);
	prefetch_counts = palloc0(sizeof(int) * n);
	entries = palloc0(sizeof(int) * n);
	for (i = 0; i < nrefs; i++)
		entries[refs[i].k]++;
	for (k = 0; k < n; k++)
		prefetch_rows[k] = entries[k] > 0 ?
			palloc(sizeof(ChurnwarnSignalRow) * entries[k]) : NULL;
	pfree(entries);

	qsort(refs, nrefs, sizeof(PrefetchTid), prefetch_tid_cmp);
	rowcxt = AllocSetContextCreate(CurrentMemoryContext,
								   "churnwarn prefetched signal",
								   ALLOCSET_SMALL_SIZES);
	slot = table_slot_create(rel, NULL);
	fetch = table_index_fetch_begin(rel);
	for (i = 0; i < nrefs; i++)
	{
		bool		call_again = false;
		bool		all_dead = false;
		bool		counts;
		ChurnwarnSignalRow row;

		if (!table_index_fetch_tuple(fetch, &refs[i].tid, snapshot, slot,
									 &call_again, &all_dead))
			continue;
		MemoryContextSwitchTo(rowcxt);
		counts = decode_signal(cfg, info, slot, &row);
		MemoryContextSwitchTo(cxt);
		MemoryContextReset(rowcxt);
		ExecClearTuple(slot);
		if (!counts)
			continue;
		k = refs[i].k;
		prefetch_rows[k][prefetch_counts[k]++] = row;
	}
	table_index_fetch_end(fetch);
	ExecDropSingleTupleTableSlot(slot);
	MemoryContextDelete(rowcxt);
	index_close(index, NoLock);
	table_close(rel, NoLock);
	UnregisterSnapshot(snapshot);

	/* in signal id order, as the index scan of one customer returns them */
	for (k = 0; k < n; k++)
		if (prefetch_counts[k] > 1)
			qsort(prefetch_rows[k], prefetch_counts[k], sizeof(ChurnwarnSignalRow),
				  signal_row_cmp);
	pfree(refs);
	MemoryContextSwitchTo(old);
	prefetch_n = n;
	return n;
}

/* Forget the prefetched signals (their memory is the caller's to free). */
void
churnwarn_prefetch_signals_forget(void)
{
	prefetch_n = 0;
	prefetch_ids = NULL;
	prefetch_rows = NULL;
	prefetch_counts = NULL;
}

/*
 * churnwarn_scan_signals
 *		The customer's signals that count (not withdrawn), in id order.
 */
int
churnwarn_scan_signals(const ChurnwarnConfig *cfg, const char *customer_id,
					   ChurnwarnSignalRow **rows)
{
	CustomerScan cs;
	int			n = 0;
	int			cap = 16;
	ChurnwarnSignalRow *r;

	if (prefetch_lookup(customer_id, rows, &n))
		return n;
	r = palloc0(sizeof(ChurnwarnSignalRow) * cap);
	customer_scan_begin(&cs, SR_SIGNAL, customer_id, AccessShareLock);
	while (customer_scan_next(&cs))
	{
		if (n == cap)
		{
			cap *= 2;
			r = repalloc(r, sizeof(ChurnwarnSignalRow) * cap);
			memset(r + n, 0, sizeof(ChurnwarnSignalRow) * (cap - n));
		}
		if (decode_signal(cfg, cs.info, cs.slot, &r[n]))
			n++;
	}
	customer_scan_end(&cs);
	*rows = r;
	return n;
}

/* The customer's open (not closed or dismissed) warning, if any. */
bool
churnwarn_scan_open_warning(const char *customer_id, ChurnwarnWarningRow *w)
{
	CustomerScan cs;
	bool		found = false;

	memset(w, 0, sizeof(*w));
	customer_scan_begin(&cs, SR_WARNING, customer_id, AccessShareLock);
	while (!found && customer_scan_next(&cs))
	{
		bool		isnull;
		char	   *status = col_text(&cs, 1);

		if (status == NULL || strcmp(status, "closed") == 0 ||
			strcmp(status, "dismissed") == 0)
			continue;			/* the index is partial; belt and braces */
		w->id = DatumGetInt64(col(&cs, 0, &isnull));
		w->status = status;
		w->proposed_level = col_int(&cs, 2);
		w->level = col_int(&cs, 3);
		w->scheme = col_text(&cs, 4);
		w->assessed_level = col_int(&cs, 5);
		found = true;
	}
	customer_scan_end(&cs);
	return found;
}
