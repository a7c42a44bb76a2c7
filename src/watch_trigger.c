/*-------------------------------------------------------------------------
 *
 * watch_trigger.c
 *	  The trigger on watched tables: evaluate the rules on the old and new
 *	  row, raise their signals, keep churnwarn.customer in step with a
 *	  customer master table; the TRUNCATE guard; the invalidation trigger of
 *	  the watch configuration.
 *
 * The trigger is AFTER ... FOR EACH ROW, so COPY keeps its batched inserts,
 * and it runs for INSERT, UPDATE and DELETE whichever statement caused them
 * (COPY, INSERT ... ON CONFLICT, MERGE).  It only orchestrates: the cached
 * metadata comes from watch_cache.c, the conditions from rules.c, the writes
 * go through kept plans; the existing triggers on churnwarn.signal and
 * churnwarn.customer grade the customer.  When no rule's column changed and
 * no customer field of a master table changed, it runs no query at all.
 *
 * An UPDATE that moves a row to another partition reaches row triggers as a
 * DELETE from the old partition (the old tuple is marked as moved) followed
 * by an INSERT into the new one; AFTER UPDATE row triggers do not fire.  The
 * DELETE half is kept aside and the INSERT half that follows is evaluated
 * against it as one UPDATE, so a move raises what the same UPDATE within a
 * partition would, and never terminates a master customer.
 *
 * Copyright (c) 2026, churnwarn authors
 *
 * src/watch_trigger.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "churnwarn.h"
#include "watch.h"

/*
 * The DELETE half of a cross-partition UPDATE, waiting for its INSERT half.
 * Values are kept per rule id and per customer field (column numbers differ
 * between partitions, names do not).  Lives in moved_cxt, reset each time.
 */
typedef struct ChurnwarnMovedRow
{
	bool		valid;			/* a DELETE half is waiting */
	SubTransactionId subxid;	/* (sub)transaction that kept it */
	Oid			root;			/* watched table it belongs to */
	char	   *key;			/* old customer key (NULL if none) */
	int			nrules;			/* rules kept */
	int64	   *rule_ids;		/* their ids */
	Datum	   *rule_values;	/* their old values */
	bool	   *rule_nulls;		/* and nullness */
} ChurnwarnMovedRow;

static ChurnwarnMovedRow moved;
static MemoryContext moved_cxt = NULL;

/*
 * churnwarn_watch_forget_moved
 *		Drop a kept DELETE half (at transaction end: if the statement failed
 *		between the two halves, nothing must carry over).
 */
void
churnwarn_watch_forget_moved(void)
{
	moved.valid = false;
}

/* A rule that fired on this row, with what the signal needs. */
typedef struct FiredRule
{
	const ChurnwarnRule *rule;	/* the rule */
	char	   *old_text;		/* old value as text, or NULL */
	char	   *new_text;		/* new value as text, or NULL */
	bool		has_amount;		/* amount set (drop_pct) */
	double		amount;			/* drop in percent */
} FiredRule;

/*
 * check_trigger
 *		Trigger protocol checks: called by the trigger manager with the
 *		expected timing, level and events, and no arguments.
 */
static TriggerData *
check_trigger(FunctionCallInfo fcinfo, const char *funcname, bool after,
			  bool row)
{
	TriggerData *td = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager",
						funcname)));
	if (after ? !TRIGGER_FIRED_AFTER(td->tg_event) : !TRIGGER_FIRED_BEFORE(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 after ? errmsg("function \"%s\" must be fired AFTER", funcname)
				 : errmsg("function \"%s\" must be fired BEFORE", funcname)));
	if (row ? !TRIGGER_FIRED_FOR_ROW(td->tg_event) : !TRIGGER_FIRED_FOR_STATEMENT(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 row ? errmsg("function \"%s\" must be fired for row", funcname)
				 : errmsg("function \"%s\" must be fired for statement", funcname)));
	if (td->tg_trigger->tgnargs != 0)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" takes no trigger arguments", funcname)));
	return td;
}

/* Text form of a value through its type's output function (NULL stays NULL). */
char *
churnwarn_watch_value_text(Oid typoutput, Datum d, bool isnull)
{
	if (isnull)
		return NULL;
	return OidOutputFunctionCall(typoutput, d);
}

/* The customer key of a row as text, or NULL. */
static char *
key_text(const ChurnwarnWatchEntry *e, HeapTuple tup, TupleDesc desc)
{
	bool		isnull;
	Datum		d = heap_getattr(tup, e->key_attnum, desc, &isnull);

	return churnwarn_watch_value_text(e->key_typoutput, d, isnull);
}

/*
 * churnwarn_watch_raise
 *		Insert a signal raised by a rule (source 'rule') or by the periodic
 *		pass (source 'tick').  A customer that churnwarn does not know yet gets
 *		a stub row first (filled in when the master table is watched), so no
 *		signal is lost to the order in which tables are loaded.  The signal
 *		trigger regrades the customer.  The caller is connected to SPI.
 */
void
churnwarn_watch_raise(const char *customer_id, const char *signal_type,
					  const char *source, TimestampTz observed_at,
					  const char *detail_json, bool has_amount, double amount)
{
	Datum		v[8];
	char		nulls[9] = "        ";
	TimestampTz now = GetCurrentTransactionStartTimestamp();

	v[0] = CStringGetTextDatum(customer_id);
	churnwarn_watch_exec(CW_WQ_CUSTOMER_STUB, v, NULL, false, SPI_OK_INSERT);

	v[1] = CStringGetTextDatum(signal_type);
	v[2] = TimestampTzGetDatum(observed_at);
	v[3] = TimestampTzGetDatum(Max(now, observed_at));
	v[4] = CStringGetTextDatum(churnwarn_actor_name());
	v[5] = CStringGetTextDatum(source);
	v[6] = churnwarn_jsonb_from_text(detail_json);
	v[7] = Float8GetDatum(amount);
	if (!has_amount)
		nulls[7] = 'n';
	churnwarn_watch_exec(CW_WQ_INSERT_SIGNAL, v, nulls, false, SPI_OK_INSERT);
}

/* Raise the signal of one fired rule. */
static void
raise_fired(const ChurnwarnWatchEntry *e, const char *customer_id,
			const FiredRule *f, const char *operation)
{
	StringInfoData buf;
	bool		first = true;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	churnwarn_json_int(&buf, &first, "rule_id", f->rule->id);
	churnwarn_json_str(&buf, &first, "table", e->root_name);
	churnwarn_json_str(&buf, &first, "column", f->rule->column);
	churnwarn_json_str(&buf, &first, "condition",
					   churnwarn_condition_names[f->rule->cond]);
	if (f->rule->threshold)
		churnwarn_json_str(&buf, &first, "threshold", f->rule->threshold);
	churnwarn_json_str(&buf, &first, "operation", operation);
	if (f->old_text)
		churnwarn_json_str(&buf, &first, "old", f->old_text);
	else
		churnwarn_json_null(&buf, &first, "old");
	if (f->new_text)
		churnwarn_json_str(&buf, &first, "new", f->new_text);
	else
		churnwarn_json_null(&buf, &first, "new");
	appendStringInfoChar(&buf, '}');
	churnwarn_watch_raise(customer_id, f->rule->signal_type, "rule",
						  GetCurrentTransactionStartTimestamp(), buf.data,
						  f->has_amount, f->amount);
	pfree(buf.data);
}

/*
 * sync_customer
 *		Upsert the master row's customer into churnwarn.customer: mapped
 *		fields are written, the others keep their value (or take the default
 *		for a new customer).  A status of 'terminated' without a mapped
 *		termination time records the transaction time.
 */
static void
sync_customer(const ChurnwarnWatchEntry *e, const char *customer_id,
			  HeapTuple tup, TupleDesc desc)
{
	Datum		v[14];
	char		nulls[15];
	Datum		mask[CW_FIELD_COUNT];
	int			f;

	memset(nulls, ' ', sizeof(nulls) - 1);
	nulls[14] = '\0';
	v[0] = CStringGetTextDatum(customer_id);
	for (f = 0; f < CW_FIELD_COUNT; f++)
	{
		char	   *s = NULL;

		mask[f] = BoolGetDatum(e->field_attnum[f] != 0);
		if (e->field_attnum[f] != 0)
		{
			bool		isnull;
			Datum		d = heap_getattr(tup, e->field_attnum[f], desc, &isnull);

			s = churnwarn_watch_value_text(e->field_typoutput[f], d, isnull);
		}
		if (s != NULL)
			v[f + 1] = CStringGetTextDatum(s);
		else
		{
			v[f + 1] = (Datum) 0;
			nulls[f + 1] = 'n';
		}
	}
	if (e->field_attnum[CW_FIELD_TERMINATED_AT] == 0 &&
		nulls[CW_FIELD_STATUS + 1] != 'n' &&
		strcmp(TextDatumGetCString(v[CW_FIELD_STATUS + 1]), "terminated") == 0)
	{
		v[CW_FIELD_TERMINATED_AT + 1] =
			CStringGetTextDatum(timestamptz_to_str(GetCurrentTransactionStartTimestamp()));
		nulls[CW_FIELD_TERMINATED_AT + 1] = ' ';
	}
	v[13] = PointerGetDatum(construct_array(mask, CW_FIELD_COUNT, BOOLOID, 1,
											true, TYPALIGN_CHAR));
	churnwarn_watch_exec(CW_WQ_CUSTOMER_UPSERT, v, nulls, false, SPI_OK_INSERT);
}

/* Mark a master customer terminated (its master row was deleted). */
static void
terminate_customer(const char *customer_id)
{
	Datum		v[2];

	v[0] = CStringGetTextDatum(customer_id);
	v[1] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	churnwarn_watch_exec(CW_WQ_CUSTOMER_TERMINATE, v, NULL, false, SPI_OK_UPDATE);
}

/*
 * rename_customer
 *		The master row's key changed: carry the customer (and through ON
 *		UPDATE CASCADE its signals and warnings) to the new key.  If the new
 *		key is already a customer, the old one is terminated instead.
 */
static void
rename_customer(const char *old_key, const char *new_key)
{
	Datum		v[2];

	v[0] = CStringGetTextDatum(old_key);
	v[1] = CStringGetTextDatum(new_key);
	churnwarn_watch_exec(CW_WQ_CUSTOMER_RENAME, v, NULL, false, SPI_OK_UPDATE);
	if (SPI_processed == 0)
		terminate_customer(old_key);
}

/* Did any mapped customer field change between the two rows? */
static bool
fields_changed(const ChurnwarnWatchEntry *e, HeapTuple a, HeapTuple b,
			   TupleDesc desc)
{
	int			f;

	for (f = 0; f < CW_FIELD_COUNT; f++)
	{
		AttrNumber	attnum = e->field_attnum[f];
		Form_pg_attribute att;
		bool		na;
		bool		nb;
		Datum		da;
		Datum		db;

		if (attnum == 0)
			continue;
		att = TupleDescAttr(desc, attnum - 1);
		da = heap_getattr(a, attnum, desc, &na);
		db = heap_getattr(b, attnum, desc, &nb);
		if (na != nb)
			return true;
		if (!na && !datumIsEqual(da, db, att->attbyval, att->attlen))
			return true;
	}
	return false;
}

/*
 * keep_moved_row
 *		Keep the DELETE half of a cross-partition UPDATE for the INSERT half
 *		that follows it.
 */
static void
keep_moved_row(const ChurnwarnWatchEntry *e, HeapTuple oldtup, TupleDesc desc)
{
	MemoryContext old;
	int			i;

	if (moved_cxt == NULL)
		moved_cxt = AllocSetContextCreate(TopMemoryContext,
										  "churnwarn moved row",
										  ALLOCSET_SMALL_SIZES);
	MemoryContextReset(moved_cxt);
	old = MemoryContextSwitchTo(moved_cxt);
	moved.root = e->root;
	moved.subxid = GetCurrentSubTransactionId();
	moved.key = key_text(e, oldtup, desc);
	moved.nrules = e->nrules;
	moved.rule_ids = palloc(sizeof(int64) * Max(e->nrules, 1));
	moved.rule_values = palloc(sizeof(Datum) * Max(e->nrules, 1));
	moved.rule_nulls = palloc(sizeof(bool) * Max(e->nrules, 1));
	for (i = 0; i < e->nrules; i++)
	{
		const ChurnwarnRule *r = &e->rules[i];
		Datum		d = heap_getattr(oldtup, r->attnum, desc, &moved.rule_nulls[i]);

		moved.rule_ids[i] = r->id;
		moved.rule_values[i] = moved.rule_nulls[i] ? (Datum) 0 :
			datumCopy(d, r->typbyval, r->typlen);
	}
	moved.valid = true;
	MemoryContextSwitchTo(old);
}

/* The kept old value of a rule of a moved row; false if not kept. */
static bool
moved_value(int64 rule_id, Datum *d, bool *isnull)
{
	int			i;

	for (i = 0; i < moved.nrules; i++)
	{
		if (moved.rule_ids[i] == rule_id)
		{
			*d = moved.rule_values[i];
			*isnull = moved.rule_nulls[i];
			return true;
		}
	}
	return false;
}

/*
 * handle_change
 *		Evaluate one row change.  oldtup is NULL for an INSERT, newtup for a
 *		DELETE; from_move says the INSERT is the second half of a
 *		cross-partition UPDATE (the old values are in "moved").
 */
static void
handle_change(const ChurnwarnWatchEntry *e, Relation rel, HeapTuple oldtup,
			  HeapTuple newtup, bool from_move)
{
	TupleDesc	desc = RelationGetDescr(rel);
	FiredRule  *fired = NULL;
	int			nfired = 0;
	bool		sync = false;
	bool		terminate = false;
	char	   *old_key = NULL;
	char	   *new_key = NULL;
	const char *operation;
	int			i;

	if (newtup == NULL)
	{
		/* DELETE: no rule fires; a master customer is terminated */
		if (!e->is_master)
			return;
		old_key = key_text(e, oldtup, desc);
		if (old_key == NULL)
			return;
		churnwarn_spi_connect();
		terminate_customer(old_key);
		churnwarn_spi_finish();
		return;
	}
	operation = (oldtup != NULL || from_move) ? "UPDATE" : "INSERT";

	for (i = 0; i < e->nrules; i++)
	{
		const ChurnwarnRule *r = &e->rules[i];
		bool		newnull;
		bool		oldnull = true;
		Datum		newval = heap_getattr(newtup, r->attnum, desc, &newnull);
		Datum		oldval = (Datum) 0;
		bool		has_old = false;
		double		amount = 0;

		if (oldtup != NULL)
		{
			oldval = heap_getattr(oldtup, r->attnum, desc, &oldnull);
			has_old = true;
			/* the cheap path: the column did not change, the rule cannot fire */
			if (oldnull == newnull &&
				(newnull || datumIsEqual(oldval, newval, r->typbyval, r->typlen)))
				continue;
		}
		else if (from_move)
			has_old = moved_value(r->id, &oldval, &oldnull);

		if (!churnwarn_rule_fires(r, has_old, oldval, oldnull, newval, newnull,
								  &amount))
			continue;
		if (fired == NULL)
			fired = palloc(sizeof(FiredRule) * e->nrules);
		fired[nfired].rule = r;
		fired[nfired].old_text = has_old ?
			churnwarn_watch_value_text(r->typoutput, oldval, oldnull) : NULL;
		fired[nfired].new_text = churnwarn_watch_value_text(r->typoutput, newval, newnull);
		fired[nfired].has_amount = (r->cond == CW_COND_DROP_PCT);
		fired[nfired].amount = amount;
		nfired++;
	}

	if (e->is_master)
	{
		if (oldtup == NULL)
			sync = true;		/* INSERT, or the INSERT half of a move */
		else
		{
			bool		on;
			bool		nn;
			Datum		ko = heap_getattr(oldtup, e->key_attnum, desc, &on);
			Datum		kn = heap_getattr(newtup, e->key_attnum, desc, &nn);
			Form_pg_attribute katt = TupleDescAttr(desc, e->key_attnum - 1);

			if (on != nn || (!on && !datumIsEqual(ko, kn, katt->attbyval, katt->attlen)))
			{
				sync = true;
				old_key = key_text(e, oldtup, desc);
			}
			else if (fields_changed(e, oldtup, newtup, desc))
				sync = true;
		}
		if (from_move)
			old_key = moved.key;
	}
	if (nfired == 0 && !sync)
		return;

	new_key = key_text(e, newtup, desc);
	churnwarn_spi_connect();
	if (sync)
	{
		if (old_key != NULL && new_key != NULL && strcmp(old_key, new_key) != 0)
			rename_customer(old_key, new_key);
		else if (old_key != NULL && new_key == NULL)
			terminate = true;
		if (terminate)
			terminate_customer(old_key);
		if (new_key != NULL)
			sync_customer(e, new_key, newtup, desc);
	}
	/* a row without a customer key raises nothing */
	if (new_key != NULL)
	{
		for (i = 0; i < nfired; i++)
			raise_fired(e, new_key, &fired[i], operation);
	}
	churnwarn_spi_finish();
}

PG_FUNCTION_INFO_V1(churnwarn_watch_trigger);

/*
 * churnwarn_watch_trigger
 *		AFTER INSERT OR UPDATE OR DELETE ... FOR EACH ROW on a watched table
 *		(cloned onto its partitions).  Dispatches one row change to
 *		handle_change; keeps and matches the halves of a cross-partition
 *		UPDATE.
 */
Datum
churnwarn_watch_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = check_trigger(fcinfo, "churnwarn_watch_trigger", true, true);
	Relation	rel = td->tg_relation;
	ChurnwarnWatchEntry *e;
	HeapTuple	oldtup = NULL;
	HeapTuple	newtup = NULL;
	bool		from_move = false;

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		newtup = td->tg_trigtuple;
	else if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		oldtup = td->tg_trigtuple;
		newtup = td->tg_newtuple;
	}
	else if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
		oldtup = td->tg_trigtuple;
	else
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired for INSERT, UPDATE or DELETE",
						"churnwarn_watch_trigger")));

	e = churnwarn_watch_entry(rel);
	if (!e->watched)
	{
		moved.valid = false;
		return PointerGetDatum(NULL);
	}

	if (newtup == NULL &&
		HeapTupleHeaderIndicatesMovedPartitions(oldtup->t_data))
	{
		/* first half of a cross-partition UPDATE: wait for the second */
		keep_moved_row(e, oldtup, RelationGetDescr(rel));
		return PointerGetDatum(NULL);
	}
	if (moved.valid)
	{
		from_move = (oldtup == NULL && moved.root == e->root &&
					 moved.subxid == GetCurrentSubTransactionId());
		if (!from_move)
			moved.valid = false;
	}

	churnwarn_watch_enter();
	handle_change(e, rel, oldtup, newtup, from_move);
	churnwarn_watch_leave();
	moved.valid = false;
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(churnwarn_watch_truncate_trigger);

/*
 * churnwarn_watch_truncate_trigger
 *		BEFORE TRUNCATE ... FOR EACH STATEMENT on a watched table and its
 *		partitions: refused, because TRUNCATE fires no row trigger, so the
 *		removed rows would leave churnwarn.customer out of step without a
 *		trace.  A table that is no longer watched may be truncated.
 */
Datum
churnwarn_watch_truncate_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = check_trigger(fcinfo, "churnwarn_watch_truncate_trigger",
									false, false);
	ChurnwarnWatchEntry *e;

	if (!TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired for TRUNCATE",
						"churnwarn_watch_truncate_trigger")));
	e = churnwarn_watch_entry(td->tg_relation);
	if (e->watched)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot truncate table \"%s\" watched by churnwarn",
						RelationGetRelationName(td->tg_relation)),
				 errdetail("TRUNCATE fires no row triggers, so churnwarn would not see the rows go."),
				 errhint("Use DELETE, or call churnwarn.unwatch() first.")));
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(churnwarn_watch_config_trigger);

/*
 * churnwarn_watch_config_trigger
 *		AFTER ... FOR EACH STATEMENT on the watch configuration tables: send a
 *		relcache invalidation of the changed table, which the callback in
 *		watch_cache.c turns into "every entry is stale", here at the next
 *		command and in other sessions at commit.
 */
Datum
churnwarn_watch_config_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = check_trigger(fcinfo, "churnwarn_watch_config_trigger",
									true, false);

	CacheInvalidateRelcacheByRelid(RelationGetRelid(td->tg_relation));
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(churnwarn_watch_config_shape);

/*
 * churnwarn_watch_config_shape
 *		AFTER INSERT OR UPDATE OR DELETE ... FOR EACH ROW on the watch
 *		configuration tables: the watch trigger of the table the row belongs
 *		to gets the column list the new configuration asks for (a rule on a
 *		column its UPDATE OF list does not name would never see that column
 *		change; a dropped column must leave the list).
 */
Datum
churnwarn_watch_config_shape(PG_FUNCTION_ARGS)
{
	TriggerData *td = check_trigger(fcinfo, "churnwarn_watch_config_shape",
									true, true);
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	int			attnum = SPI_fnumber(desc, "tbl");
	Oid			old_tbl = InvalidOid;
	Oid			new_tbl = InvalidOid;
	bool		isnull;

	if (attnum <= 0 || TupleDescAttr(desc, attnum - 1)->atttypid != REGCLASSOID)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired on a table with a regclass column \"tbl\"",
						"churnwarn_watch_config_shape")));
	if (!TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		Datum		d = heap_getattr(td->tg_trigtuple, attnum, desc, &isnull);

		if (!isnull)
			old_tbl = DatumGetObjectId(d);
	}
	if (!TRIGGER_FIRED_BY_DELETE(td->tg_event))
	{
		HeapTuple	tup = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ?
			td->tg_newtuple : td->tg_trigtuple;
		Datum		d = heap_getattr(tup, attnum, desc, &isnull);

		if (!isnull)
			new_tbl = DatumGetObjectId(d);
	}
	CommandCounterIncrement();
	if (OidIsValid(new_tbl))
		churnwarn_watch_shape(new_tbl, true);
	if (OidIsValid(old_tbl) && old_tbl != new_tbl)
		churnwarn_watch_shape(old_tbl, true);
	return PointerGetDatum(NULL);
}

/*
 * churnwarn_watch_sync_row
 *		Copy one existing row of a master table into churnwarn.customer (for
 *		watch()); false if the row has no customer key.  SPI connected.
 */
bool
churnwarn_watch_sync_row(const ChurnwarnWatchEntry *e, HeapTuple tup,
						 TupleDesc desc)
{
	char	   *key;

	if (!e->watched || !e->is_master)
		return false;
	key = key_text(e, tup, desc);
	if (key == NULL)
		return false;
	sync_customer(e, key, tup, desc);
	return true;
}
