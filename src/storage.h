/*-------------------------------------------------------------------------
 *
 * storage.h
 *	  The kept plans of the storage layer, for the files that run queries.
 *
 * Copyright (c) 2026, churnwarn authors
 *
 * src/storage.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef CHURNWARN_STORAGE_H
#define CHURNWARN_STORAGE_H

#include "executor/spi.h"
#include "executor/tuptable.h"
#include "nodes/lockoptions.h"
#include "utils/rel.h"
#include "utils/snapshot.h"

typedef enum ChurnwarnQuery
{
	CW_Q_READ_GRADE,
	CW_Q_READ_CUSTOMER,
	CW_Q_READ_SIGNALS,
	CW_Q_INSERT_GRADE,
	CW_Q_BUMP_VERSION,
	CW_Q_CFG_SETTINGS,
	CW_Q_CFG_LEVELS,
	CW_Q_CFG_TYPES,
	CW_Q_CFG_TIERS,
	CW_Q_INSERT_SIGNAL,
	CW_Q_CLOSE_SIGNAL,
	CW_Q_SIGNAL_STATUS,
	CW_Q_CUSTOMER_EXISTS,
	CW_Q_CUSTOMER_KEY_SHARE,
	CW_Q_SCHEME_EXISTS,
	CW_Q_SET_SCHEME,
	CW_Q_WARNINGS_ABOVE,
	CW_Q_CUSTOMERS_TO_REGRADE,
	CW_Q_READ_LEVEL_WORKFLOW,
	CW_Q_REASSESS_WARNING,
	CW_Q_COUNT
} ChurnwarnQuery;

extern bool churnwarn_spi_read_only;
extern SPIPlanPtr churnwarn_plan(ChurnwarnQuery q);
extern int	churnwarn_exec(ChurnwarnQuery q, Datum *values, const char *nulls,
						   bool read_only, int expected);

/* scan.c: the write path's reads as direct index scans */
extern Oid	churnwarn_relid(const char *name);
extern void churnwarn_shape_error(const char *table, const char *detail) pg_attribute_noreturn();
extern bool churnwarn_scan_lock_grade(const char *customer_id, int *prev_level);
extern bool churnwarn_lock_row(Relation rel, Snapshot snapshot,
							   TupleTableSlot *slot, CommandId cid,
							   LockTupleMode mode);
extern bool churnwarn_scan_customer(const char *customer_id, char **tier,
									char **status, bool *has_terminated,
									TimestampTz *terminated_at);
extern int	churnwarn_scan_signals(const ChurnwarnConfig *cfg,
								   const char *customer_id,
								   ChurnwarnSignalRow **rows);
extern bool churnwarn_scan_open_warning(const char *customer_id,
										ChurnwarnWarningRow *w);
extern int	churnwarn_prefetch_signals(const ChurnwarnConfig *cfg, char **ids,
									   int n, MemoryContext cxt);
extern void churnwarn_prefetch_signals_forget(void);

/* write.c: the grading pipeline's ledger writes without SQL */
typedef enum ChurnwarnWriteTable
{
	CW_W_WARNING,
	CW_W_EVENT,
	CW_W_HISTORY,
	CW_W_GRADE,
	CW_W_WARNING_LEVEL,
	CW_W_SIGNAL,				/* CHECK plans only: see churnwarn_write_exec_sharing */
	CW_W_COUNT
} ChurnwarnWriteTable;

extern int64 churnwarn_write_insert(ChurnwarnWriteTable which,
									const Datum *values, const bool *nulls);
extern bool churnwarn_write_update_grade(const Datum *values, const bool *nulls);
extern bool churnwarn_write_update_warning_level(int64 warning_id, int level,
												 bool dismiss, TimestampTz at);
extern int	churnwarn_write_exec_sharing(ChurnwarnWriteTable which, SPIPlanPtr plan,
										 Datum *values, const char *nulls);
extern void churnwarn_write_install_hook(void);

#endif							/* CHURNWARN_STORAGE_H */
