/*-------------------------------------------------------------------------
 *
 * storage.c
 *	  The thin storage layer: the reads and writes of churnwarn's own tables
 *	  that run SQL go through a plan prepared once per backend and kept.
 *	  The grading path's per-customer reads (scan.c) and its ledger writes
 *	  (write.c) skip SQL; the functions here choose.
 *
 * Each query is fixed text with $n parameters; nothing is built from user
 * data.  All names are schema-qualified and operators spelled
 * OPERATOR(pg_catalog.x), so the caller's search_path never matters.  The
 * callers are connected to SPI (churnwarn_spi_connect) for the duration.
 *
 * Copyright (c) 2026, churnwarn authors
 *
 * src/storage.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type_d.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "audit.h"
#include "churnwarn.h"
#include "storage.h"

typedef struct ChurnwarnQueryDef
{
	const char *sql;			/* query text */
	int			nargs;			/* number of parameters */
	Oid			argtypes[9];	/* their types */
} ChurnwarnQueryDef;

#define EQ " OPERATOR(pg_catalog.=) "

static const ChurnwarnQueryDef query_defs[CW_Q_COUNT] = {
	[CW_Q_READ_GRADE] = {
		"SELECT level FROM churnwarn.customer_grade WHERE customer_id" EQ "$1",
		1, {TEXTOID}
	},
	[CW_Q_READ_CUSTOMER] = {
		"SELECT tier, status, terminated_at FROM churnwarn.customer WHERE customer_id" EQ "$1",
		1, {TEXTOID}
	},
	[CW_Q_READ_SIGNALS] = {
		"SELECT id, signal_type, observed_at, status, amount::pg_catalog.float8"
		" FROM churnwarn.signal WHERE customer_id" EQ "$1"
		" AND status OPERATOR(pg_catalog.<>) 'withdrawn' ORDER BY id",
		1, {TEXTOID}
	},
	[CW_Q_INSERT_GRADE] = {
		"INSERT INTO churnwarn.customer_grade (customer_id) SELECT customer_id"
		" FROM churnwarn.customer WHERE customer_id" EQ "$1 ON CONFLICT DO NOTHING",
		1, {TEXTOID}
	},
	[CW_Q_BUMP_VERSION] = {
		"UPDATE churnwarn.settings SET config_version = config_version OPERATOR(pg_catalog.+) 1",
		0, {InvalidOid}
	},
	[CW_Q_CFG_SETTINGS] = {
		"SELECT s.scheme, s.config_version, c.hysteresis::pg_catalog.float8,"
		" c.resolved_factor::pg_catalog.float8, c.breadth_step::pg_catalog.float8,"
		" s.scope_after_termination, s.report_within"
		" FROM churnwarn.settings s JOIN churnwarn.scheme c ON c.scheme" EQ "s.scheme",
		0, {InvalidOid}
	},
	[CW_Q_CFG_LEVELS] = {
		"SELECT l.level, v.rank, l.min_score::pg_catalog.float8, l.label_en, l.label_zh"
		" FROM churnwarn.scheme_level l JOIN churnwarn.severity v ON v.severity" EQ "l.severity"
		" WHERE l.scheme" EQ "$1 ORDER BY l.level",
		1, {TEXTOID}
	},
	[CW_Q_CFG_TYPES] = {
		"SELECT t.code, t.category, t.weight::pg_catalog.float8,"
		" pg_catalog.date_part('epoch', t.half_life), v.rank,"
		" t.floor_min_amount::pg_catalog.float8"
		" FROM churnwarn.signal_type t LEFT JOIN churnwarn.severity v"
		" ON v.severity" EQ "t.floor_severity ORDER BY t.code COLLATE pg_catalog.\"C\"",
		0, {InvalidOid}
	},
	[CW_Q_CFG_TIERS] = {
		"SELECT tier, score_factor::pg_catalog.float8, level_raise FROM churnwarn.tier",
		0, {InvalidOid}
	},
	[CW_Q_INSERT_SIGNAL] = {
		"INSERT INTO churnwarn.signal (customer_id, signal_type, observed_at, reported_at,"
		" reported_by, source, detail, amount) VALUES ($1, $2, $3, $4, $5, 'manual', $6, $7)"
		" RETURNING id",
		7, {TEXTOID, TEXTOID, TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID, JSONBOID, NUMERICOID}
	},
	[CW_Q_CLOSE_SIGNAL] = {
		"UPDATE churnwarn.signal SET status = $2, closed_at = $3, closed_note = $4"
		" WHERE id" EQ "$1 AND status" EQ "ANY ($5) RETURNING id",
		5, {INT8OID, TEXTOID, TIMESTAMPTZOID, TEXTOID, TEXTARRAYOID}
	},
	[CW_Q_SIGNAL_STATUS] = {
		"SELECT status FROM churnwarn.signal WHERE id" EQ "$1",
		1, {INT8OID}
	},
	[CW_Q_CUSTOMER_EXISTS] = {
		"SELECT 1 FROM churnwarn.customer WHERE customer_id" EQ "$1",
		1, {TEXTOID}
	},
	[CW_Q_CUSTOMER_KEY_SHARE] = {
		"SELECT 1 FROM churnwarn.customer WHERE customer_id" EQ "$1 FOR KEY SHARE",
		1, {TEXTOID}
	},
	[CW_Q_SCHEME_EXISTS] = {
		"SELECT (SELECT pg_catalog.max(level) FROM churnwarn.scheme_level l"
		" WHERE l.scheme" EQ "c.scheme) FROM churnwarn.scheme c WHERE c.scheme" EQ "$1",
		1, {TEXTOID}
	},
	[CW_Q_SET_SCHEME] = {
		"UPDATE churnwarn.settings SET scheme = $1",
		1, {TEXTOID}
	},
	[CW_Q_WARNINGS_ABOVE] = {
		"SELECT pg_catalog.count(*) FROM churnwarn.warning WHERE level OPERATOR(pg_catalog.>) $1"
		" AND status OPERATOR(pg_catalog.<>) ALL ('{closed,dismissed}'::pg_catalog.text[])",
		1, {INT4OID}
	},
	[CW_Q_CUSTOMERS_TO_REGRADE] = {
		"SELECT u.customer_id FROM (SELECT customer_id FROM churnwarn.customer_grade"
		" WHERE level OPERATOR(pg_catalog.>) 0"
		" UNION SELECT customer_id FROM churnwarn.signal"
		" WHERE status OPERATOR(pg_catalog.<>) 'withdrawn') u"
		/* byte order, the order signals' statements take the same locks in */
		" ORDER BY u.customer_id COLLATE \"C\"",
		0, {InvalidOid}
	},
	[CW_Q_READ_LEVEL_WORKFLOW] = {
		"SELECT c.calendar, w.assess_days FROM churnwarn.customer c"
		" JOIN churnwarn.level_workflow w ON w.scheme" EQ "$2 AND w.level" EQ "$3"
		" WHERE c.customer_id" EQ "$1",
		3, {TEXTOID, TEXTOID, INT4OID}
	},
	/*
	 * Re-assessment: the warning goes back to "open" for a new assessment
	 * cycle.  The confirmed level stays in force until the new one is
	 * confirmed; the step times and deadlines of the old cycle are cleared
	 * (warning_event keeps them) and the new assessment deadline is set.
	 */
	[CW_Q_REASSESS_WARNING] = {
		"UPDATE churnwarn.warning SET status = 'open', assessed_level = NULL,"
		" assessment_id = NULL, outcome = NULL, assessed_at = NULL, confirmed_at = NULL,"
		" issued_at = NULL, plan_submitted_at = NULL, notify_due = NULL, plan_due = NULL,"
		" next_progress_due = NULL, assess_due = $3,"
		" reassessments = reassessments OPERATOR(pg_catalog.+) 1, updated_at = $2"
		" WHERE id" EQ "$1",
		3, {INT8OID, TIMESTAMPTZOID, TIMESTAMPTZOID}
	},
};

static SPIPlanPtr plans[CW_Q_COUNT];

/*
 * Reads use read_only SPI only in STABLE entry points (grade, explain).  On
 * the write path they must not: an AFTER trigger's reads need the command
 * counter advanced to see the row that fired it.
 */
bool		churnwarn_spi_read_only = false;

/*
 * churnwarn_plan
 *		The kept plan of a query, prepared on first use in this backend.
 *		Kept plans live in CacheMemoryContext and are revalidated by the
 *		plan cache when the tables they use change.
 */
SPIPlanPtr
churnwarn_plan(ChurnwarnQuery q)
{
	if (plans[q] == NULL)
	{
		SPIPlanPtr	plan;

		plan = SPI_prepare(query_defs[q].sql, query_defs[q].nargs,
						   (Oid *) query_defs[q].argtypes);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for churnwarn query %d: %s",
				 (int) q, SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed for churnwarn query %d", (int) q);
		plans[q] = plan;
	}
	return plans[q];
}

/*
 * churnwarn_exec
 *		Execute a kept plan; check the result code against the expected one.
 */
int
churnwarn_exec(ChurnwarnQuery q, Datum *values, const char *nulls,
			   bool read_only, int expected)
{
	int			rc;

	rc = SPI_execute_plan(churnwarn_plan(q), values, nulls, read_only, 0);
	if (rc != expected)
		elog(ERROR, "churnwarn query %d failed: %s", (int) q,
			 SPI_result_code_string(rc));
	return rc;
}

/* Connect to SPI, with a clear internal error if that fails. */
void
churnwarn_spi_connect(void)
{
	int			rc = SPI_connect();

	if (rc != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));
}

/* Disconnect from SPI. */
void
churnwarn_spi_finish(void)
{
	int			rc = SPI_finish();

	if (rc != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed: %s", SPI_result_code_string(rc));
}

/* Fetch column col of row 0 as int4 (0 if NULL). */
static int
get_int(int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
								  col, &isnull);

	return isnull ? 0 : DatumGetInt32(d);
}

/*
 * churnwarn_lock_grade
 *		Lock the customer's grade row (FOR UPDATE) and return its level.  This
 *		row lock serializes every regrade of one customer, so concurrent
 *		signals can never open two warnings; under REPEATABLE READ a
 *		concurrent change of the row fails with a serialization error, which
 *		is what that isolation level promises.  Returns false if the customer
 *		has no grade row.
 *
 *		One lock order on every path that writes a customer's ledger: the
 *		customer row (FOR KEY SHARE, as the foreign keys of those rows
 *		check it), the head of the customer's audit chain, the grade row.
 *		A signal's statement took the first two already (its foreign key
 *		check, its audit row); any other regrade (regrade(), use_scheme(),
 *		a signal moved to another customer) takes them here, so it never
 *		waits for a head, or for the customer row, while holding the grade
 *		row.
 */
bool
churnwarn_lock_grade(const char *customer_id, int *prev_level)
{
	if (!churnwarn_audit_held(customer_id))
	{
		Datum		v[1] = {CStringGetTextDatum(customer_id)};

		churnwarn_exec(CW_Q_CUSTOMER_KEY_SHARE, v, NULL, false, SPI_OK_SELECT);
		(void) churnwarn_audit_hold(customer_id, false);
	}
	return churnwarn_scan_lock_grade(customer_id, prev_level);
}

/* Like churnwarn_lock_grade, without the lock (for read-only grading). */
bool
churnwarn_read_grade(const char *customer_id, int *prev_level)
{
	Datum		v[1] = {CStringGetTextDatum(customer_id)};

	churnwarn_exec(CW_Q_READ_GRADE, v, NULL, churnwarn_spi_read_only, SPI_OK_SELECT);
	if (SPI_processed == 0)
		return false;
	*prev_level = get_int(1);
	return true;
}

/*
 * churnwarn_read_customer
 *		The customer's tier, status and termination time; false if there is
 *		no such customer.  Strings are palloc'd in the caller's context.
 */
bool
churnwarn_read_customer(const char *customer_id, char **tier, char **status,
						bool *has_terminated, TimestampTz *terminated_at)
{
	Datum		v[1];
	HeapTuple	tup;
	TupleDesc	desc;
	bool		isnull;
	Datum		d;

	if (!churnwarn_spi_read_only)
		return churnwarn_scan_customer(customer_id, tier, status,
									   has_terminated, terminated_at);
	v[0] = CStringGetTextDatum(customer_id);
	churnwarn_exec(CW_Q_READ_CUSTOMER, v, NULL, churnwarn_spi_read_only, SPI_OK_SELECT);
	if (SPI_processed == 0)
		return false;
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	*tier = SPI_getvalue(tup, desc, 1);
	*status = SPI_getvalue(tup, desc, 2);
	d = SPI_getbinval(tup, desc, 3, &isnull);
	*has_terminated = !isnull;
	*terminated_at = isnull ? 0 : DatumGetTimestampTz(d);
	return true;
}

/*
 * churnwarn_read_signals
 *		The customer's signals that count (open or resolved), as rows for the
 *		grading layer.  A signal type missing from the configuration cannot
 *		happen (foreign key), so it is an internal error.
 */
int
churnwarn_read_signals(const ChurnwarnConfig *cfg, const char *customer_id,
					   ChurnwarnSignalRow **rows)
{
	Datum		v[1];
	ChurnwarnSignalRow *r;
	uint64		i;
	int			n;

	if (!churnwarn_spi_read_only)
		return churnwarn_scan_signals(cfg, customer_id, rows);
	v[0] = CStringGetTextDatum(customer_id);
	churnwarn_exec(CW_Q_READ_SIGNALS, v, NULL, churnwarn_spi_read_only, SPI_OK_SELECT);
	n = (int) SPI_processed;
	r = palloc0(sizeof(ChurnwarnSignalRow) * Max(n, 1));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		char	   *type;
		char	   *status;
		Datum		d;

		r[i].id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
		type = SPI_getvalue(tup, desc, 2);
		r[i].type_index = churnwarn_config_find_type(cfg, type);
		if (r[i].type_index < 0)
			elog(ERROR, "signal type \"%s\" missing from the configuration cache", type);
		r[i].observed_at = DatumGetTimestampTz(SPI_getbinval(tup, desc, 3, &isnull));
		status = SPI_getvalue(tup, desc, 4);
		r[i].resolved = (strcmp(status, "resolved") == 0);
		d = SPI_getbinval(tup, desc, 5, &isnull);
		r[i].has_amount = !isnull;
		r[i].amount = isnull ? 0 : DatumGetFloat8(d);
	}
	*rows = r;
	return n;
}

/* The customer's open (not closed or dismissed) warning, if any. */
bool
churnwarn_read_open_warning(const char *customer_id, ChurnwarnWarningRow *w)
{
	return churnwarn_scan_open_warning(customer_id, w);
}

/* Create the customer's grade row at level 0 (if it is missing). */
void
churnwarn_insert_grade(const char *customer_id)
{
	Datum		v[1] = {CStringGetTextDatum(customer_id)};

	churnwarn_exec(CW_Q_INSERT_GRADE, v, NULL, false, SPI_OK_INSERT);
}

/* Record the customer's new level (its grade row is locked). */
void
churnwarn_update_grade(const char *customer_id, int level, double score,
					   int64 config_version, TimestampTz at)
{
	Datum		v[5];
	bool		n[5] = {false, false, false, false, false};

	v[0] = CStringGetTextDatum(customer_id);
	v[1] = Int32GetDatum(level);
	v[2] = Float8GetDatum(score);
	v[3] = Int64GetDatum(config_version);
	v[4] = TimestampTzGetDatum(at);
	(void) churnwarn_write_update_grade(v, n);
}

/* Open a warning; returns its id. */
int64
churnwarn_insert_warning(const char *customer_id, const char *scheme,
						 int level, int64 signal_id, TimestampTz at,
						 TimestampTz observed_at, TimestampTz report_due,
						 TimestampTz assess_due)
{
	Datum		v[9];
	bool		n[9] = {false, false, false, false, false, false, false, false, false};

	v[0] = CStringGetTextDatum(customer_id);
	v[1] = CStringGetTextDatum(scheme);
	v[2] = Int32GetDatum(level);
	v[3] = Int64GetDatum(signal_id);
	v[4] = TimestampTzGetDatum(at);
	v[5] = TimestampTzGetDatum(observed_at);
	v[6] = TimestampTzGetDatum(report_due);
	v[7] = TimestampTzGetDatum(assess_due);
	v[8] = TimestampTzGetDatum(at);
	n[3] = (signal_id == 0);
	n[5] = n[6] = (observed_at == DT_NOBEGIN);
	n[7] = (assess_due == DT_NOBEGIN);
	return churnwarn_write_insert(CW_W_WARNING, v, n);
}

/* Change an open warning's proposed level; dismiss it if asked to. */
void
churnwarn_update_warning_level(int64 warning_id, int level, bool dismiss,
							   TimestampTz at)
{
	(void) churnwarn_write_update_warning_level(warning_id, level, dismiss, at);
}

/* Append a warning_event row. */
void
churnwarn_insert_event(int64 warning_id, const char *customer_id,
					   TimestampTz at, const char *event, int from_level,
					   int to_level, Jsonb *detail)
{
	Datum		v[8];
	bool		n[8] = {false, false, false, false, false, false, false, false};

	v[0] = Int64GetDatum(warning_id);
	v[1] = CStringGetTextDatum(customer_id);
	v[2] = TimestampTzGetDatum(at);
	v[3] = CStringGetTextDatum(event);
	v[4] = CStringGetTextDatum(churnwarn_actor_name());
	v[5] = Int32GetDatum(from_level);
	v[6] = Int32GetDatum(to_level);
	v[7] = JsonbPGetDatum(detail);
	(void) churnwarn_write_insert(CW_W_EVENT, v, n);
}

/* Append a grade_history row. */
void
churnwarn_insert_history(const char *customer_id, TimestampTz at,
						 int from_level, int to_level, double score,
						 int64 config_version, int64 warning_id,
						 int64 signal_id, Jsonb *explanation)
{
	Datum		v[9];
	bool		n[9] = {false, false, false, false, false, false, false, false, false};

	v[0] = CStringGetTextDatum(customer_id);
	v[1] = TimestampTzGetDatum(at);
	v[2] = Int32GetDatum(from_level);
	v[3] = Int32GetDatum(to_level);
	v[4] = Float8GetDatum(score);
	v[5] = Int64GetDatum(config_version);
	v[6] = Int64GetDatum(warning_id);
	v[7] = Int64GetDatum(signal_id);
	v[8] = JsonbPGetDatum(explanation);
	n[6] = (warning_id == 0);
	n[7] = (signal_id == 0);
	(void) churnwarn_write_insert(CW_W_HISTORY, v, n);
}

/* Raise settings.config_version by one. */
void
churnwarn_bump_config_version(void)
{
	churnwarn_exec(CW_Q_BUMP_VERSION, NULL, NULL, false, SPI_OK_UPDATE);
}

/*
 * churnwarn_read_level_workflow
 *		The customer's calendar (NULL for the default) and the scheme's
 *		assessment working days for the level; false if the customer or the
 *		scheme's workflow row for the level is missing.
 */
bool
churnwarn_read_level_workflow(const char *customer_id, const char *scheme,
							  int level, char **calendar, int *assess_days)
{
	Datum		v[3];

	v[0] = CStringGetTextDatum(customer_id);
	v[1] = CStringGetTextDatum(scheme);
	v[2] = Int32GetDatum(level);
	churnwarn_exec(CW_Q_READ_LEVEL_WORKFLOW, v, NULL, false, SPI_OK_SELECT);
	if (SPI_processed == 0)
		return false;
	*calendar = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	*assess_days = get_int(2);
	return true;
}

/*
 * churnwarn_reassess_warning
 *		Send a warning back for re-assessment with a new assessment deadline
 *		(DT_NOBEGIN: none); see CW_Q_REASSESS_WARNING.
 */
void
churnwarn_reassess_warning(int64 warning_id, TimestampTz at,
						   TimestampTz assess_due)
{
	Datum		v[3];
	char		nulls[4] = "   ";

	v[0] = Int64GetDatum(warning_id);
	v[1] = TimestampTzGetDatum(at);
	v[2] = TimestampTzGetDatum(assess_due);
	if (assess_due == DT_NOBEGIN)
		nulls[2] = 'n';
	churnwarn_exec(CW_Q_REASSESS_WARNING, v, nulls, false, SPI_OK_UPDATE);
}
