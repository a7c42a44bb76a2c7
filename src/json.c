/*-------------------------------------------------------------------------
 *
 * json.c
 *	  Building JSON text directly, for explanations, notices and payloads.
 *
 * The per-row path never calls to_jsonb: it appends escaped keys and values
 * to a StringInfo and converts the finished text once.
 *
 * Copyright (c) 2026, churnwarn authors
 *
 * src/json.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type_d.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/jsonb.h"

#include "churnwarn.h"

/*
 * churnwarn_json_key
 *		Append a separator (unless this is the first member) and, if key is
 *		not NULL, the escaped key and a colon.  A NULL key appends an array
 *		element.
 */
void
churnwarn_json_key(StringInfo buf, bool *first, const char *key)
{
	if (!*first)
		appendStringInfoChar(buf, ',');
	*first = false;
	if (key != NULL)
	{
		escape_json(buf, key);
		appendStringInfoChar(buf, ':');
	}
}

/* Append a string member; a NULL value becomes JSON null. */
void
churnwarn_json_str(StringInfo buf, bool *first, const char *key,
				   const char *value)
{
	churnwarn_json_key(buf, first, key);
	if (value == NULL)
		appendStringInfoString(buf, "null");
	else
		escape_json(buf, value);
}

/* Append an integer member. */
void
churnwarn_json_int(StringInfo buf, bool *first, const char *key, int64 value)
{
	churnwarn_json_key(buf, first, key);
	appendStringInfo(buf, INT64_FORMAT, value);
}

/*
 * Append a number rounded to four decimals (scores and factors); NaN and
 * infinities cannot occur in grading but would become null, not bad JSON.
 */
void
churnwarn_json_num(StringInfo buf, bool *first, const char *key, double value)
{
	churnwarn_json_key(buf, first, key);
	if (isnan(value) || isinf(value))
		appendStringInfoString(buf, "null");
	else
	{
		double		r = rint(value * 10000.0) / 10000.0;

		if (r == 0)
			r = 0;				/* no "-0" */
		appendStringInfo(buf, "%.10g", r);
	}
}

/* Append a boolean member. */
void
churnwarn_json_bool(StringInfo buf, bool *first, const char *key, bool value)
{
	churnwarn_json_key(buf, first, key);
	appendStringInfoString(buf, value ? "true" : "false");
}

/* Append a timestamptz member in ISO 8601 with its UTC offset. */
void
churnwarn_json_ts(StringInfo buf, bool *first, const char *key,
				  TimestampTz value)
{
	char		tbuf[MAXDATELEN + 1];

	churnwarn_json_key(buf, first, key);
	JsonEncodeDateTime(tbuf, TimestampTzGetDatum(value), TIMESTAMPTZOID, NULL);
	appendStringInfoChar(buf, '"');
	appendStringInfoString(buf, tbuf);
	appendStringInfoChar(buf, '"');
}

/* Append a null member. */
void
churnwarn_json_null(StringInfo buf, bool *first, const char *key)
{
	churnwarn_json_key(buf, first, key);
	appendStringInfoString(buf, "null");
}

/* Convert finished JSON text to a jsonb datum. */
Datum
churnwarn_jsonb_from_text(const char *json)
{
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(json));
}
