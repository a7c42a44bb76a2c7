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
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#if PG_VERSION_NUM < 150000
#error "churnwarn requires PostgreSQL 15 or later"
#endif

/* churnwarn.c: GUC variables */
extern int	churnwarn_language;	/* CHURNWARN_LANG_EN or CHURNWARN_LANG_ZH */
extern char *churnwarn_actor;	/* churnwarn.actor, may be empty */
extern char *churnwarn_clock;	/* churnwarn.clock, may be empty */
extern bool churnwarn_calendar_coverage_warning;	/* churnwarn.calendar_coverage_warning */

#define CHURNWARN_LANG_EN	0
#define CHURNWARN_LANG_ZH	1

/* Longest customer key accepted (bytes); keeps NOTIFY payloads bounded. */
#define CHURNWARN_MAX_KEY_LEN	200

extern void _PG_init(void);

/* churnwarn.c */
extern const char *churnwarn_actor_name(void);
extern TimestampTz churnwarn_clock_now(void);

/* json.c: building JSON text without per-row to_jsonb calls */
extern void churnwarn_json_key(StringInfo buf, bool *first, const char *key);
extern void churnwarn_json_str(StringInfo buf, bool *first, const char *key,
							   const char *value);
extern void churnwarn_json_int(StringInfo buf, bool *first, const char *key,
							   int64 value);
extern void churnwarn_json_num(StringInfo buf, bool *first, const char *key,
							   double value);
extern void churnwarn_json_null(StringInfo buf, bool *first, const char *key);
extern Datum churnwarn_jsonb_from_text(const char *json);

/* A jsonb document built value by value (json.c); zero it before use. */
typedef struct ChurnwarnJsonb
{
	JsonbParseState *state;	/* open containers */
	JsonbValue *result;	/* the document once closed */
} ChurnwarnJsonb;

extern void churnwarn_jb_open(ChurnwarnJsonb *jb, const char *key, bool array);
extern void churnwarn_jb_close(ChurnwarnJsonb *jb, bool array);
extern void churnwarn_jb_str(ChurnwarnJsonb *jb, const char *key, const char *value);
extern void churnwarn_jb_int(ChurnwarnJsonb *jb, const char *key, int64 value);
extern void churnwarn_jb_num(ChurnwarnJsonb *jb, const char *key, double value);
extern void churnwarn_jb_bool(ChurnwarnJsonb *jb, const char *key, bool value);
extern void churnwarn_jb_ts(ChurnwarnJsonb *jb, const char *key, TimestampTz value);
extern void churnwarn_jb_null(ChurnwarnJsonb *jb, const char *key);
extern Jsonb *churnwarn_jb_finish(ChurnwarnJsonb *jb);

/*
 * Configuration as grading sees it (config.c loads it, grade.c reads it).
 * Everything lives in the configuration cache context and stays valid
 * until the next invalidation of a configuration table.
 */
#define CHURNWARN_NCATEGORIES	5

typedef struct ChurnwarnSignalType
{
	char	   *code;			/* signal type code */
	int			category;		/* index into churnwarn_category_names */
	double		weight;			/* points when fresh and open */
	double		half_life;		/* seconds; <= 0 means no decay */
	int			floor_rank;		/* severity rank forced when open; 0 = none */
	bool		has_floor_min;	/* floor only if amount > floor_min_amount */
	double		floor_min_amount;	/* threshold for the floor */
} ChurnwarnSignalType;

typedef struct ChurnwarnLevel
{
	int			level;			/* 1..N */
	int			severity_rank;	/* rank of the level's named severity */
	double		min_score;		/* lowest score reaching the level */
	char	   *label_en;		/* English name */
	char	   *label_zh;		/* Chinese name */
} ChurnwarnLevel;

typedef struct ChurnwarnTier
{
	char	   *tier;			/* tier code */
	double		score_factor;	/* score multiplier, >= 1 */
	int			level_raise;	/* levels added to a non-zero level */
} ChurnwarnTier;

typedef struct ChurnwarnConfig
{
	char	   *scheme;			/* active scheme */
	int64		version;		/* settings.config_version */
	double		hysteresis;		/* anti-flapping margin, 0 <= h < 1 */
	double		resolved_factor;	/* weight of resolved signals */
	double		breadth_step;	/* difficulty per extra open category */
	Interval	scope_after_termination;	/* Art. 2: one year */
	Interval	report_within;	/* Art. 12: 24 hours */
	int			nlevels;		/* top level of the scheme */
	ChurnwarnLevel *levels;		/* levels[i] is level i + 1 */
	int			ntypes;			/* number of signal types */
	ChurnwarnSignalType *types; /* sorted by code */
	int			ntiers;			/* number of tiers */
	ChurnwarnTier *tiers;		/* in no particular order */
} ChurnwarnConfig;

extern const char *const churnwarn_category_names[CHURNWARN_NCATEGORIES];

/* config.c */
extern const ChurnwarnConfig *churnwarn_config(void);
extern int	churnwarn_config_find_type(const ChurnwarnConfig *cfg, const char *code);
extern int	churnwarn_config_find_tier(const ChurnwarnConfig *cfg, const char *tier);
extern void churnwarn_config_reset(void);

/*
 * grade.c: pure grading.  Knows nothing of SPI, triggers or tables.
 */
typedef struct ChurnwarnSignalRow
{
	int64		id;				/* signal id */
	int			type_index;		/* index into cfg->types */
	TimestampTz observed_at;	/* when it was observed */
	bool		resolved;		/* resolved (true) or open (false) */
	bool		has_amount;		/* amount present */
	double		amount;			/* amount, if present */
	/* filled by churnwarn_grade_compute: */
	double		decay;			/* decay factor in (0, 1] */
	double		points;			/* points contributed */
	int			floor_level;	/* level this signal forces, 0 = none */
} ChurnwarnSignalRow;

typedef struct ChurnwarnGradeInput
{
	const ChurnwarnConfig *cfg; /* configuration */
	int			tier_index;		/* index into cfg->tiers, -1 if unknown */
	bool		in_scope;		/* false: terminated more than a year ago */
	TimestampTz now;			/* time the grade is computed for */
	int			prev_level;		/* level recorded before this grade */
	int			nsignals;		/* signals that count (not withdrawn) */
	ChurnwarnSignalRow *signals;	/* those signals */
} ChurnwarnGradeInput;

typedef struct ChurnwarnGradeResult
{
	double		severity;		/* sum of the signals' points */
	int			categories;		/* categories with open signals */
	double		difficulty;		/* recovery difficulty factor */
	double		tier_factor;	/* value factor */
	double		score;			/* severity * difficulty * tier_factor */
	int			raw_score_level;	/* level the score reaches */
	int			score_level;	/* after hysteresis */
	bool		held;			/* hysteresis kept a higher level */
	int			floor_level;	/* highest floor of an open signal */
	int64		floor_signal;	/* the signal that set it */
	int			tier_raise;		/* levels added by the tier */
	int			level;			/* the proposed level */
} ChurnwarnGradeResult;

extern void churnwarn_grade_compute(ChurnwarnGradeInput *in, ChurnwarnGradeResult *out);
extern Jsonb *churnwarn_grade_explain(const char *customer_id,
											 const ChurnwarnGradeInput *in,
											 const ChurnwarnGradeResult *out);
extern int	churnwarn_floor_to_level(const ChurnwarnConfig *cfg, int floor_rank);

/*
 * storage.c: reads and writes of churnwarn's tables through kept plans.
 */
typedef struct ChurnwarnWarningRow
{
	int64		id;				/* warning id, 0 if none */
	char	   *status;			/* workflow status */
	int			proposed_level; /* level the rules propose */
	int			level;			/* confirmed level, 0 if none */
	char	   *scheme;			/* scheme the warning was opened under */
	int			assessed_level; /* level of the current assessment, 0 if
								 * none (pending approval or confirmed) */
} ChurnwarnWarningRow;

extern void churnwarn_spi_connect(void);
extern void churnwarn_spi_finish(void);
extern bool churnwarn_lock_grade(const char *customer_id, int *prev_level);
extern bool churnwarn_read_grade(const char *customer_id, int *prev_level);
extern bool churnwarn_read_customer(const char *customer_id, char **tier,
									char **status, bool *has_terminated,
									TimestampTz *terminated_at);
extern int	churnwarn_read_signals(const ChurnwarnConfig *cfg,
								   const char *customer_id,
								   ChurnwarnSignalRow **rows);
extern bool churnwarn_read_open_warning(const char *customer_id,
										ChurnwarnWarningRow *w);
extern void churnwarn_insert_grade(const char *customer_id);
extern void churnwarn_update_grade(const char *customer_id, int level,
								   double score, int64 config_version,
								   TimestampTz at);
extern int64 churnwarn_insert_warning(const char *customer_id, const char *scheme,
									  int level, int64 signal_id,
									  TimestampTz at, TimestampTz observed_at,
									  TimestampTz report_due,
									  TimestampTz assess_due);
extern bool churnwarn_read_level_workflow(const char *customer_id,
										  const char *scheme, int level,
										  char **calendar, int *assess_days);
extern void churnwarn_reassess_warning(int64 warning_id, TimestampTz at,
									   TimestampTz assess_due);
extern void churnwarn_update_warning_level(int64 warning_id, int level,
										   bool dismiss, TimestampTz at);
extern void churnwarn_insert_event(int64 warning_id, const char *customer_id,
								   TimestampTz at, const char *event,
								   int from_level, int to_level,
								   Jsonb *detail);
extern void churnwarn_insert_history(const char *customer_id, TimestampTz at,
									 int from_level, int to_level, double score,
									 int64 config_version, int64 warning_id,
									 int64 signal_id, Jsonb *explanation);
extern void churnwarn_bump_config_version(void);

/* grading pipeline shared by the triggers and the SQL functions (signal.c) */
extern bool churnwarn_lock_or_create_grade(const char *customer_id, int *prev_level);
extern int	churnwarn_regrade_customer(const char *customer_id, int64 signal_id,
							  TimestampTz now);
/* workflow.c: deadlines stamped by the grading pipeline */
extern TimestampTz churnwarn_assess_due(const char *customer_id,
										const char *scheme, int level,
										TimestampTz from);
extern void churnwarn_compute_for(const char *customer_id, TimestampTz now,
								  ChurnwarnGradeInput *in,
								  ChurnwarnGradeResult *out);

#endif							/* CHURNWARN_H */
