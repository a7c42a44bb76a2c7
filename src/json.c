/*-------------------------------------------------------------------------
 *
 * json.c
 *	  Building JSON text directly, for explanations, notices and payloads.
 *
 * The per-row path never calls to_jsonb: text (notification payloads) is
 * appended to a StringInfo, and documents stored as jsonb are pushed value
 * by value into a jsonb value (churnwarn_jb_*) without printing them.
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
#include "utils/numeric.h"

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
 * format_ten_thousandths
 *		Write k / 10000 into out (32 bytes) exactly as "%.10g" prints it, without snprintf
 *		(which was most of the cost of an explanation).  Valid for
 *		|k| < 10^10: the value then has at most ten significant digits, so
 *		"%.10g" prints it exactly, in positional notation (its exponent lies
 *		between -4 and 5), with the trailing zeros of the fraction removed.
 *		Returns the length.
 */
static int
format_ten_thousandths(char *out, int64 k)
{
	char		tmp[32];
	char	   *p = tmp + sizeof(tmp);
	int			len;
	uint64		u;
	uint64		ip;
	int			frac;
	int			ndig;

	if (k == 0)
	{
		out[0] = '0';
		out[1] = '\0';
		return 1;
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
	len = (int) (tmp + sizeof(tmp) - p);
	memcpy(out, p, len);
	out[len] = '\0';
	return len;
}

/*
 * Append a number rounded to four decimals (scores and factors); NaN and
 * infinities cannot occur in grading but would become null, not bad JSON.
 */
/*
 * format_num
 *		A number as the explanations show it: rounded to four decimals,
 *		trailing zeros removed.  Returns false for NaN and infinities (shown
 *		as null).
 */
static bool
format_num(char *out, double value)
{
	double		k;

	if (isnan(value) || isinf(value))
		return false;
	k = rint(value * 10000.0);
	if (fabs(k) < 1e10)
		format_ten_thousandths(out, (int64) k);	/* 0 for -0 too */
	else
		snprintf(out, 32, "%.10g", k / 10000.0);
	return true;
}

void
churnwarn_json_num(StringInfo buf, bool *first, const char *key, double value)
{
	char		digits[32];

	churnwarn_json_key(buf, first, key);
	if (format_num(digits, value))
		appendStringInfoString(buf, digits);
	else
		appendStringInfoString(buf, "null");
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

/*
 * The same values pushed straight into a jsonb value, for the documents
 * that are stored as jsonb (explanations, event details): no JSON text is
 * printed and parsed again.  A key of NULL appends an array element.  The
 * result equals jsonb_in() of the text the churnwarn_json_* functions
 * print: strings, the same rounded numbers through numeric_in(), the same
 * timestamps.  Strings are referenced, not copied, until
 * churnwarn_jb_finish().
 */

/* Push a key (NULL: none, the value is an array element). */
static void
jb_key(ChurnwarnJsonb *jb, const char *key)
{
	JsonbValue	k;

	if (key == NULL)
		return;
	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = strlen(key);
	pushJsonbValue(&jb->state, WJB_KEY, &k);
}

/* Push one scalar under key (or as an array element). */
static void
jb_push(ChurnwarnJsonb *jb, const char *key, JsonbValue *v)
{
	jb_key(jb, key);
	jb->result = pushJsonbValue(&jb->state, key ? WJB_VALUE : WJB_ELEM, v);
}

/* Start an object (array false) or array, under key or as an element. */
void
churnwarn_jb_open(ChurnwarnJsonb *jb, const char *key, bool array)
{
	jb_key(jb, key);
	jb->result = pushJsonbValue(&jb->state,
								array ? WJB_BEGIN_ARRAY : WJB_BEGIN_OBJECT, NULL);
}

/* End the innermost object or array. */
void
churnwarn_jb_close(ChurnwarnJsonb *jb, bool array)
{
	jb->result = pushJsonbValue(&jb->state,
								array ? WJB_END_ARRAY : WJB_END_OBJECT, NULL);
}

void
churnwarn_jb_str(ChurnwarnJsonb *jb, const char *key, const char *value)
{
	JsonbValue	v;

	if (value == NULL)
	{
		churnwarn_jb_null(jb, key);
		return;
	}
	v.type = jbvString;
	v.val.string.val = (char *) value;
	v.val.string.len = strlen(value);
	jb_push(jb, key, &v);
}

void
churnwarn_jb_int(ChurnwarnJsonb *jb, const char *key, int64 value)
{
	JsonbValue	v;

	v.type = jbvNumeric;
	v.val.numeric = int64_to_numeric(value);
	jb_push(jb, key, &v);
}

/*
 * make_num
 *		The numeric that numeric_in() makes of the text format_num() printed
 *		(digits): built from the scaled integer when the value has at most
 *		four decimals and fits (the usual case), without parsing.
 */
static Numeric
make_num(double value, const char *digits)
{
	double		k = rint(value * 10000.0);

	if (fabs(k) < 1e10)
	{
		int64		i = (int64) k;
		int			scale = 4;

		/* the same trailing zeros removed as in format_ten_thousandths */
		while (scale > 0 && i % 10 == 0)
		{
			i /= 10;
			scale--;
		}
		return int64_div_fast_to_numeric(i, scale);
	}
	return DatumGetNumeric(DirectFunctionCall3(numeric_in,
											   CStringGetDatum(digits),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}

void
churnwarn_jb_num(ChurnwarnJsonb *jb, const char *key, double value)
{
	char		digits[32];
	JsonbValue	v;

	if (!format_num(digits, value))
	{
		churnwarn_jb_null(jb, key);
		return;
	}
	v.type = jbvNumeric;
	v.val.numeric = make_num(value, digits);
	jb_push(jb, key, &v);
}

void
churnwarn_jb_bool(ChurnwarnJsonb *jb, const char *key, bool value)
{
	JsonbValue	v;

	v.type = jbvBool;
	v.val.boolean = value;
	jb_push(jb, key, &v);
}

void
churnwarn_jb_ts(ChurnwarnJsonb *jb, const char *key, TimestampTz value)
{
	char		tbuf[MAXDATELEN + 1];

	JsonEncodeDateTime(tbuf, TimestampTzGetDatum(value), TIMESTAMPTZOID, NULL);
	churnwarn_jb_str(jb, key, pstrdup(tbuf));
}

void
churnwarn_jb_null(ChurnwarnJsonb *jb, const char *key)
{
	JsonbValue	v;

	v.type = jbvNull;
	jb_push(jb, key, &v);
}

/* The finished document (the outermost object or array is closed). */
Jsonb *
churnwarn_jb_finish(ChurnwarnJsonb *jb)
{
	if (jb->state != NULL || jb->result == NULL)
		elog(ERROR, "churnwarn jsonb document is not complete");
	return JsonbValueToJsonb(jb->result);
}
