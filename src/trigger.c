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
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "churnwarn.h"

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

/* Signal id of a signal row. */
static int64
signal_id_of(HeapTuple tup, TupleDesc desc)
{
	bool		isnull;
	Datum		d = heap_getattr(tup, SPI_fnumber(desc, "id"), desc, &isnull);

	return isnull ? 0 : DatumGetInt64(d);
}

PG_FUNCTION_INFO_V1(churnwarn_signal_trigger);

/*
 * churnwarn_signal_trigger
 *		AFTER INSERT OR UPDATE ... FOR EACH ROW on churnwarn.signal: regrade
 *		the signal's customer (and its previous customer if the row moved).
 */
Datum
churnwarn_signal_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = check_row_trigger(fcinfo, "churnwarn_signal_trigger");
	TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);
	HeapTuple	newtup;
	char	   *customer_id;
	TimestampTz now = churnwarn_now();

	newtup = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ?
		trigdata->tg_newtuple : trigdata->tg_trigtuple;

	/*
	 * An update that leaves every column the grade reads unchanged (who
	 * reported it, the detail, the note: what churnwarn.forget()
	 * pseudonymizes) cannot change the grade, and must not regrade at a
	 * later time either: decay would then record level changes nobody made.
	 */
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) &&
		!column_changed(trigdata->tg_trigtuple, newtup, desc, "customer_id") &&
		!column_changed(trigdata->tg_trigtuple, newtup, desc, "signal_type") &&
		!column_changed(trigdata->tg_trigtuple, newtup, desc, "observed_at") &&
		!column_changed(trigdata->tg_trigtuple, newtup, desc, "status") &&
		!column_changed(trigdata->tg_trigtuple, newtup, desc, "amount"))
		return PointerGetDatum(NULL);

	customer_id = column_text(newtup, desc, "customer_id");

	churnwarn_spi_connect();
	churnwarn_regrade(customer_id, signal_id_of(newtup, desc), now);
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		char	   *old_customer = column_text(trigdata->tg_trigtuple, desc,
											   "customer_id");

		if (strcmp(old_customer, customer_id) != 0)
			churnwarn_regrade(old_customer, 0, now);
	}
	churnwarn_spi_finish();
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
	TimestampTz now = churnwarn_now();

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
			churnwarn_regrade(column_text(newtup, desc, "customer_id"), 0, now);
	}
	churnwarn_spi_finish();
	return PointerGetDatum(NULL);
}
