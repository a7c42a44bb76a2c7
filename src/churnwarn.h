/*-------------------------------------------------------------------------
 *
 * churnwarn.h
 *	  Shared declarations of the churnwarn extension.
 *
 * Copyright (c) 2026, churnwarn authors
 *
 * src/churnwarn.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef CHURNWARN_H
#define CHURNWARN_H

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/timestamp.h"

#if PG_VERSION_NUM < 150000
#error "churnwarn requires PostgreSQL 15 or later"
#endif

/* churnwarn.c: GUC variables */
extern int	churnwarn_language;	/* CHURNWARN_LANG_EN or CHURNWARN_LANG_ZH */
extern char *churnwarn_actor;	/* churnwarn.actor, may be empty */

#define CHURNWARN_LANG_EN	0
#define CHURNWARN_LANG_ZH	1

/* Longest customer key accepted (bytes); keeps NOTIFY payloads bounded. */
#define CHURNWARN_MAX_KEY_LEN	200

extern void _PG_init(void);

/* churnwarn.c */
extern const char *churnwarn_current_actor(void);

/* json.c: building JSON text without per-row to_jsonb calls */
extern void churnwarn_json_key(StringInfo buf, bool *first, const char *key);
extern void churnwarn_json_str(StringInfo buf, bool *first, const char *key,
							   const char *value);
extern void churnwarn_json_int(StringInfo buf, bool *first, const char *key,
							   int64 value);
extern void churnwarn_json_num(StringInfo buf, bool *first, const char *key,
							   double value);
extern void churnwarn_json_bool(StringInfo buf, bool *first, const char *key,
								bool value);
extern void churnwarn_json_ts(StringInfo buf, bool *first, const char *key,
							  TimestampTz value);
extern void churnwarn_json_null(StringInfo buf, bool *first, const char *key);
extern Datum churnwarn_jsonb_from_text(const char *json);

#endif							/* CHURNWARN_H */
