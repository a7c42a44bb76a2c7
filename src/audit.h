/*-------------------------------------------------------------------------
 *
 * audit.h
 *	  Declarations of the audit log and its per-customer hash chains.
 *
 * Copyright (c) 2026, churnwarn authors
 *
 * src/audit.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef CHURNWARN_AUDIT_H
#define CHURNWARN_AUDIT_H

#include "utils/jsonb.h"

/*
 * Append one row to an audit chain in the current transaction.  table_name
 * and operation are recorded as given; either image may be NULL.
 */
extern void churnwarn_audit_append(const char *customer_id,
								   const char *table_name,
								   const char *operation,
								   const char *row_key,
								   Jsonb *old_row, Jsonb *new_row);

/*
 * Take the head of a customer's audit chain before its grade row (see
 * audit.c); false only with skip_locked, when another transaction holds it.
 */
extern bool churnwarn_audit_hold(const char *customer_id, bool skip_locked);

/* Whether this transaction holds the head of a customer's audit chain. */
extern bool churnwarn_audit_held(const char *customer_id);

#endif							/* CHURNWARN_AUDIT_H */
