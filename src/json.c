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
 * json_escape
 *		escape_json(), with the common case of a string that needs no
 *		escaping (every key and most values) appended in one piece instead
 *		of byte by byte.  The output is the same.
 */
static void
json_escape(StringInfo buf, const char *str)
{
	const unsigned char *p;
	int			len;

	for (p = (const unsigned char *) str; *p; p++)
		if (*p < ' ' || *p == '"' || *p == '\\')
		{
			escape_json(buf, str);
			return;
		}
	len = (int) (p - (const unsigned char *) str);
	enlargeStringInfo(buf, len + 2);
	buf->data[buf->len++] = '"';
	memcpy(buf->data + buf->len, str, len);
	buf->len += len;
	buf->data[buf->len++] = '"';
	buf->data[buf->len] = '\0';
}

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
		json_escape(buf, key);
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
		json_escape(buf, value);
}

/* Append an integer member. */
void
churnwarn_json_int(StringInfo buf, bool *first, const char *key, int64 value)
{
	char		digits[MAXINT8LEN + 1];

	churnwarn_json_key(buf, first, key);
	appendBinaryStringInfo(buf, digits, pg_lltoa(value, digits));
}

/*
 * append_ten_thousandths
 *		Append k / 10000 exactly as "%.10g" prints it, without snprintf
 *		(which was most of the cost of an explanation).  Valid for
 *		|k| < 10^10: the value then has at most ten significant digits, so
 *		"%.10g" prints it exactly, in positional notation (its exponent lies
 *		between -4 and 5), with the trailing zeros of the fraction removed.
 */
static void
append_ten_thousandths(StringInfo buf, int64 k)
{
	char		tmp[32];
	char	   *p = tmp + sizeof(tmp);
	uint64		u;
	uint64		ip;
	int			frac;
	int			ndig;

	if (k == 0)
	{
		appendStringInfoChar(buf, '0');
		return;
	}
	u = (k < 0) ? (uint64) -k : (uint64) k;
	ip = u / 10000;
	frac = (int) (u % 10000);

	/* the fraction without its trailing zeros */
	ndig = 4;
	while (frac != 0 && frac % 10 == 0)
	{
		frac /= 10;
		ndig--;
	}
	if (frac != 0)
	{
		int			i;

		for (i = 0; i < ndig; i++)
		{
			*--p = (char) ('0' + frac % 10);
			frac /= 10;
		}
		*--p = '.';
	}
	do
	{
		*--p = (char) ('0' + ip % 10);
		ip /= 10;
	} while (ip != 0);
	if (k < 0)
		*--p = '-';
	appendBinaryStringInfo(buf, p, (int) (tmp + sizeof(tmp) - p));
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
		double		k = rint(value * 10000.0);

		if (fabs(k) < 1e10)
			append_ten_thousandths(buf, (int64) k);	/* 0 for -0 too */
		else
			appendStringInfo(buf, "%.10g", k / 10000.0);
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
