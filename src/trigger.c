/*-------------------------------------------------------------------------
 *
 * trigger.c
 *	  Trigger functions on churnwarn's signal and customer tables.
 *
 * They only orchestrate: check how they were fired, read the changed row,
 * and hand the customer to the grading pipeline (regrade.c).
 *
 * Copyright (c) 2026, churnwarn authors
 *
 * src/trigger.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "common/hashfn.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "churnwarn.h"
#include "storage.h"

/*
 * check_row_trigger
 *		The trigger protocol checks shared by the row triggers: called by the
 *		trigger manager, AFTER, FOR EACH ROW, on INSERT or UPDATE.
 */
static TriggerData *
check_row_trigger(FunctionCallInfo fcinfo, const char *funcname)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager",
						funcname)));
	if (!TRIGGER_FIRED_AFTER(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired AFTER", funcname)));
	if (!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired for row", funcname)));
	if (!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) &&
		!TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired for INSERT or UPDATE",
						funcname)));
	if (trigdata->tg_trigger->tgnargs != 0)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" takes no trigger arguments", funcname)));
	return trigdata;
}

/* Text value of a named column of a row, or NULL. */
static char *
column_text(HeapTuple tup, TupleDesc desc, const char *column)
{
	int			attno = SPI_fnumber(desc, column);

	if (attno <= 0)
		elog(ERROR, "column \"%s\" not found in churnwarn table", column);
	return SPI_getvalue(tup, desc, attno);
}

/* Do two rows differ in the named column? */
static bool
column_changed(HeapTuple a, HeapTuple b, TupleDesc desc, const char *column)
{
	char	   *x = column_text(a, desc, column);
	char	   *y = column_text(b, desc, column);

	if (x == NULL || y == NULL)
		return x != y;
	return strcmp(x, y) != 0;
}

/* A customer touched by a statement, and the last signal that touched it. */
typedef struct ChurnwarnTouched
{
	char	   *customer_id;	/* customer key */
	int64		signal_id;		/* highest signal id of the statement, 0 if none */
	int			len;			/* strlen(customer_id) */
	int			next;			/* another customer with the same hash, or -1 */
} ChurnwarnTouched;

/*
 * The customers a statement touched, each once: a hash of the keys finds a
 * customer seen before, so memory and the sort that follows grow with the
 * customers, not with the rows (a COPY of 1,000,000 signals for 100,000
 * customers sorts 100,000 keys).
 */
typedef struct TouchedSet
{
	ChurnwarnTouched *list;
	int			n;
	int			cap;
	int			last;			/* the customer added or found last, or -1 */
	HTAB	   *seen;			/* hash of the key -> TouchedSeen, or NULL */
} TouchedSet;

typedef struct TouchedSeen
{
	uint64		hash;			/* hash key */
	int			first;			/* the customer with this hash added last
								 * (the others follow through next) */
} TouchedSeen;

static void
touched_init(TouchedSet *set)
{
	set->n = 0;
	set->cap = 16;
	set->last = -1;
	set->list = palloc(sizeof(ChurnwarnTouched) * set->cap);
	set->seen = NULL;			/* made for a second customer */
}

/* The hash of the customers seen, with the first one entered. */
static HTAB *
touched_seen(TouchedSet *set)
{
	HASHCTL		ctl;
	TouchedSeen *seen;
	ChurnwarnTouched *t = &set->list[0];
	uint64		hash;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(uint64);
	ctl.entrysize = sizeof(TouchedSeen);
	ctl.hcxt = CurrentMemoryContext;
	set->seen = hash_create("churnwarn customers of a statement", 256, &ctl,
							HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	Assert(set->n == 1);
	hash = hash_bytes_extended((const unsigned char *) t->customer_id, t->len, 0);
	seen = hash_search(set->seen, &hash, HASH_ENTER, NULL);
	seen->first = 0;
	return set->seen;
}

static inline bool
touched_is(const ChurnwarnTouched *t, const char *key, int len)
{
	return t->len == len && memcmp(t->customer_id, key, len) == 0;
}

/*
 * touched_add
 *		Touch the customer whose key is the len bytes at key by signal_id
 *		(0: by no signal): the customer's highest signal id is kept.
 */
static void
touched_add(TouchedSet *set, const char *key, int len, int64 signal_id)
{
	ChurnwarnTouched *t;
	TouchedSeen *seen;
	uint64		hash;
	bool		found;
	int			i;

	/* a statement's rows of one customer often come together */
	if (set->last >= 0 && touched_is(&set->list[set->last], key, len))
		i = set->last;
	else
	{
		if (set->n == 0)
		{
			/* the first customer: one-row statements make no hash */
			seen = NULL;
			found = false;
		}
		else
		{
			hash = hash_bytes_extended((const unsigned char *) key, len, 0);
			seen = hash_search(set->seen ? set->seen : touched_seen(set),
							   &hash, HASH_ENTER, &found);
		}
		for (i = found ? seen->first : -1; i >= 0; i = set->list[i].next)
			if (touched_is(&set->list[i], key, len))
				break;
		if (i < 0)
		{
			if (set->n == set->cap)
			{
				set->cap *= 2;
				set->list = repalloc_huge(set->list, sizeof(ChurnwarnTouched) * set->cap);
			}
			i = set->n++;
			t = &set->list[i];
			t->customer_id = pnstrdup(key, len);
			t->len = len;
			t->signal_id = 0;
			t->next = found ? seen->first : -1;
			if (seen != NULL)
				seen->first = i;
		}
		set->last = i;
	}
	t = &set->list[i];
	t->signal_id = Max(t->signal_id, signal_id);
}

/* Touch the customer whose key is the text datum d. */
static void
touched_add_text(TouchedSet *set, Datum d, int64 signal_id)
{
	text	   *t = DatumGetTextPP(d);

	touched_add(set, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), signal_id);
	if ((Pointer) t != DatumGetPointer(d))
		pfree(t);
}

/* qsort comparator: by customer key (byte order), the lock order. */
static int
touched_cmp(const void *a, const void *b)
{
	return strcmp(((const ChurnwarnTouched *) a)->customer_id,
				  ((const ChurnwarnTouched *) b)->customer_id);
}

/*
 * collect_touched
 *		Touch the customer of every row of a transition table, by the row's
 *		signal id.
 */
static void
collect_touched(Tuplestorestate *table, TupleDesc desc, TouchedSet *set)
{
	TupleTableSlot *slot;
	int			cust_att = SPI_fnumber(desc, "customer_id");
	int			id_att = SPI_fnumber(desc, "id");

	if (table == NULL)
		return;
	if (cust_att <= 0 || id_att <= 0)
		elog(ERROR, "churnwarn.signal has no customer_id or id column");
	slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	tuplestore_rescan(table);
	while (tuplestore_gettupleslot(table, true, false, slot))
	{
		bool		isnull;
		Datum		d = slot_getattr(slot, cust_att, &isnull);
		Datum		idd;
		bool		idnull;

		if (isnull)
			continue;
		idd = slot_getattr(slot, id_att, &idnull);
		touched_add_text(set, d, idnull ? 0 : DatumGetInt64(idd));
		CHECK_FOR_INTERRUPTS();
	}
	ExecDropSingleTupleTableSlot(slot);
}

/*
 * collect_changed
 *		For an UPDATE: walk the old and new transition tables in step (they
 *		hold the rows in the same order) and touch only the customers whose
 *		rows changed a column the grade reads.  An update of who reported a
 *		signal, its detail or its note (what churnwarn.forget() pseudonymizes)
 *		cannot change the grade, and must not regrade at a later time
 *		either: decay would then record level changes nobody made.  A signal
 *		moved to another customer touches both.
 */
static void
collect_changed(Tuplestorestate *oldtab, Tuplestorestate *newtab,
				TupleDesc desc, TouchedSet *set)
{
	static const char *const graded[] = {
		"customer_id", "signal_type", "observed_at", "status", "amount"
	};
	int			attnos[lengthof(graded)];
	int			id_att = SPI_fnumber(desc, "id");
	TupleTableSlot *oslot;
	TupleTableSlot *nslot;
	int			k;

	if (oldtab == NULL || newtab == NULL)
		elog(ERROR, "churnwarn signal update trigger needs OLD and NEW TABLE transition relations");
	for (k = 0; k < (int) lengthof(graded); k++)
	{
		attnos[k] = SPI_fnumber(desc, graded[k]);
		if (attnos[k] <= 0)
			elog(ERROR, "churnwarn.signal has no column \"%s\"", graded[k]);
	}
	oslot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	nslot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	tuplestore_rescan(oldtab);
	tuplestore_rescan(newtab);
	while (tuplestore_gettupleslot(oldtab, true, false, oslot) &&
		   tuplestore_gettupleslot(newtab, true, false, nslot))
	{
		bool		changed = false;
		bool		customer_changed = false;
		bool		onull;
		bool		nnull;
		Datum		od;
		Datum		nd;

		for (k = 0; k < (int) lengthof(graded); k++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, attnos[k] - 1);

			od = slot_getattr(oslot, attnos[k], &onull);
			nd = slot_getattr(nslot, attnos[k], &nnull);
			if (onull != nnull ||
				(!onull && !datum_image_eq(od, nd, att->attbyval, att->attlen)))
			{
				changed = true;
				if (k == 0)
					customer_changed = true;
			}
		}
		if (!changed)
			continue;
		nd = slot_getattr(nslot, attnos[0], &nnull);
		if (!nnull)
		{
			Datum		idd = slot_getattr(nslot, id_att, &onull);

			touched_add_text(set, nd, onull ? 0 : DatumGetInt64(idd));
		}
		od = slot_getattr(oslot, attnos[0], &onull);
		if (customer_changed && !onull)
			touched_add_text(set, od, 0);
	}
	ExecDropSingleTupleTableSlot(oslot);
	ExecDropSingleTupleTableSlot(nslot);
}

/*
 * A statement touching at least PREFETCH_MIN customers reads their signals
 * ahead (churnwarn_prefetch_signals): their grade rows are locked
 * PREFETCH_CHUNK customers at a time, and the signals of as many of those
 * as fit in work_mem are read in one pass, then regraded, then the next.
 */
#define PREFETCH_MIN	64
#define PREFETCH_CHUNK	8192

/* Regrade n customers, in the order given. */
static void
regrade_list(ChurnwarnTouched *list, int n, TimestampTz now)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		/*
		 * One SPI connection per customer: what a regrade allocates (its
		 * reads, explanation, result tables) is freed before the next, so a
		 * statement touching many customers runs in constant memory.
		 */
		churnwarn_spi_connect();
		churnwarn_regrade_customer(list[i].customer_id, list[i].signal_id, now);
		churnwarn_spi_finish();
	}
}

/*
 * regrade_prefetched
 *		Read ahead the signals of as many of the n customers (grade rows
 *		locked) as fit in work_mem, into cxt, and regrade those; return how
 *		many that was.
 */
static int
regrade_prefetched(ChurnwarnTouched *list, char **ids, int n, TimestampTz now,
				   MemoryContext cxt)
{
	int			m;

	churnwarn_spi_connect();
	m = churnwarn_prefetch_signals(churnwarn_config(), ids, n, cxt);
	churnwarn_spi_finish();
	PG_TRY();
	{
		regrade_list(list, m, now);
	}
	PG_FINALLY();
	{
		churnwarn_prefetch_signals_forget();
	}
	PG_END_TRY();
	return m;
}

/*
 * regrade_chunk
 *		Regrade n customers (sorted, unique), in key order.  With enough of
 *		them, their grade rows are locked first, in the same order, and
 *		their signals then read ahead under a snapshot taken after the
 *		locks, so that they see whatever a concurrent regrade of one of them
 *		committed, exactly as a read after each lock would.
 */
static void
regrade_chunk(ChurnwarnTouched *list, int n, TimestampTz now)
{
	MemoryContext cxt;
	char	  **ids;
	int			i;

	if (n < PREFETCH_MIN)
	{
		regrade_list(list, n, now);
		return;
	}

	cxt = AllocSetContextCreate(CurrentMemoryContext,
								"churnwarn prefetched signals",
								ALLOCSET_DEFAULT_SIZES);
	ids = palloc(sizeof(char *) * n);
	churnwarn_spi_connect();
	for (i = 0; i < n; i++)
	{
		int			prev;

		ids[i] = list[i].customer_id;
		(void) churnwarn_lock_or_create_grade(ids[i], &prev);
	}
	churnwarn_spi_finish();

	/* all locked: each pass's snapshot sees what was committed before */
	for (i = 0; i < n;)
	{
		i += regrade_prefetched(list + i, ids + i, n - i, now, cxt);
		MemoryContextReset(cxt);
	}
	MemoryContextDelete(cxt);
	pfree(ids);
}

PG_FUNCTION_INFO_V1(churnwarn_signal_trigger);

/*
 * churnwarn_signal_trigger
 *		AFTER INSERT or AFTER UPDATE ... FOR EACH STATEMENT on
 *		churnwarn.signal, with transition tables: regrade every customer the
 *		statement touched, once, in customer-key order.
 *
 *		Once per statement, not per row: a COPY of a million signals for a
 *		hundred thousand customers regrades each customer once, after its
 *		last signal, and a statement writing signals of many customers locks
 *		their grade rows in one global order, so two such statements cannot
 *		deadlock each other.  A signal moved to another customer regrades
 *		both.
 */
Datum
churnwarn_signal_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	TouchedSet	set;
	int			i;
	TimestampTz now = churnwarn_clock_now();

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager",
						"churnwarn_signal_trigger")));
	if (!TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired AFTER ... FOR EACH STATEMENT",
						"churnwarn_signal_trigger")));
	if (!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) &&
		!TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired for INSERT or UPDATE",
						"churnwarn_signal_trigger")));
	if (trigdata->tg_newtable == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" needs a NEW TABLE transition relation",
						"churnwarn_signal_trigger")));

	desc = RelationGetDescr(trigdata->tg_relation);
	touched_init(&set);
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		collect_changed(trigdata->tg_oldtable, trigdata->tg_newtable, desc, &set);
	else
		collect_touched(trigdata->tg_newtable, desc, &set);
	if (set.seen != NULL)
		hash_destroy(set.seen);
	if (set.n == 0)
		return PointerGetDatum(NULL);

	/* each customer once, with its highest signal id: now in key order */
	qsort(set.list, set.n, sizeof(ChurnwarnTouched), touched_cmp);

	/*
	 * A signal written while an outer statement's regrades are under way (a
	 * trigger of a ledger table reporting one) makes the signals that
	 * statement read ahead out of date: it reads again.
	 */
	churnwarn_prefetch_signals_forget();

	for (i = 0; i < set.n; i += PREFETCH_CHUNK)
		regrade_chunk(set.list + i, Min(PREFETCH_CHUNK, set.n - i), now);
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(churnwarn_customer_trigger);

/*
 * churnwarn_customer_trigger
 *		AFTER INSERT OR UPDATE ... FOR EACH ROW on churnwarn.customer: a new
 *		customer gets its grade row; a change of tier, status or termination
 *		time regrades it (a higher tier may raise the level; termination
 *		more than a year ago takes the customer out of scope).
 */
Datum
churnwarn_customer_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = check_row_trigger(fcinfo, "churnwarn_customer_trigger");
	TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);
	TimestampTz now = churnwarn_clock_now();

	churnwarn_spi_connect();
	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		churnwarn_insert_grade(column_text(trigdata->tg_trigtuple, desc, "customer_id"));
	else
	{
		HeapTuple	oldtup = trigdata->tg_trigtuple;
		HeapTuple	newtup = trigdata->tg_newtuple;

		if (column_changed(oldtup, newtup, desc, "tier") ||
			column_changed(oldtup, newtup, desc, "status") ||
			column_changed(oldtup, newtup, desc, "terminated_at") ||
			column_changed(oldtup, newtup, desc, "customer_id"))
			churnwarn_regrade_customer(column_text(newtup, desc, "customer_id"), 0, now);
	}
	churnwarn_spi_finish();
	return PointerGetDatum(NULL);
}
