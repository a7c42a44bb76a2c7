/*-------------------------------------------------------------------------
 *
 * privacy.c
 *	  Who reads what: the reader classes behind masking and row-level
 *	  security.
 *
 * churnwarn's roles (created by churnwarn.setup_roles()) sort a reader into
 * two independent classes:
 *
 *	restricted	the reader has the privileges of churnwarn_partner: it sees
 *				only the customers assigned to it (row-level security on the
 *				tables, the same test spelled out in the views that run with
 *				their owner's rights, and in the dossier).
 *	masked		the reader has the privileges of churnwarn_partner or
 *				churnwarn_bi and of none of churnwarn_admin, churnwarn_staff
 *				and churnwarn_auditor: personal data are shown as
 *				pseudonyms.
 *
 * Superusers are neither (they bypass row-level security anyway); a role
 * with BYPASSRLS is never restricted.  A role name that does not exist yet
 * (setup_roles() not run) grants nothing, so before setup_roles() nobody is
 * restricted or masked.
 *
 * These run once per row in the views and policies, hence C: a role
 * membership test hits the backend's membership cache, where the same test
 * in SQL would scan pg_roles for every row.
 *
 * Copyright (c) 2026, churnwarn authors
 *
 * src/privacy.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"

#include "churnwarn.h"

/*
 * role_has_privs_of
 *		Whether roleid has the privileges of the role named rolname (false
 *		if that role does not exist).
 */
static bool
role_has_privs_of(Oid roleid, const char *rolname)
{
	Oid			target = get_role_oid(rolname, true);

	return OidIsValid(target) && has_privs_of_role(roleid, target);
}

/*
 * reader_arg
 *		The reader a call is about: its role name argument.  A name that is
 *		not a role is an error (42704), as for core's role functions.
 */
static Oid
reader_arg(FunctionCallInfo fcinfo)
{
	return get_role_oid(NameStr(*PG_GETARG_NAME(0)), false);
}

/*
 * reader_restricted
 *		Whether the reader sees only the customers assigned to it.
 */
static bool
reader_restricted(Oid roleid)
{
	if (superuser_arg(roleid) || has_bypassrls_privilege(roleid))
		return false;
	return role_has_privs_of(roleid, "churnwarn_partner");
}

/*
 * reader_masked
 *		Whether the reader sees personal data only as pseudonyms.
 */
static bool
reader_masked(Oid roleid)
{
	if (superuser_arg(roleid))
		return false;
	if (!role_has_privs_of(roleid, "churnwarn_partner") &&
		!role_has_privs_of(roleid, "churnwarn_bi"))
		return false;
	return !role_has_privs_of(roleid, "churnwarn_admin") &&
		!role_has_privs_of(roleid, "churnwarn_staff") &&
		!role_has_privs_of(roleid, "churnwarn_auditor");
}

PG_FUNCTION_INFO_V1(churnwarn_is_restricted);

/*
 * churnwarn_is_restricted
 *		is_restricted(reader name DEFAULT CURRENT_USER) returns boolean
 */
Datum
churnwarn_is_restricted(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(reader_restricted(reader_arg(fcinfo)));
}

PG_FUNCTION_INFO_V1(churnwarn_is_masked);

/*
 * churnwarn_is_masked
 *		is_masked(reader name DEFAULT CURRENT_USER) returns boolean
 */
Datum
churnwarn_is_masked(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(reader_masked(reader_arg(fcinfo)));
}
