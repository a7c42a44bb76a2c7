/*-------------------------------------------------------------------------
 *
 * signal.c
 *	  SQL-callable functions: report, resolve and withdraw signals; grade
 *	  and explain a customer; choose the level scheme.
 *
 * Arguments are validated here, before anything is written, so bad input
 * gets a clear error with its own SQLSTATE and changes nothing.
 *
 * Copyright (c) 2026, churnwarn authors
 *
 * src/signal.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "churnwarn.h"
#include "storage.h"

/* Signals may be observed at most this far after the clock (skew). */
#define CLOCK_SKEW_USECS	(5 * 60 * USECS_PER_SEC)

/* Error out if argument argno (0-based) is NULL. */
static void
require_arg(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name)));
}

/* Validate a customer key argument and return it as a C string. */
static char *
customer_arg(FunctionCallInfo fcinfo, int argno)
{
	char	   *id;

	require_arg(fcinfo, argno, "customer_id");
	id = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	if (id[0] == '\0' || strlen(id) > CHURNWARN_MAX_KEY_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("customer_id must be 1 to %d bytes long", CHURNWARN_MAX_KEY_LEN)));
	return id;
}

/*
 * Error out unless the customer exists (SPI connected).  With direct, by an
 * index scan instead of a statement: for report_signal, whose insert is
 * checked against the caller's privileges and row security anyway; the
 * read-only functions look through SQL, under the caller's row security.
 */
static void
require_customer(const char *customer_id, bool direct)
{
	Datum		v[1] = {CStringGetTextDatum(customer_id)};
	bool		found;

	if (direct)
	{
		char	   *tier;
		char	   *status;
		bool		has_terminated;
		TimestampTz terminated_at;

		found = churnwarn_scan_customer(customer_id, &tier, &status,
										&has_terminated, &terminated_at);
	}
	else
	{
		churnwarn_exec(CW_Q_CUSTOMER_EXISTS, v, NULL, churnwarn_spi_read_only, SPI_OK_SELECT);
		found = (SPI_processed > 0);
	}
	if (!found)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("customer \"%s\" does not exist", customer_id),
				 errhint("Insert the customer into churnwarn.customer first.")));
}

PG_FUNCTION_INFO_V1(churnwarn_report_signal);

/*
 * churnwarn_report_signal
 *		report_signal(customer_id, signal_type, observed_at, detail,
 *		reported_by, amount) -> bigint.  Inserts the signal; the signal
 *		trigger regrades the customer in this transaction.
 */
Datum
churnwarn_report_signal(PG_FUNCTION_ARGS)
{
	char	   *customer_id = customer_arg(fcinfo, 0);
	char	   *type;
	TimestampTz observed_at;
	TimestampTz now = churnwarn_clock_now();
	Jsonb	   *detail;
	Datum		v[7];
	char		nulls[8] = "       ";
	bool		isnull;
	int64		id;
	const ChurnwarnConfig *cfg;

	require_arg(fcinfo, 1, "signal_type");
	require_arg(fcinfo, 2, "observed_at");
	require_arg(fcinfo, 3, "detail");
	type = text_to_cstring(PG_GETARG_TEXT_PP(1));
	observed_at = PG_GETARG_TIMESTAMPTZ(2);
	detail = PG_GETARG_JSONB_P(3);

	if (TIMESTAMP_NOT_FINITE(observed_at))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("observation time must be finite")));
	if (observed_at > churnwarn_clock_now() + CLOCK_SKEW_USECS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("observation time %s is in the future",
						timestamptz_to_str(observed_at)),
				 errdetail("A signal can only be reported once it has been observed.")));
	if (!JB_ROOT_IS_OBJECT(detail) || JB_ROOT_IS_SCALAR(detail))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("signal detail must be a JSON object")));
	if (!PG_ARGISNULL(5))
	{
		Numeric		amount = PG_GETARG_NUMERIC(5);

		if (numeric_is_nan(amount) || numeric_is_inf(amount))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("signal amount must be a finite number")));
		if (DatumGetBool(DirectFunctionCall2(numeric_lt, NumericGetDatum(amount),
											 DirectFunctionCall1(int4_numeric, Int32GetDatum(0)))))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("signal amount must not be negative")));
		if (DatumGetBool(DirectFunctionCall2(numeric_ge, NumericGetDatum(amount),
											 DirectFunctionCall1(float8_numeric, Float8GetDatum(1e15)))))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("signal amount must be less than 10^15")));
		v[6] = NumericGetDatum(amount);
	}
	else
	{
		v[6] = (Datum) 0;
		nulls[6] = 'n';
	}

	churnwarn_spi_connect();
	cfg = churnwarn_config();
	if (churnwarn_config_find_type(cfg, type) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unrecognized signal type \"%s\"", type),
				 errhint("The signal types are the codes in table churnwarn.signal_type.")));
	require_customer(customer_id, true);

	v[0] = CStringGetTextDatum(customer_id);
	v[1] = CStringGetTextDatum(type);
	v[2] = TimestampTzGetDatum(observed_at);
	v[3] = TimestampTzGetDatum(Max(now, observed_at));
	if (PG_ARGISNULL(4))
		v[4] = CStringGetTextDatum(churnwarn_actor_name());
	else
		v[4] = PG_GETARG_DATUM(4);
	v[5] = JsonbPGetDatum(detail);
	if (churnwarn_write_exec_sharing(CW_W_SIGNAL, churnwarn_plan(CW_Q_INSERT_SIGNAL),
									 v, nulls) != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "churnwarn could not insert the signal");
	id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
									 SPI_tuptable->tupdesc, 1, &isnull));
	churnwarn_spi_finish();
	PG_RETURN_INT64(id);
}

/*
 * close_signal
 *		Move a signal to resolved or withdrawn, from one of the allowed
 *		statuses; the signal trigger regrades the customer.
 */
static void
close_signal(int64 id, const char *to_status, const char *const *from,
			 int nfrom, Datum note, bool note_null)
{
	Datum		v[5];
	char		nulls[6] = "     ";
	Datum		from_d[2];
	int			i;

	for (i = 0; i < nfrom; i++)
		from_d[i] = CStringGetTextDatum(from[i]);
	v[0] = Int64GetDatum(id);
	v[1] = CStringGetTextDatum(to_status);
	v[2] = TimestampTzGetDatum(churnwarn_clock_now());
	v[3] = note;
	if (note_null)
		nulls[3] = 'n';
	v[4] = PointerGetDatum(construct_array(from_d, nfrom, TEXTOID, -1, false,
										   TYPALIGN_INT));

	churnwarn_spi_connect();
	churnwarn_exec(CW_Q_CLOSE_SIGNAL, v, nulls, false, SPI_OK_UPDATE_RETURNING);
	if (SPI_processed == 0)
	{
		Datum		s[1] = {Int64GetDatum(id)};

		churnwarn_exec(CW_Q_SIGNAL_STATUS, s, NULL, false, SPI_OK_SELECT);
		if (SPI_processed == 0)
			ereport(ERROR,
					(errcode(ERRCODE_NO_DATA_FOUND),
					 errmsg("signal " INT64_FORMAT " does not exist", id)));
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("signal " INT64_FORMAT " is already %s", id,
						SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1))));
	}
	churnwarn_spi_finish();
}

PG_FUNCTION_INFO_V1(churnwarn_resolve_signal);

/*
 * churnwarn_resolve_signal
 *		resolve_signal(signal_id, note): an open signal becomes resolved; it
 *		still counts, with the scheme's resolved_factor.
 */
Datum
churnwarn_resolve_signal(PG_FUNCTION_ARGS)
{
	static const char *const from[] = {"open"};

	require_arg(fcinfo, 0, "signal_id");
	close_signal(PG_GETARG_INT64(0), "resolved", from, 1,
				 PG_ARGISNULL(1) ? (Datum) 0 : PG_GETARG_DATUM(1), PG_ARGISNULL(1));
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(churnwarn_withdraw_signal);

/*
 * churnwarn_withdraw_signal
 *		withdraw_signal(signal_id, note): an open or resolved signal reported
 *		in error stops counting.  The note (why) is required.
 */
Datum
churnwarn_withdraw_signal(PG_FUNCTION_ARGS)
{
	static const char *const from[] = {"open", "resolved"};

	require_arg(fcinfo, 0, "signal_id");
	require_arg(fcinfo, 1, "note");
	if (VARSIZE_ANY_EXHDR(PG_GETARG_TEXT_PP(1)) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a withdrawn signal needs a note saying why")));
	close_signal(PG_GETARG_INT64(0), "withdrawn", from, 2, PG_GETARG_DATUM(1), false);
	PG_RETURN_VOID();
}

/*
 * compute_readonly
 *		Grade a customer now without writing anything (for grade and
 *		explain); hysteresis is judged against its recorded level.
 */
static void
compute_readonly(const char *customer_id, ChurnwarnGradeInput *in,
				 ChurnwarnGradeResult *out)
{
	int			prev = 0;

	churnwarn_spi_read_only = true;
	PG_TRY();
	{
		require_customer(customer_id, false);
		(void) churnwarn_read_grade(customer_id, &prev);
		memset(in, 0, sizeof(*in));
		in->prev_level = prev;
		churnwarn_compute_for(customer_id, churnwarn_clock_now(), in, out);
	}
	PG_FINALLY();
	{
		churnwarn_spi_read_only = false;
	}
	PG_END_TRY();
}

PG_FUNCTION_INFO_V1(churnwarn_grade);

/*
 * churnwarn_grade
 *		grade(customer_id) -> int: the level the rules propose now.
 */
Datum
churnwarn_grade(PG_FUNCTION_ARGS)
{
	char	   *customer_id = customer_arg(fcinfo, 0);
	ChurnwarnGradeInput in;
	ChurnwarnGradeResult out;

	churnwarn_spi_connect();
	compute_readonly(customer_id, &in, &out);
	churnwarn_spi_finish();
	PG_RETURN_INT32(out.level);
}

PG_FUNCTION_INFO_V1(churnwarn_explain);

/*
 * churnwarn_explain
 *		explain(customer_id) -> jsonb: every contribution to the grade.
 */
Datum
churnwarn_explain(PG_FUNCTION_ARGS)
{
	char	   *customer_id = customer_arg(fcinfo, 0);
	ChurnwarnGradeInput in;
	ChurnwarnGradeResult out;
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext spi;
	Datum		result;

	churnwarn_spi_connect();
	compute_readonly(customer_id, &in, &out);
	spi = MemoryContextSwitchTo(caller);
	result = JsonbPGetDatum(churnwarn_grade_explain(customer_id, &in, &out));
	MemoryContextSwitchTo(spi);
	churnwarn_spi_finish();
	PG_RETURN_DATUM(result);
}

PG_FUNCTION_INFO_V1(churnwarn_use_scheme);

/*
 * churnwarn_use_scheme
 *		use_scheme(scheme): make the scheme active and regrade every customer
 *		with a level or with signals, so proposed levels follow the new
 *		scheme at once.  Refused while a warning in progress has a confirmed
 *		level the new scheme does not have.
 */
Datum
churnwarn_use_scheme(PG_FUNCTION_ARGS)
{
	char	   *scheme;
	Datum		v[1];
	bool		isnull;
	int			top;
	int64		above;
	uint64		i;
	uint64		n;
	char	  **ids;
	TimestampTz now = churnwarn_clock_now();

	require_arg(fcinfo, 0, "scheme");
	scheme = text_to_cstring(PG_GETARG_TEXT_PP(0));

	churnwarn_spi_connect();
	v[0] = CStringGetTextDatum(scheme);
	churnwarn_exec(CW_Q_SCHEME_EXISTS, v, NULL, false, SPI_OK_SELECT);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unrecognized scheme \"%s\"", scheme),
				 errhint("The schemes are the rows of table churnwarn.scheme, for example three_level or four_level.")));
	top = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("scheme \"%s\" has no levels", scheme)));

	v[0] = Int32GetDatum(top);
	churnwarn_exec(CW_Q_WARNINGS_ABOVE, v, NULL, false, SPI_OK_SELECT);
	above = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (above > 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot switch to scheme \"%s\"", scheme),
				 errdetail_plural("%lld warning in progress has a confirmed level above %d, the top level of the scheme.",
								  "%lld warnings in progress have a confirmed level above %d, the top level of the scheme.",
								  above, (long long) above, top),
				 errhint("Close or reassess those warnings first.")));

	v[0] = CStringGetTextDatum(scheme);
	churnwarn_exec(CW_Q_SET_SCHEME, v, NULL, false, SPI_OK_UPDATE);
	CommandCounterIncrement();
	churnwarn_config_reset();

	churnwarn_exec(CW_Q_CUSTOMERS_TO_REGRADE, NULL, NULL, false, SPI_OK_SELECT);
	n = SPI_processed;
	ids = palloc(sizeof(char *) * Max(n, 1));
	for (i = 0; i < n; i++)
		ids[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
	for (i = 0; i < n; i++)
	{
		/* a nested connection per customer frees its regrade's memory */
		churnwarn_spi_connect();
		churnwarn_regrade_customer(ids[i], 0, now);
		churnwarn_spi_finish();
	}
	churnwarn_spi_finish();
	PG_RETURN_VOID();
}
