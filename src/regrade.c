/*-------------------------------------------------------------------------
 *
 * regrade.c
 *	  The grading pipeline: read a customer's state, ask grade.c for the
 *	  level, and when it changes record the change, open, escalate,
 *	  de-escalate or dismiss the warning, and notify listeners.
 *
 * Shared by the triggers (trigger.c) and the SQL functions (signal.c,
 * workflow.c); the caller is connected to SPI.
 *
 * Workflow rules applied here (design.md "The warning workflow"):
 * - a warning is opened only when the level rises to >= 1 with no warning
 *	 in progress (a level that falls after a warning was closed opens
 *	 nothing); it gets its report deadline (observation + report_within) and
 *	 its assessment deadline (the level's assess_days working days after the
 *	 report, in the customer's calendar);
 * - an escalation above the level of the warning's current assessment
 *	 (pending approval or confirmed) sends the warning back to "open" for
 *	 re-assessment at the new level: a "reassessment" event follows the
 *	 "escalated" one, the old cycle's step times and deadlines are cleared,
 *	 the confirmed level stays in force until the new one is confirmed.  Every write happens in the caller's
 * transaction, so a rolled-back signal leaves no trace of its grade.
 *
 * Copyright (c) 2026, churnwarn authors
 *
 * src/regrade.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/async.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "churnwarn.h"

/*
 * churnwarn_compute_for
 *		Grade customer_id at time now against in->prev_level (set by the
 *		caller).  Reads the customer and its signals; errors if the customer
 *		does not exist.
 */
void
churnwarn_compute_for(const char *customer_id, TimestampTz now,
					  ChurnwarnGradeInput *in, ChurnwarnGradeResult *out)
{
	const ChurnwarnConfig *cfg = churnwarn_config();
	char	   *tier;
	char	   *status;
	bool		has_terminated;
	TimestampTz terminated_at;

	if (!churnwarn_read_customer(customer_id, &tier, &status,
								 &has_terminated, &terminated_at))
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("customer \"%s\" does not exist", customer_id)));

	in->cfg = cfg;
	in->now = now;
	in->tier_index = churnwarn_config_find_tier(cfg, tier);
	in->in_scope = true;
	if (strcmp(status, "terminated") == 0 && has_terminated)
	{
		TimestampTz until;

		until = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
														TimestampTzGetDatum(terminated_at),
														IntervalPGetDatum(&cfg->scope_after_termination)));
		if (until < now)
			in->in_scope = false;
	}
	in->nsignals = churnwarn_read_signals(cfg, customer_id, &in->signals);
	churnwarn_grade_compute(in, out);
}

/*
 * notify_change
 *		NOTIFY churnwarn with a JSON payload describing the change; delivered
 *		at commit, dropped on rollback, like the change itself.
 */
static void
notify_change(const char *customer_id, const char *event, int from_level,
			  int to_level, double score, int64 warning_id)
{
	StringInfoData buf;
	bool		first = true;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	churnwarn_json_str(&buf, &first, "customer_id", customer_id);
	churnwarn_json_str(&buf, &first, "event", event);
	churnwarn_json_int(&buf, &first, "from_level", from_level);
	churnwarn_json_int(&buf, &first, "to_level", to_level);
	churnwarn_json_num(&buf, &first, "score", score);
	if (warning_id != 0)
		churnwarn_json_int(&buf, &first, "warning_id", warning_id);
	else
		churnwarn_json_null(&buf, &first, "warning_id");
	appendStringInfoChar(&buf, '}');
	Async_Notify("churnwarn", buf.data);
	pfree(buf.data);
}

/* Earliest observation among the open signals (DT_NOBEGIN if none). */
static TimestampTz
earliest_open_observation(const ChurnwarnGradeInput *in)
{
	TimestampTz t = DT_NOBEGIN;
	int			i;

	for (i = 0; i < in->nsignals; i++)
	{
		if (in->signals[i].resolved)
			continue;
		if (t == DT_NOBEGIN || in->signals[i].observed_at < t)
			t = in->signals[i].observed_at;
	}
	return t;
}

/*
 * triggering_observation
 *		When the signal that opened a warning was observed: the report
 *		deadline (Art. 12: within 24 hours of observing it) runs from there.
 *		Without a triggering signal (a tier change, a scheme switch), the
 *		earliest open observation.
 */
static TimestampTz
triggering_observation(const ChurnwarnGradeInput *in, int64 signal_id)
{
	int			i;

	for (i = 0; i < in->nsignals; i++)
		if (in->signals[i].id == signal_id)
			return in->signals[i].observed_at;
	return earliest_open_observation(in);
}

/*
 * send_back_for_reassessment
 *		The proposed level rose above the level the warning was assessed at:
 *		reopen it for assessment at the new level with a new deadline, and
 *		record a "reassessment" event (from the assessed to the new level).
 */
static void
send_back_for_reassessment(const ChurnwarnWarningRow *w,
						   const char *customer_id, int level, TimestampTz now)
{
	TimestampTz due = churnwarn_assess_due(customer_id, w->scheme, level, now);
	ChurnwarnJsonb detail = {0};

	churnwarn_reassess_warning(w->id, now, due);
	churnwarn_jb_open(&detail, NULL, false);
	churnwarn_jb_str(&detail, "previous_status", w->status);
	churnwarn_jb_int(&detail, "assessed_level", w->assessed_level);
	if (w->level > 0)
		churnwarn_jb_int(&detail, "confirmed_level", w->level);
	if (due != DT_NOBEGIN)
		churnwarn_jb_ts(&detail, "assess_due", due);
	churnwarn_jb_close(&detail, false);
	churnwarn_insert_event(w->id, customer_id, now, "reassessment",
						   w->assessed_level, level, churnwarn_jb_finish(&detail));
}

/*
 * churnwarn_lock_or_create_grade
 *		Lock the customer's grade row (churnwarn_lock_grade).  A customer
 *		loaded with triggers disabled gets its grade row now; false for a
 *		customer that no longer exists (renamed in this statement), which
 *		has nothing to grade.
 */
bool
churnwarn_lock_or_create_grade(const char *customer_id, int *prev_level)
{
	if (churnwarn_lock_grade(customer_id, prev_level))
		return true;
	churnwarn_insert_grade(customer_id);
	return churnwarn_lock_grade(customer_id, prev_level);
}

/*
 * churnwarn_regrade_customer
 *		Regrade one customer and apply the consequences.  signal_id names the
 *		signal whose change caused it (0 if none).  Returns the new level.
 *
 *		The customer's grade row is locked first, so regrades of one customer
 *		are serialized: with the unique index on open warnings this is what
 *		guarantees at most one open warning per customer.
 */
int
churnwarn_regrade_customer(const char *customer_id, int64 signal_id, TimestampTz now)
{
	ChurnwarnGradeInput in;
	ChurnwarnGradeResult out;
	ChurnwarnWarningRow w;
	const char *event = NULL;
	int			prev;
	int64		warning_id = 0;
	bool		have_warning;
	bool		reassess = false;

	if (!churnwarn_lock_or_create_grade(customer_id, &prev))
		return 0;

	memset(&in, 0, sizeof(in));
	in.prev_level = prev;
	churnwarn_compute_for(customer_id, now, &in, &out);
	if (out.level == prev)
		return prev;

	churnwarn_update_grade(customer_id, out.level, out.score,
						   in.cfg->version, now);

	have_warning = churnwarn_read_open_warning(customer_id, &w);
	if (!have_warning && out.level > 0 && out.level > prev)
	{
		TimestampTz observed = triggering_observation(&in, signal_id);
		TimestampTz report_due = DT_NOBEGIN;
		TimestampTz assess_due;

		if (observed != DT_NOBEGIN)
			report_due = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
																 TimestampTzGetDatum(observed),
																 IntervalPGetDatum(&in.cfg->report_within)));
		assess_due = churnwarn_assess_due(customer_id, in.cfg->scheme,
										  out.level, now);
		warning_id = churnwarn_insert_warning(customer_id, in.cfg->scheme,
											  out.level, signal_id, now,
											  observed, report_due,
											  assess_due);
		event = "opened";
	}
	else if (have_warning)
	{
		bool		dismiss = (out.level == 0 && strcmp(w.status, "open") == 0);

		warning_id = w.id;
		if (dismiss)
			event = "dismissed";
		else if (out.level > w.proposed_level)
		{
			event = "escalated";
			reassess = (w.assessed_level > 0 && out.level > w.assessed_level);
		}
		else
			event = "deescalated";
		churnwarn_update_warning_level(w.id, out.level, dismiss, now);
	}

	if (event != NULL)
	{
		ChurnwarnJsonb detail = {0};

		churnwarn_jb_open(&detail, NULL, false);
		churnwarn_jb_num(&detail, "score", out.score);
		if (signal_id != 0)
			churnwarn_jb_int(&detail, "signal_id", signal_id);
		if (have_warning && w.level > 0)
			churnwarn_jb_int(&detail, "confirmed_level", w.level);
		churnwarn_jb_close(&detail, false);
		churnwarn_insert_event(warning_id, customer_id, now, event,
							   have_warning ? w.proposed_level : prev,
							   out.level, churnwarn_jb_finish(&detail));
	}
	if (reassess)
		send_back_for_reassessment(&w, customer_id, out.level, now);
	churnwarn_insert_history(customer_id, now, prev, out.level, out.score,
							 in.cfg->version, warning_id, signal_id,
							 churnwarn_grade_explain(customer_id, &in, &out));
	notify_change(customer_id, event ? event : (out.level > prev ? "escalated" : "deescalated"),
				  prev, out.level, out.score, warning_id);
	return out.level;
}
