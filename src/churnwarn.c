/*-------------------------------------------------------------------------
 *
 * churnwarn.c
 *	  Module entry point and configuration parameters (GUCs).
 *
 * Copyright (c) 2026, churnwarn authors
 *
 * src/churnwarn.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/guc.h"

#include "churnwarn.h"

PG_MODULE_MAGIC;

/* GUC variables, named after their GUCs */
int			churnwarn_language = CHURNWARN_LANG_EN;
char	   *churnwarn_actor = NULL;

static const struct config_enum_entry language_options[] = {
	{"en", CHURNWARN_LANG_EN, false},
	{"zh", CHURNWARN_LANG_ZH, false},
	{NULL, 0, false}
};

/*
 * _PG_init
 *		Define churnwarn's GUCs.  Nothing here needs shared memory, so the
 *		module does not have to be preloaded.
 */
void
_PG_init(void)
{
	DefineCustomEnumVariable("churnwarn.language",
							 "Language of the labels shown in churnwarn's views and notices.",
							 "Either en (English) or zh (Chinese).",
							 &churnwarn_language,
							 CHURNWARN_LANG_EN,
							 language_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("churnwarn.actor",
							   "Name recorded as the actor of churnwarn changes.",
							   "Applications that connect through a shared role set this to the person "
							   "acting; when it is empty the session user is recorded.",
							   &churnwarn_actor,
							   "",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);

	MarkGUCPrefixReserved("churnwarn");
}

/*
 * churnwarn_current_actor
 *		The person to record for a change: churnwarn.actor if set, else the
 *		session user.  The result is palloc'd in the current context or
 *		points at GUC storage; callers copy it before changing contexts.
 */
const char *
churnwarn_current_actor(void)
{
	if (churnwarn_actor != NULL && churnwarn_actor[0] != '\0')
		return churnwarn_actor;
	return GetUserNameFromId(GetSessionUserId(), false);
}
