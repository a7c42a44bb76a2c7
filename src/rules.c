/*-------------------------------------------------------------------------
 *
 * rules.c
 *	  Watched-table rule conditions on two values: which column types a
 *	  condition supports, converting a threshold, and whether a change from
 *	  an old to a new value meets the condition.
 *
 * Pure computation: nothing here knows of triggers, SPI or tables; it works
 * on Datums and the type's own comparison functions, so it can be tested on
 * its own and reused by the trigger and the periodic pass alike.
 *
 * Copyright (c) 2026, churnwarn authors
 *
 * src/rules.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type_d.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/float.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/typcache.h"

#include "watch.h"

const char *const churnwarn_condition_names[CW_COND_COUNT] = {
	"changed", "equals", "above", "below", "drop_pct", "older_than"
};

const char *const churnwarn_field_names[CW_FIELD_COUNT] = {
	"name", "country", "region", "tier", "annual_value", "department",
	"owner", "contact", "status", "calendar", "terminated_at", "legal_hold"
};

/* Index of a condition name, or -1. */
int
churnwarn_condition_from_name(const char *name)
{
	int			i;

	for (i = 0; i < CW_COND_COUNT; i++)
		if (strcmp(name, churnwarn_condition_names[i]) == 0)
			return i;
	return -1;
}

/* Index of a customer field name, or -1. */
int
churnwarn_field_from_name(const char *name)
{
	int			i;

	for (i = 0; i < CW_FIELD_COUNT; i++)
		if (strcmp(name, churnwarn_field_names[i]) == 0)
			return i;
	return -1;
}

/* Is the (base) type a number we can turn into a double? */
static bool
is_number_type(Oid typid)
{
	switch (typid)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case FLOAT4OID:
		case FLOAT8OID:
		case NUMERICOID:
			return true;
		default:
			return false;
	}
}

/* Is the (base) type a date or a point in time? */
static bool
is_time_type(Oid typid)
{
	return typid == DATEOID || typid == TIMESTAMPOID || typid == TIMESTAMPTZOID;
}

/*
 * churnwarn_condition_type_problem
 *		NULL if a column of type typid supports the condition, else a
 *		sentence (for errdetail) saying what the condition needs.  changed
 *		works on any type; equals needs an equality operator; above and
 *		below need numbers or dates and times; drop_pct needs numbers;
 *		older_than needs a date or timestamp.
 */
const char *
churnwarn_condition_type_problem(ChurnwarnCondition cond, Oid typid)
{
	Oid			base = getBaseType(typid);
	TypeCacheEntry *tc;

	switch (cond)
	{
		case CW_COND_CHANGED:
			return NULL;
		case CW_COND_EQUALS:
			tc = lookup_type_cache(base, TYPECACHE_EQ_OPR);
			if (!OidIsValid(tc->eq_opr))
				return "Condition equals needs a type with an equality operator.";
			return NULL;
		case CW_COND_ABOVE:
		case CW_COND_BELOW:
			if (!is_number_type(base) && !is_time_type(base))
				return "Conditions above and below need a numeric, date or timestamp column.";
			return NULL;
		case CW_COND_DROP_PCT:
			if (!is_number_type(base))
				return "Condition drop_pct needs a numeric column (smallint, integer, bigint, real, double precision or numeric).";
			return NULL;
		case CW_COND_OLDER_THAN:
			if (!is_time_type(base))
				return "Condition older_than needs a date, timestamp or timestamptz column.";
			return NULL;
		default:
			elog(ERROR, "unexpected churnwarn condition %d", (int) cond);
	}
	return NULL;				/* keep compiler quiet */
}

/*
 * churnwarn_field_type_problem
 *		NULL if a column of type typid can feed the customer field, else a
 *		sentence saying what the field needs.  Text fields take the text form
 *		of any type.
 */
const char *
churnwarn_field_type_problem(ChurnwarnField field, Oid typid)
{
	Oid			base = getBaseType(typid);

	switch (field)
	{
		case CW_FIELD_ANNUAL_VALUE:
			if (!is_number_type(base))
				return "Field annual_value needs a numeric column.";
			break;
		case CW_FIELD_TERMINATED_AT:
			if (!is_time_type(base))
				return "Field terminated_at needs a date, timestamp or timestamptz column.";
			break;
		case CW_FIELD_LEGAL_HOLD:
			if (base != BOOLOID)
				return "Field legal_hold needs a boolean column.";
			break;
		default:
			break;
	}
	return NULL;
}

/*
 * churnwarn_rule_prepare
 *		Fill in a rule's type support and converted threshold from rule->typid,
 *		rule->collation, rule->cond and rule->threshold, allocating in the
 *		current memory context.  Errors out (with the type's own input error,
 *		or INVALID_PARAMETER_VALUE) if the threshold does not fit.
 */
void
churnwarn_rule_prepare(ChurnwarnRule *rule, int32 typmod)
{
	Oid			base = getBaseType(rule->typid);
	TypeCacheEntry *tc;
	bool		varlena;

	getTypeOutputInfo(rule->typid, &rule->typoutput, &varlena);
	get_typlenbyval(rule->typid, &rule->typlen, &rule->typbyval);
	rule->has_cmp = false;
	rule->has_eq = false;
	rule->value = (Datum) 0;
	rule->pct = 0;

	tc = lookup_type_cache(base, TYPECACHE_EQ_OPR_FINFO | TYPECACHE_CMP_PROC_FINFO);
	if (OidIsValid(tc->eq_opr_finfo.fn_oid))
	{
		fmgr_info_copy(&rule->eq, &tc->eq_opr_finfo, CurrentMemoryContext);
		rule->has_eq = true;
	}
	if (OidIsValid(tc->cmp_proc_finfo.fn_oid))
	{
		fmgr_info_copy(&rule->cmp, &tc->cmp_proc_finfo, CurrentMemoryContext);
		rule->has_cmp = true;
	}

	switch (rule->cond)
	{
		case CW_COND_EQUALS:
		case CW_COND_ABOVE:
		case CW_COND_BELOW:
			{
				Oid			typinput;
				Oid			typioparam;

				getTypeInputInfo(rule->typid, &typinput, &typioparam);
				rule->value = OidInputFunctionCall(typinput, rule->threshold,
												   typioparam, typmod);
				if (rule->cond != CW_COND_EQUALS && !rule->has_cmp)
					elog(ERROR, "type %u has no btree comparison", rule->typid);
				break;
			}
		case CW_COND_DROP_PCT:
			{
				char	   *end;
				double		pct = strtod(rule->threshold, &end);

				while (*end == ' ')
					end++;
				if (end == rule->threshold || *end != '\0' || isnan(pct) ||
					pct <= 0 || pct > 100)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("drop_pct threshold \"%s\" is not a percentage", rule->threshold),
							 errdetail("The threshold must be a number greater than 0 and at most 100.")));
				rule->pct = pct;
				break;
			}
		default:
			break;
	}
}

/* Convert a number of one of the types is_number_type accepts. */
double
churnwarn_datum_to_double(Oid typid, Datum d)
{
	switch (getBaseType(typid))
	{
		case INT2OID:
			return (double) DatumGetInt16(d);
		case INT4OID:
			return (double) DatumGetInt32(d);
		case INT8OID:
			return (double) DatumGetInt64(d);
		case FLOAT4OID:
			return (double) DatumGetFloat4(d);
		case FLOAT8OID:
			return DatumGetFloat8(d);
		case NUMERICOID:
			return DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow, d));
		default:
			elog(ERROR, "type %u is not a number", typid);
	}
	return 0;					/* keep compiler quiet */
}

/* Do two non-null values of the rule's column differ? */
static bool
values_differ(const ChurnwarnRule *rule, Datum a, Datum b)
{
	if (datumIsEqual(a, b, rule->typbyval, rule->typlen))
		return false;
	if (rule->has_eq)
		return !DatumGetBool(FunctionCall2Coll((FmgrInfo *) &rule->eq,
											   rule->collation, a, b));
	return true;
}

/* Does a single value meet an equals, above or below condition? */
static bool
meets(const ChurnwarnRule *rule, Datum v, bool isnull)
{
	int32		c;

	if (isnull)
		return false;
	if (rule->cond == CW_COND_EQUALS && !rule->has_cmp)
		return DatumGetBool(FunctionCall2Coll((FmgrInfo *) &rule->eq,
											  rule->collation, v, rule->value));
	c = DatumGetInt32(FunctionCall2Coll((FmgrInfo *) &rule->cmp,
										rule->collation, v, rule->value));
	switch (rule->cond)
	{
		case CW_COND_EQUALS:
			return c == 0;
		case CW_COND_ABOVE:
			return c > 0;
		case CW_COND_BELOW:
			return c < 0;
		default:
			return false;
	}
}

/*
 * churnwarn_rule_fires
 *		Does the change from the old value (has_old false for an inserted
 *		row) to the new one meet the rule's condition?
 *
 *		changed: the value differs (IS DISTINCT FROM); an inserted row counts
 *		as a change from nothing when its value is not NULL.
 *		equals, above, below: the new value meets the condition and the old
 *		one did not, so a row that stays above a threshold raises once, when
 *		it crosses it.
 *		drop_pct: old and new are not NULL, old is positive and new fell by at
 *		least the threshold percentage; *amount is set to the drop in percent.
 *		older_than: never here (the periodic pass checks it).
 */
bool
churnwarn_rule_fires(const ChurnwarnRule *rule, bool has_old, Datum oldval,
					 bool oldnull, Datum newval, bool newnull, double *amount)
{
	switch (rule->cond)
	{
		case CW_COND_CHANGED:
			if (!has_old)
				return !newnull;
			if (oldnull || newnull)
				return oldnull != newnull;
			return values_differ(rule, oldval, newval);
		case CW_COND_EQUALS:
		case CW_COND_ABOVE:
		case CW_COND_BELOW:
			if (!meets(rule, newval, newnull))
				return false;
			return !(has_old && meets(rule, oldval, oldnull));
		case CW_COND_DROP_PCT:
			{
				double		o;
				double		n;
				double		drop;

				if (!has_old || oldnull || newnull)
					return false;
				o = churnwarn_datum_to_double(rule->typid, oldval);
				n = churnwarn_datum_to_double(rule->typid, newval);
				if (!(o > 0) || isnan(n))
					return false;
				drop = (o - n) / o * 100.0;
				if (drop < rule->pct)
					return false;
				*amount = Min(drop, 100.0 * 1e12);
				return true;
			}
		default:
			return false;
	}
}
