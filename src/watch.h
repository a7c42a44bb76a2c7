/*-------------------------------------------------------------------------
 *
 * watch.h
 *	  Declarations shared by the watched-table files: the pure rule
 *	  conditions (rules.c), the per-relation cache and kept plans
 *	  (watch_cache.c), the trigger (watch_trigger.c) and the SQL API
 *	  (watch.c).
 *
 * Copyright (c) 2026, churnwarn authors
 *
 * src/watch.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef CHURNWARN_WATCH_H
#define CHURNWARN_WATCH_H

#include "access/attnum.h"
#include "access/htup.h"
#include "access/tupdesc.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/relcache.h"
#include "utils/timestamp.h"

/* Rule conditions, in the order of their names in rules.c */
typedef enum ChurnwarnCondition
{
	CW_COND_CHANGED,
	CW_COND_EQUALS,
	CW_COND_ABOVE,
	CW_COND_BELOW,
	CW_COND_DROP_PCT,
	CW_COND_OLDER_THAN,
	CW_COND_COUNT
} ChurnwarnCondition;

/* Fields of churnwarn.customer a master table can feed, in upsert order */
typedef enum ChurnwarnField
{
	CW_FIELD_NAME,
	CW_FIELD_COUNTRY,
	CW_FIELD_REGION,
	CW_FIELD_TIER,
	CW_FIELD_ANNUAL_VALUE,
	CW_FIELD_DEPARTMENT,
	CW_FIELD_OWNER,
	CW_FIELD_CONTACT,
	CW_FIELD_STATUS,
	CW_FIELD_CALENDAR,
	CW_FIELD_TERMINATED_AT,
	CW_FIELD_LEGAL_HOLD,
	CW_FIELD_COUNT
} ChurnwarnField;

/*
 * A rule as the trigger evaluates it: the threshold already converted to
 * the column's type and the comparison support looked up.
 */
typedef struct ChurnwarnRule
{
	int64		id;				/* watch_rule.id */
	ChurnwarnCondition cond;	/* condition */
	char	   *column;			/* column name (for the signal detail) */
	AttrNumber	attnum;			/* column number in this relation */
	char	   *signal_type;	/* signal type raised */
	char	   *threshold;		/* threshold as stored (text), or NULL */
	Oid			typid;			/* column type */
	int16		typlen;			/* its length */
	bool		typbyval;		/* passed by value? */
	Oid			collation;		/* column collation */
	Oid			typoutput;		/* output function of the type */
	Datum		value;			/* threshold for equals/above/below */
	double		pct;			/* threshold for drop_pct */
	FmgrInfo	cmp;			/* btree comparison (equals/above/below) */
	bool		has_cmp;		/* cmp is set */
	FmgrInfo	eq;				/* equality (changed, equals without cmp) */
	bool		has_eq;			/* eq is set */
} ChurnwarnRule;

/*
 * Everything the trigger needs about one relation (a watched table or a
 * partition of one), resolved by column name against that relation's own
 * descriptor, so partitions with other column numbers work too.
 */
typedef struct ChurnwarnWatchEntry
{
	Oid			relid;			/* hash key: the relation fired on */
	bool		valid;			/* false once invalidated */
	MemoryContext cxt;			/* holds everything below; NULL if empty */
	bool		watched;		/* false: no watched table covers it */
	Oid			root;			/* the watched table (self or an ancestor) */
	char	   *root_name;		/* its qualified name, for signal details */
	AttrNumber	key_attnum;		/* customer key column */
	Oid			key_typoutput;	/* its output function */
	bool		is_master;		/* keeps churnwarn.customer in step */
	AttrNumber	field_attnum[CW_FIELD_COUNT];	/* 0 = field not mapped */
	Oid			field_typoutput[CW_FIELD_COUNT];	/* output functions */
	int			nrules;			/* rules evaluated on row changes */
	ChurnwarnRule *rules;		/* those rules (no older_than ones) */
} ChurnwarnWatchEntry;

/* rules.c: pure conditions, no SPI, no tables */
extern const char *const churnwarn_condition_names[CW_COND_COUNT];
extern const char *const churnwarn_field_names[CW_FIELD_COUNT];
extern int	churnwarn_condition_from_name(const char *name);
extern int	churnwarn_field_from_name(const char *name);
extern const char *churnwarn_condition_type_problem(ChurnwarnCondition cond,
													Oid typid);
extern const char *churnwarn_field_type_problem(ChurnwarnField field, Oid typid);
extern void churnwarn_rule_prepare(ChurnwarnRule *rule, int32 typmod);
extern bool churnwarn_rule_fires(const ChurnwarnRule *rule,
								 bool has_old, Datum oldval, bool oldnull,
								 Datum newval, bool newnull, double *amount);
extern double churnwarn_datum_to_double(Oid typid, Datum d);

/* watch_cache.c: per-relation metadata and the watch plans */
typedef enum ChurnwarnWatchQuery
{
	CW_WQ_FIND_TABLE,
	CW_WQ_ATTRIBUTES,
	CW_WQ_RULES,
	CW_WQ_INSERT_TABLE,
	CW_WQ_INSERT_ATTRIBUTE,
	CW_WQ_INSERT_RULE,
	CW_WQ_DELETE_TABLE,
	CW_WQ_CUSTOMER_UPSERT,
	CW_WQ_CUSTOMER_RENAME,
	CW_WQ_CUSTOMER_TERMINATE,
	CW_WQ_CUSTOMER_STUB,
	CW_WQ_INSERT_SIGNAL,
	CW_WQ_OLDER_THAN_RULES,
	CW_WQ_OPEN_TICK_SIGNAL,
	CW_WQ_HOLD_CUSTOMER,
	CW_WQ_UPDATE_COLUMNS,
	CW_WQ_WATCHED_TABLES,
	CW_WQ_COUNT
} ChurnwarnWatchQuery;

extern int	churnwarn_watch_exec(ChurnwarnWatchQuery q, Datum *values,
								 const char *nulls, bool read_only, int expected);
extern ChurnwarnWatchEntry *churnwarn_watch_entry(Relation rel);
extern void churnwarn_watch_shape(Oid relid, bool lock_first);
extern void churnwarn_watch_enter(void);
extern void churnwarn_watch_leave(void);
extern void churnwarn_watch_resolve_rule(ChurnwarnRule *rule, TupleDesc desc,
										 const char *column, bool *ok);

/* watch_trigger.c: writes shared with the periodic pass */
extern void churnwarn_watch_raise(const char *customer_id, const char *signal_type,
								  const char *source, TimestampTz observed_at,
								  const char *detail_json, bool has_amount,
								  double amount);
extern void churnwarn_watch_forget_moved(void);
extern char *churnwarn_watch_value_text(Oid typoutput, Datum d, bool isnull);
extern bool churnwarn_watch_sync_row(const ChurnwarnWatchEntry *e, HeapTuple tup,
									 TupleDesc desc);

#endif							/* CHURNWARN_WATCH_H */
