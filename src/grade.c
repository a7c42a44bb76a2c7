/*-------------------------------------------------------------------------
 *
 * grade.c
 *	  Grading: from a customer's signals and the configuration to a level,
 *	  and the explanation that accounts for every point.
 *
 * Pure computation: nothing here touches SPI, triggers or tables, so the
 * rules live in one place and can be reasoned about on their own.
 *
 * The formula (domain.md section 3: severity, difficulty, value):
 *
 *	points(s)	= weight(type) * status_factor * decay
 *				  status_factor = 1 for an open signal, scheme.resolved_factor
 *				  for a resolved one; decay = 0.5 ^ (age / half_life)
 *	severity	= sum of points over the signals that are not withdrawn
 *	difficulty	= 1 + breadth_step * (categories with open signals - 1)
 *	score		= severity * difficulty * tier.score_factor
 *	score_level = highest level whose min_score <= score, except that a
 *				  level already reached is kept while score >= (1 -
 *				  hysteresis) * that level's min_score (no flapping)
 *	floor_level = for each open signal whose type has a floor severity (and,
 *				  if set, amount > floor_min_amount): the lowest level of the
 *				  scheme of at least that severity, else the top level
 *	level		= max(score_level, floor_level), raised by tier.level_raise
 *				  if non-zero, capped at the top; 0 when out of scope.
 *
 * Every factor is >= 1 or a sum of non-negative points, so more signals or a
 * higher tier can never lower the level.
 *
 * Copyright (c) 2026, churnwarn authors
 *
 * src/grade.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "churnwarn.h"

const char *const churnwarn_category_names[CHURNWARN_NCATEGORIES] = {
	"cooperation", "communication", "external", "internal", "other"
};

/*
 * churnwarn_floor_to_level
 *		The lowest level of the scheme whose severity rank is at least
 *		floor_rank; the top level if no level is that severe; 0 for no floor.
 */
int
churnwarn_floor_to_level(const ChurnwarnConfig *cfg, int floor_rank)
{
	int			i;

	if (floor_rank <= 0 || cfg->nlevels == 0)
		return 0;
	for (i = 0; i < cfg->nlevels; i++)
	{
		if (cfg->levels[i].severity_rank >= floor_rank)
			return cfg->levels[i].level;
	}
	return cfg->nlevels;
}

/*
 * level_for_score
 *		Highest level whose threshold the score reaches (0 if none).  When
 *		factor < 1 the thresholds are scaled by it (the hysteresis test).
 */
static int
level_for_score(const ChurnwarnConfig *cfg, double score, double factor)
{
	int			level = 0;
	int			i;

	for (i = 0; i < cfg->nlevels; i++)
	{
		if (score >= cfg->levels[i].min_score * factor)
			level = cfg->levels[i].level;
	}
	return level;
}

/*
 * churnwarn_grade_compute
 *		Fill out (and each signal's decay, points and floor) from in.
 */
void
churnwarn_grade_compute(ChurnwarnGradeInput *in, ChurnwarnGradeResult *out)
{
	const ChurnwarnConfig *cfg = in->cfg;
	bool		open_category[CHURNWARN_NCATEGORIES] = {false};
	int			i;

	memset(out, 0, sizeof(*out));
	out->tier_factor = 1.0;

	for (i = 0; i < in->nsignals; i++)
	{
		ChurnwarnSignalRow *s = &in->signals[i];
		const ChurnwarnSignalType *t = &cfg->types[s->type_index];
		double		age = (double) (in->now - s->observed_at) / USECS_PER_SEC;
		double		status_factor = s->resolved ? cfg->resolved_factor : 1.0;

		if (age < 0)
			age = 0;
		s->decay = (t->half_life > 0) ? pow(0.5, age / t->half_life) : 1.0;
		s->points = t->weight * status_factor * s->decay;
		s->floor_level = 0;
		out->severity += s->points;

		if (!s->resolved)
		{
			open_category[t->category] = true;
			if (t->floor_rank > 0 &&
				(!t->has_floor_min ||
				 (s->has_amount && s->amount > t->floor_min_amount)))
			{
				s->floor_level = churnwarn_floor_to_level(cfg, t->floor_rank);
				if (s->floor_level > out->floor_level)
				{
					out->floor_level = s->floor_level;
					out->floor_signal = s->id;
				}
			}
		}
	}

	for (i = 0; i < CHURNWARN_NCATEGORIES; i++)
		if (open_category[i])
			out->categories++;
	out->difficulty = 1.0 + cfg->breadth_step * Max(out->categories - 1, 0);
	if (in->tier_index >= 0)
		out->tier_factor = cfg->tiers[in->tier_index].score_factor;
	out->score = out->severity * out->difficulty * out->tier_factor;

	/* Score level, with hysteresis against the level recorded before. */
	out->raw_score_level = level_for_score(cfg, out->score, 1.0);
	out->score_level = out->raw_score_level;
	if (in->prev_level > out->raw_score_level)
	{
		int			held = level_for_score(cfg, out->score,
										   1.0 - cfg->hysteresis);

		held = Min(held, in->prev_level);
		if (held > out->score_level)
		{
			out->score_level = held;
			out->held = true;
		}
	}

	out->level = Max(out->score_level, out->floor_level);
	if (out->level > 0 && in->tier_index >= 0)
	{
		int			raised = Min(out->level + cfg->tiers[in->tier_index].level_raise,
								 cfg->nlevels);

		out->tier_raise = raised - out->level;
		out->level = raised;
	}
	if (!in->in_scope)
		out->level = 0;
}

/*
 * churnwarn_grade_explain
 *		The explanation of a computed grade as a jsonb object: every signal's
 *		points, the factors, thresholds, floors and the result.
 */
Jsonb *
churnwarn_grade_explain(const char *customer_id, const ChurnwarnGradeInput *in,
						const ChurnwarnGradeResult *out)
{
	const ChurnwarnConfig *cfg = in->cfg;
	ChurnwarnJsonb jb = {0};
	int			i;

	/*
	 * Keys are pushed in jsonb's own order (shorter first, then bytewise),
	 * so closing each object finds it sorted and does not sort it again.
	 */
	churnwarn_jb_open(&jb, NULL, false);
	churnwarn_jb_ts(&jb, "at", in->now);
	if (in->tier_index >= 0)
		churnwarn_jb_str(&jb, "tier", cfg->tiers[in->tier_index].tier);
	else
		churnwarn_jb_null(&jb, "tier");
	churnwarn_jb_int(&jb, "level", out->level);
	churnwarn_jb_num(&jb, "score", out->score);
	churnwarn_jb_str(&jb, "scheme", cfg->scheme);

	churnwarn_jb_open(&jb, "signals", true);
	for (i = 0; i < in->nsignals; i++)
	{
		const ChurnwarnSignalRow *s = &in->signals[i];
		const ChurnwarnSignalType *t = &cfg->types[s->type_index];

		churnwarn_jb_open(&jb, NULL, false);
		churnwarn_jb_int(&jb, "id", s->id);
		churnwarn_jb_str(&jb, "type", t->code);
		churnwarn_jb_num(&jb, "decay", s->decay);
		if (s->has_amount)
			churnwarn_jb_num(&jb, "amount", s->amount);
		churnwarn_jb_num(&jb, "points", s->points);
		churnwarn_jb_str(&jb, "status", s->resolved ? "resolved" : "open");
		churnwarn_jb_num(&jb, "weight", t->weight);
		churnwarn_jb_str(&jb, "category", churnwarn_category_names[t->category]);
		churnwarn_jb_ts(&jb, "observed_at", s->observed_at);
		if (s->floor_level > 0)
			churnwarn_jb_int(&jb, "forces_level", s->floor_level);
		churnwarn_jb_num(&jb, "status_factor",
						 s->resolved ? cfg->resolved_factor : 1.0);
		if (t->half_life > 0)
			churnwarn_jb_num(&jb, "half_life_days", t->half_life / SECS_PER_DAY);
		else
			churnwarn_jb_null(&jb, "half_life_days");
		churnwarn_jb_close(&jb, false);
	}
	churnwarn_jb_close(&jb, true);

	churnwarn_jb_bool(&jb, "in_scope", in->in_scope);
	churnwarn_jb_num(&jb, "severity", out->severity);
	churnwarn_jb_int(&jb, "top_level", cfg->nlevels);

	churnwarn_jb_open(&jb, "hysteresis", false);
	churnwarn_jb_bool(&jb, "held", out->held);
	churnwarn_jb_int(&jb, "level", out->score_level);
	churnwarn_jb_num(&jb, "margin", cfg->hysteresis);
	churnwarn_jb_int(&jb, "previous_level", in->prev_level);
	churnwarn_jb_close(&jb, false);

	churnwarn_jb_open(&jb, "thresholds", true);
	for (i = 0; i < cfg->nlevels; i++)
	{
		churnwarn_jb_open(&jb, NULL, false);
		churnwarn_jb_str(&jb, "label",
						 churnwarn_language == CHURNWARN_LANG_ZH ?
						 cfg->levels[i].label_zh : cfg->levels[i].label_en);
		churnwarn_jb_int(&jb, "level", cfg->levels[i].level);
		churnwarn_jb_num(&jb, "min_score", cfg->levels[i].min_score);
		churnwarn_jb_close(&jb, false);
	}
	churnwarn_jb_close(&jb, true);

	churnwarn_jb_int(&jb, "tier_raise", out->tier_raise);
	churnwarn_jb_str(&jb, "customer_id", customer_id);
	churnwarn_jb_int(&jb, "floor_level", out->floor_level);
	churnwarn_jb_int(&jb, "score_level", out->raw_score_level);
	churnwarn_jb_num(&jb, "tier_factor", out->tier_factor);
	churnwarn_jb_num(&jb, "breadth_step", cfg->breadth_step);
	if (out->floor_signal != 0)
		churnwarn_jb_int(&jb, "floor_signal", out->floor_signal);
	else
		churnwarn_jb_null(&jb, "floor_signal");
	churnwarn_jb_int(&jb, "config_version", cfg->version);
	churnwarn_jb_int(&jb, "open_categories", out->categories);
	churnwarn_jb_num(&jb, "difficulty_factor", out->difficulty);
	churnwarn_jb_close(&jb, false);
	return churnwarn_jb_finish(&jb);
}
