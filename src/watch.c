/*-------------------------------------------------------------------------
 *
 * watch.c
 *	  SQL functions of watched tables: watch, add_rule, unwatch, the
 *	  older_than pass for tick, and the partition guard used by the event
 *	  trigger.
 *
 * Arguments are validated before anything is written, so a refusal changes
 * nothing.  Triggers are created with CreateTrigger() on the relation's OID
 * and the user's tables are read with table and index scans: no SQL text is
 * ever built from a table or column name.  Each trigger churnwarn creates
 * on a user table gets an automatic dependency on the extension, so DROP
 * EXTENSION churnwarn removes it (and, through the partition dependencies,
 * its clones on partitions).
 *
 * Copyright (c) 2026, churnwarn authors
 *
 * src/watch.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/skey.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/catalog.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_am_d.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type_d.h"
#include "commands/defrem.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "churnwarn.h"
#include "watch.h"

#define WATCH_TRIGGER_NAME		"churnwarn_watch"
#define TRUNCATE_TRIGGER_NAME	"churnwarn_watch_truncate"

/* Error out if argument argno (0-based) is NULL. */
static void
require_arg(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name)));
}

/* OID of one of churnwarn's trigger functions. */
static Oid
trigger_function(const char *name)
{
	return LookupFuncName(list_make2(makeString("churnwarn"), makeString((char *) name)),
						  0, NULL, false);
}

/* Column number of a live user column by name, or InvalidAttrNumber. */
static AttrNumber
user_column(Relation rel, const char *column)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), column) == 0)
			return att->attnum;
	}
	return InvalidAttrNumber;
}

/* Error out unless the column exists; returns its number. */
static AttrNumber
require_column(Relation rel, const char *column)
{
	AttrNumber	attnum = user_column(rel, column);

	if (attnum == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation \"%s\" does not exist",
						column, RelationGetRelationName(rel))));
	return attnum;
}

/* The watched table covering relid (itself or an ancestor), or InvalidOid. */
static Oid
watched_root(Oid relid, bool is_partition)
{
	List	   *candidates = list_make1_oid(relid);
	ListCell   *lc;
	Datum		v[1];

	if (is_partition)
		candidates = list_concat(candidates, get_partition_ancestors(relid));
	foreach(lc, candidates)
	{
		v[0] = ObjectIdGetDatum(lfirst_oid(lc));
		churnwarn_watch_exec(CW_WQ_FIND_TABLE, v, NULL, false, SPI_OK_SELECT);
		if (SPI_processed > 0)
			return lfirst_oid(lc);
	}
	return InvalidOid;
}

/*
 * open_existing
 *		relation_open for an OID that came from the user (a regclass argument
 *		such as 0 or a dropped table's OID): a clear error, not an internal
 *		one, when no such relation exists.
 */
static Relation
open_existing(Oid relid, LOCKMODE lockmode)
{
	Relation	rel = try_relation_open(relid, lockmode);

	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	return rel;
}

/*
 * open_watchable
 *		Open the table with ShareRowExclusiveLock (the lock CREATE TRIGGER
 *		takes, so no concurrent DDL changes it under us) and refuse what
 *		cannot be watched: system catalogs, churnwarn's own tables, anything
 *		that is not an ordinary or partitioned table, tables the user does
 *		not own.
 */
static Relation
open_watchable(Oid relid)
{
	Relation	rel;
	char		relkind;

	if (IsCatalogRelationOid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("cannot watch system catalog \"%s\"", get_rel_name(relid))));
	rel = open_existing(relid, ShareRowExclusiveLock);
	relkind = rel->rd_rel->relkind;
	if (IsSystemRelation(rel))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("cannot watch system catalog \"%s\"",
						RelationGetRelationName(rel))));
	if (RelationGetNamespace(rel) == get_namespace_oid("churnwarn", false))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("cannot watch table \"%s\"", RelationGetRelationName(rel)),
				 errdetail("Tables in schema churnwarn belong to churnwarn itself.")));
	if (relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table", RelationGetRelationName(rel)),
				 errdetail("Only ordinary and partitioned tables can be watched.")));
	if (rel->rd_rel->relpersistence == RELPERSISTENCE_TEMP)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot watch temporary table \"%s\"", RelationGetRelationName(rel)),
				 errdetail("A temporary table goes with its session without a trace churnwarn could follow.")));
	if (!pg_class_ownercheck(relid, GetUserId()))
		aclcheck_error(ACLCHECK_NOT_OWNER, get_relkind_objtype(relkind),
					   RelationGetRelationName(rel));
	return rel;
}

/* Does the trigger already depend on the extension? */
static bool
depends_on(const ObjectAddress *obj, const ObjectAddress *ref)
{
	Relation	dep = table_open(DependRelationId, AccessShareLock);
	ScanKeyData key[3];
	SysScanDesc scan;
	HeapTuple	tup;
	bool		found = false;

	ScanKeyInit(&key[0], Anum_pg_depend_classid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(obj->classId));
	ScanKeyInit(&key[1], Anum_pg_depend_objid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(obj->objectId));
	ScanKeyInit(&key[2], Anum_pg_depend_objsubid, BTEqualStrategyNumber,
				F_INT4EQ, Int32GetDatum(0));
	scan = systable_beginscan(dep, DependDependerIndexId, true, NULL, 3, key);
	while (!found && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_depend d = (Form_pg_depend) GETSTRUCT(tup);

		found = (d->refclassid == ref->classId && d->refobjid == ref->objectId);
	}
	systable_endscan(scan);
	table_close(dep, AccessShareLock);
	return found;
}

/* Tie a trigger to the extension (DEPENDENCY_AUTO) unless it already is. */
static void
tie_to_extension(Oid trigger_oid)
{
	ObjectAddress trig;
	ObjectAddress ext;

	ObjectAddressSet(trig, TriggerRelationId, trigger_oid);
	ObjectAddressSet(ext, ExtensionRelationId, get_extension_oid("churnwarn", false));
	if (!depends_on(&trig, &ext))
		recordDependencyOn(&trig, &ext, DEPENDENCY_AUTO);
}

/* Begin a scan of the pg_trigger rows of relid (key is the caller's). */
static SysScanDesc
triggers_of(Relation tgrel, Oid relid, ScanKey key)
{
	ScanKeyInit(key, Anum_pg_trigger_tgrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	return systable_beginscan(tgrel, TriggerRelidNameIndexId, true, NULL, 1, key);
}

/*
 * find_trigger
 *		OID of the non-cloned trigger of relid that calls funcoid, or
 *		InvalidOid.  Cloned triggers of partitions (tgparentid set) belong to
 *		their parent's trigger.
 */
static Oid
find_trigger(Oid relid, Oid funcoid)
{
	Relation	tgrel = table_open(TriggerRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			result = InvalidOid;

	scan = triggers_of(tgrel, relid, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_trigger t = (Form_pg_trigger) GETSTRUCT(tup);

		if (t->tgfoid == funcoid && !OidIsValid(t->tgparentid))
		{
			result = t->oid;
			break;
		}
	}
	systable_endscan(scan);
	table_close(tgrel, AccessShareLock);
	return result;
}

/*
 * create_trigger
 *		CREATE TRIGGER name {AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW |
 *		BEFORE TRUNCATE FOR EACH STATEMENT} ON relid EXECUTE FUNCTION
 *		churnwarn.<function>(), built as a parse node on the relation's OID
 *		(no SQL text), then tied to the extension.  A row trigger on a
 *		partitioned table is cloned onto its partitions by CreateTrigger.
 *		The watch trigger's column list is set afterwards by
 *		churnwarn_watch_shape().
 */
static void
create_trigger(Oid relid, bool truncate_guard)
{
	CreateTrigStmt *stmt = makeNode(CreateTrigStmt);
	const char *function = truncate_guard ? "watch_truncate_trigger" : "watch_trigger";
	ObjectAddress addr;

	stmt->replace = false;
	stmt->isconstraint = false;
	stmt->trigname = truncate_guard ? TRUNCATE_TRIGGER_NAME : WATCH_TRIGGER_NAME;
	stmt->relation = makeRangeVar(get_namespace_name(get_rel_namespace(relid)),
								  get_rel_name(relid), -1);
	stmt->funcname = list_make2(makeString("churnwarn"), makeString((char *) function));
	stmt->args = NIL;
	stmt->row = !truncate_guard;
	stmt->timing = truncate_guard ? TRIGGER_TYPE_BEFORE : TRIGGER_TYPE_AFTER;
	stmt->events = truncate_guard ? TRIGGER_TYPE_TRUNCATE :
		(TRIGGER_TYPE_INSERT | TRIGGER_TYPE_UPDATE | TRIGGER_TYPE_DELETE);
	stmt->columns = NIL;
	stmt->whenClause = NULL;
	stmt->transitionRels = NIL;
	stmt->deferrable = false;
	stmt->initdeferred = false;
	stmt->constrrel = NULL;

	addr = CreateTrigger(stmt, "churnwarn.watch()", relid, InvalidOid, InvalidOid,
						 InvalidOid, trigger_function(function), InvalidOid,
						 NULL, false, false);
	tie_to_extension(addr.objectId);
	CommandCounterIncrement();
}

/*
 * Does a BEFORE UPDATE row trigger sit on relation r (its own, or the clone
 * of its parent's)?  It may change a column the UPDATE does not name, which
 * a column-list trigger would not see.  Row triggers fire on the partition
 * a row lies in, with that partition's triggers, so each relation is
 * judged by its own.
 */
static bool
has_before_update_trigger(Relation tgrel, Oid r)
{
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	bool		found = false;

	scan = triggers_of(tgrel, r, &key);
	while (!found && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		int16		type = ((Form_pg_trigger) GETSTRUCT(tup))->tgtype;

		found = TRIGGER_FOR_ROW(type) && TRIGGER_FOR_BEFORE(type) &&
			TRIGGER_FOR_UPDATE(type);
	}
	systable_endscan(scan);
	return found;
}

/*
 * update_columns
 *		The names of the columns of the watched table rel an UPDATE must name
 *		for the watch trigger to have anything to do: the customer key, the
 *		mapped fields of a master table and the columns of the rules
 *		evaluated on row changes (older_than rules belong to the periodic
 *		pass).  An UPDATE naming none of them changes none of them, so
 *		handle_change would return without a write; with the column list
 *		PostgreSQL does not even queue the event.
 *
 *		NIL means every UPDATE: a stored name the table does not have
 *		(halfway through the event trigger's renames, or a column dropped
 *		while event triggers were off), or a table no longer watched.  The
 *		configuration is read as committed now plus this transaction's own
 *		changes, whatever the isolation level.  The list is allocated in
 *		the caller's memory context.
 */
static List *
update_columns(Relation rel)
{
	MemoryContext caller_cxt = CurrentMemoryContext;
	Datum		v[1];
	List	   *names = NIL;
	uint64		i;

	churnwarn_spi_connect();
	v[0] = ObjectIdGetDatum(RelationGetRelid(rel));
	churnwarn_watch_exec(CW_WQ_UPDATE_COLUMNS, v, NULL, false, SPI_OK_SELECT);
	for (i = 0; i < SPI_processed; i++)
	{
		char	   *column = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		MemoryContext old;

		if (column == NULL || user_column(rel, column) == InvalidAttrNumber)
		{
			names = NIL;
			break;
		}
		old = MemoryContextSwitchTo(caller_cxt);
		names = lappend(names, pstrdup(column));
		MemoryContextSwitchTo(old);
	}
	churnwarn_spi_finish();
	return names;
}

/* qsort comparator of attribute numbers */
static int
attnum_cmp(const void *a, const void *b)
{
	return (int) *(const int16 *) a - (int) *(const int16 *) b;
}

/*
 * column_dependencies
 *		How many dependencies on columns of r the trigger trigoid has.  None
 *		are recorded by shape_relation, but PostgreSQL records them when it
 *		creates a trigger with a column list itself: a restored dump's
 *		CREATE TRIGGER, the clone on a partition created or attached later.
 *		With them, DROP COLUMN of a rule's column would be refused instead of
 *		removing the rule with a NOTICE, and ALTER COLUMN TYPE refused.
 */
static int
column_dependencies(Oid trigoid, Oid r)
{
	Relation	dep = table_open(DependRelationId, AccessShareLock);
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tup;
	int			n = 0;

	ScanKeyInit(&key[0], Anum_pg_depend_classid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(TriggerRelationId));
	ScanKeyInit(&key[1], Anum_pg_depend_objid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(trigoid));
	scan = systable_beginscan(dep, DependDependerIndexId, true, NULL, 2, key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_depend d = (Form_pg_depend) GETSTRUCT(tup);

		if (d->refclassid == RelationRelationId && d->refobjid == r &&
			d->refobjsubid != 0 && d->deptype == DEPENDENCY_NORMAL)
			n++;
	}
	systable_endscan(scan);
	table_close(dep, AccessShareLock);
	return n;
}

/*
 * shape_relation
 *		Whether the watch trigger of relation r (the watched table or one of
 *		its partitions) lists other columns than it should, or depends on a
 *		column; if apply, also set its list in place, by updating the
 *		trigger's pg_trigger row as ALTER TABLE ... ENABLE TRIGGER updates
 *		tgenabled (the trigger keeps its OID, its enabled state and its
 *		comment), and remove the column dependencies.  It should list names,
 *		as r's attribute numbers, unless r has a BEFORE UPDATE row trigger
 *		or names is NIL: then no column (every UPDATE).  The caller holds
 *		ShareRowExclusiveLock on r if apply.
 */
static bool
shape_relation(Oid r, Oid watch_fn, List *names, bool apply)
{
	Relation	tgrel = table_open(TriggerRelationId,
								   apply ? RowExclusiveLock : AccessShareLock);
	int16	   *attnums = palloc(sizeof(int16) * Max(list_length(names), 1));
	int			n = 0;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	List	   *stale = NIL;
	List	   *dependent = NIL;
	ListCell   *lc;

	if (!has_before_update_trigger(tgrel, r))
	{
		foreach(lc, names)
		{
			AttrNumber	attnum = get_attnum(r, (const char *) lfirst(lc));

			if (attnum == InvalidAttrNumber)
			{
				n = 0;			/* cannot happen to a partition: every UPDATE */
				break;
			}
			attnums[n++] = attnum;
		}
		if (n > 1)
			qsort(attnums, n, sizeof(int16), attnum_cmp);
	}

	scan = triggers_of(tgrel, r, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_trigger t = (Form_pg_trigger) GETSTRUCT(tup);

		if (t->tgfoid != watch_fn)
			continue;
		if (column_dependencies(t->oid, r) > 0)
			dependent = lappend_oid(dependent, t->oid);
		if (t->tgattr.dim1 != n ||
			memcmp(t->tgattr.values, attnums, sizeof(int16) * n) != 0)
			stale = lappend(stale, heap_copytuple(tup));
	}
	systable_endscan(scan);

	if (apply)
	{
		foreach(lc, dependent)
			deleteDependencyRecordsForSpecific(TriggerRelationId, lfirst_oid(lc),
											   DEPENDENCY_NORMAL,
											   RelationRelationId, r);
		foreach(lc, stale)
		{
			HeapTuple	old = (HeapTuple) lfirst(lc);
			Datum		values[Natts_pg_trigger];
			bool		nulls[Natts_pg_trigger];
			bool		replaces[Natts_pg_trigger];
			HeapTuple	newtup;

			memset(nulls, false, sizeof(nulls));
			memset(replaces, false, sizeof(replaces));
			values[Anum_pg_trigger_tgattr - 1] = PointerGetDatum(buildint2vector(attnums, n));
			replaces[Anum_pg_trigger_tgattr - 1] = true;
			newtup = heap_modify_tuple(old, RelationGetDescr(tgrel), values, nulls, replaces);
			CatalogTupleUpdate(tgrel, &newtup->t_self, newtup);
		}
		if (stale != NIL)
			CacheInvalidateRelcacheByRelid(r);
	}
	table_close(tgrel, apply ? RowExclusiveLock : AccessShareLock);
	if (apply && (stale != NIL || dependent != NIL))
		CommandCounterIncrement();
	return stale != NIL || dependent != NIL;
}

/*
 * churnwarn_watch_shape
 *		Give the watch trigger of the watched table relid, and its clones on
 *		partitions, the column lists shape_relation() asks for, if it has a
 *		watch trigger.  A relation's list is changed under
 *		ShareRowExclusiveLock on it, the lock of CREATE TRIGGER and ALTER
 *		TABLE ... ENABLE TRIGGER, which also serializes two changes.
 *
 *		After a change of the table's configuration (lock_first, the row
 *		trigger watch_config_shape, in add_rule() under that lock already),
 *		the table and its partitions are locked before the list is computed:
 *		a transaction whose list matches the committed one must still wait
 *		for one that is changing it.  After DDL (the event trigger,
 *		setup_roles()), the lists are compared under AccessShareLock, and
 *		only a relation whose list is to change is locked (usually the
 *		relation the DDL itself locked: a partition given a BEFORE UPDATE
 *		trigger, a partition attached), then the configuration is read again
 *		and the list set: so DDL never waits for the writers of the rest of
 *		the tree, and takes its locks in no order that could deadlock with
 *		them.
 */
void
churnwarn_watch_shape(Oid relid, bool lock_first)
{
	LOCKMODE	mode = lock_first ? ShareRowExclusiveLock : AccessShareLock;
	Oid			watch_fn = trigger_function("watch_trigger");
	Relation	rel = try_relation_open(relid, mode);
	List	   *rels;
	List	   *names;
	ListCell   *lc;

	if (rel == NULL)
		return;					/* dropped meanwhile */
	if (!OidIsValid(find_trigger(relid, watch_fn)))
	{
		relation_close(rel, NoLock);
		return;
	}
	/* clones live on partitions only, not on inheritance children */
	rels = rel->rd_rel->relkind == RELKIND_PARTITIONED_TABLE ?
		find_all_inheritors(relid, mode, NULL) : list_make1_oid(relid);
	names = update_columns(rel);
	foreach(lc, rels)
	{
		Oid			r = lfirst_oid(lc);

		if (!shape_relation(r, watch_fn, names, lock_first) || lock_first)
			continue;
		/* something to change: again under the lock */
		LockRelationOid(r, ShareRowExclusiveLock);
		names = update_columns(rel);
		shape_relation(r, watch_fn, names, true);
	}
	relation_close(rel, NoLock);
}

/*
 * guard_relation
 *		Make sure relid and every partition under it carry the TRUNCATE guard
 *		(statement triggers are not cloned onto partitions), that all of
 *		churnwarn's triggers there depend on the extension (a restored
 *		CREATE TRIGGER does not carry that dependency) and that the watch
 *		trigger has the column list the configuration asks for.  With
 *		restore, a watch trigger that is gone is created again: it can only
 *		go where no event trigger runs (DROP TRIGGER with
 *		session_replication_role = replica), and without it the table's
 *		changes raise nothing.  Only on request (watch_guard_partitions(),
 *		which setup_roles() runs): DDL that merely touches the table must
 *		not need the privileges CREATE TRIGGER checks.
 */
static void
guard_relation(Oid relid, bool restore)
{
	Oid			watch_fn = trigger_function("watch_trigger");
	Oid			truncate_fn = trigger_function("watch_truncate_trigger");
	List	   *rels = find_all_inheritors(relid, AccessShareLock, NULL);
	ListCell   *lc;

	foreach(lc, rels)
	{
		Oid			r = lfirst_oid(lc);
		Oid			t;

		t = find_trigger(r, truncate_fn);
		if (OidIsValid(t))
			tie_to_extension(t);
		else if (get_rel_relkind(r) != RELKIND_FOREIGN_TABLE)
			create_trigger(r, true);	/* foreign tables have no TRUNCATE triggers */
		if (r != relid)
			continue;
		if (OidIsValid(t = find_trigger(r, watch_fn)))
			tie_to_extension(t);
		else if (restore)
		{
			create_trigger(r, false);
			ereport(NOTICE,
					(errmsg("created the missing watch trigger of table %s",
							quote_qualified_identifier(get_namespace_name(get_rel_namespace(r)),
													   get_rel_name(r)))));
		}
	}
	churnwarn_watch_shape(relid, false);
}

/* Sync every row of a master table into churnwarn.customer (SPI connected). */
static int64
backfill_master(Oid relid)
{
	List	   *rels = find_all_inheritors(relid, AccessShareLock, NULL);
	ListCell   *lc;
	Snapshot	snap = RegisterSnapshot(GetTransactionSnapshot());
	int64		n = 0;

	foreach(lc, rels)
	{
		Relation	rel = table_open(lfirst_oid(lc), AccessShareLock);
		ChurnwarnWatchEntry *e;
		TupleTableSlot *slot;
		TableScanDesc scan;

		if (rel->rd_rel->relkind != RELKIND_RELATION)
		{
			table_close(rel, AccessShareLock);
			continue;
		}
		e = churnwarn_watch_entry(rel);
		churnwarn_watch_enter();
		slot = table_slot_create(rel, NULL);
		scan = table_beginscan(rel, snap, 0, NULL);
		while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
		{
			bool		should_free;
			HeapTuple	tup = ExecFetchSlotHeapTuple(slot, false, &should_free);

			if (churnwarn_watch_sync_row(e, tup, RelationGetDescr(rel)))
				n++;
			if (should_free)
				heap_freetuple(tup);
			CHECK_FOR_INTERRUPTS();
		}
		table_endscan(scan);
		ExecDropSingleTupleTableSlot(slot);
		churnwarn_watch_leave();
		table_close(rel, AccessShareLock);
	}
	UnregisterSnapshot(snap);
	return n;
}

PG_FUNCTION_INFO_V1(churnwarn_watch);

/*
 * churnwarn_watch
 *		watch(tbl, key_column, attributes): bind a table.  A non-empty
 *		attributes object ({"field": "column", ...}) makes it a customer
 *		master: its existing rows are copied into churnwarn.customer now and
 *		every later change is kept in step.
 */
Datum
churnwarn_watch(PG_FUNCTION_ARGS)
{
	Oid			relid;
	char	   *key_column;
	Jsonb	   *attributes;
	Relation	rel;
	JsonbIterator *it;
	JsonbValue	jv;
	JsonbIteratorToken tok;
	char	   *fields[CW_FIELD_COUNT];
	char	   *columns[CW_FIELD_COUNT];
	int			nfields = 0;
	Datum		v[3];
	int			i;
	int64		synced = 0;

	require_arg(fcinfo, 0, "tbl");
	require_arg(fcinfo, 1, "key_column");
	require_arg(fcinfo, 2, "attributes");
	relid = PG_GETARG_OID(0);
	key_column = pstrdup(NameStr(*PG_GETARG_NAME(1)));
	attributes = PG_GETARG_JSONB_P(2);

	rel = open_watchable(relid);
	require_column(rel, key_column);

	if (!JB_ROOT_IS_OBJECT(attributes) || JB_ROOT_IS_SCALAR(attributes))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("attributes must be a JSON object"),
				 errdetail("It maps churnwarn customer fields to columns, for example {\"name\": \"company_name\"}.")));
	it = JsonbIteratorInit(&attributes->root);
	while ((tok = JsonbIteratorNext(&it, &jv, true)) != WJB_DONE)
	{
		char	   *field;
		int			f;
		AttrNumber	attnum;
		const char *problem;

		if (tok != WJB_KEY)
			continue;
		field = pnstrdup(jv.val.string.val, jv.val.string.len);
		f = churnwarn_field_from_name(field);
		if (f < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unrecognized customer field \"%s\"", field),
					 errhint("The fields are name, country, region, tier, annual_value, department, owner, contact, status, calendar, terminated_at and legal_hold.")));
		tok = JsonbIteratorNext(&it, &jv, true);
		if (tok != WJB_VALUE || jv.type != jbvString)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("customer field \"%s\" must name a column as a JSON string", field)));
		columns[nfields] = pnstrdup(jv.val.string.val, jv.val.string.len);
		attnum = require_column(rel, columns[nfields]);
		problem = churnwarn_field_type_problem(f, TupleDescAttr(RelationGetDescr(rel), attnum - 1)->atttypid);
		if (problem)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" cannot feed customer field \"%s\"",
							columns[nfields], field),
					 errdetail("%s", problem)));
		fields[nfields++] = field;
	}

	churnwarn_spi_connect();
	if (OidIsValid(watched_root(relid, rel->rd_rel->relispartition)))
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("table \"%s\" is already watched", RelationGetRelationName(rel)),
				 rel->rd_rel->relispartition ?
				 errdetail("The table or one of the tables it is a partition of is watched.") : 0));
	if (rel->rd_rel->relkind == RELKIND_PARTITIONED_TABLE)
	{
		ListCell   *lc;

		foreach(lc, find_all_inheritors(relid, AccessShareLock, NULL))
		{
			Datum		fv[1];

			if (lfirst_oid(lc) == relid)
				continue;
			fv[0] = ObjectIdGetDatum(lfirst_oid(lc));
			churnwarn_watch_exec(CW_WQ_FIND_TABLE, fv, NULL, false, SPI_OK_SELECT);
			if (SPI_processed > 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_OBJECT),
						 errmsg("a partition of table \"%s\" is already watched",
								RelationGetRelationName(rel)),
						 errdetail("Partition \"%s\" is watched on its own.",
								   get_rel_name(lfirst_oid(lc))),
						 errhint("Call churnwarn.unwatch() on the partition first.")));
		}
	}

	v[0] = ObjectIdGetDatum(relid);
	v[1] = PG_GETARG_DATUM(1);
	v[2] = BoolGetDatum(nfields > 0);
	churnwarn_watch_exec(CW_WQ_INSERT_TABLE, v, NULL, false, SPI_OK_INSERT);
	for (i = 0; i < nfields; i++)
	{
		v[1] = CStringGetTextDatum(fields[i]);
		v[2] = DirectFunctionCall1(namein, CStringGetDatum(columns[i]));
		churnwarn_watch_exec(CW_WQ_INSERT_ATTRIBUTE, v, NULL, false, SPI_OK_INSERT);
	}

	create_trigger(relid, false);
	guard_relation(relid, false);
	CommandCounterIncrement();
	if (nfields > 0)
		synced = backfill_master(relid);
	churnwarn_spi_finish();
	relation_close(rel, NoLock);

	if (nfields > 0)
		ereport(NOTICE,
				(errmsg_plural("copied " INT64_FORMAT " customer from table \"%s\" into churnwarn.customer",
							   "copied " INT64_FORMAT " customers from table \"%s\" into churnwarn.customer",
							   synced, synced, get_rel_name(relid))));
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(churnwarn_add_rule);

/*
 * churnwarn_add_rule
 *		add_rule(tbl, column_name, condition, threshold, signal_type) ->
 *		bigint: validate everything (table watched, column exists, condition
 *		suits its type, threshold converts, signal type known), then store.
 */
Datum
churnwarn_add_rule(PG_FUNCTION_ARGS)
{
	Oid			relid;
	char	   *column;
	char	   *condname;
	char	   *threshold = NULL;
	char	   *signal_type;
	Relation	rel;
	AttrNumber	attnum;
	Form_pg_attribute att;
	ChurnwarnRule rule;
	int			cond;
	const char *problem;
	Datum		v[5];
	char		nulls[6] = "     ";
	bool		isnull;
	int64		id;

	require_arg(fcinfo, 0, "tbl");
	require_arg(fcinfo, 1, "column_name");
	require_arg(fcinfo, 2, "condition");
	require_arg(fcinfo, 4, "signal_type");
	relid = PG_GETARG_OID(0);
	column = pstrdup(NameStr(*PG_GETARG_NAME(1)));
	condname = text_to_cstring(PG_GETARG_TEXT_PP(2));
	if (!PG_ARGISNULL(3))
		threshold = text_to_cstring(PG_GETARG_TEXT_PP(3));
	signal_type = text_to_cstring(PG_GETARG_TEXT_PP(4));

	cond = churnwarn_condition_from_name(condname);
	if (cond < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unrecognized condition \"%s\"", condname),
				 errhint("The conditions are changed, equals, above, below, drop_pct and older_than.")));
	if (cond == CW_COND_CHANGED && threshold != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("condition \"changed\" takes no threshold"),
				 errhint("Pass NULL as the threshold.")));
	if (cond != CW_COND_CHANGED && threshold == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("condition \"%s\" needs a threshold", condname)));

	rel = open_existing(relid, ShareRowExclusiveLock);
	churnwarn_spi_connect();
	if (watched_root(relid, false) != relid)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("table \"%s\" is not watched", RelationGetRelationName(rel)),
				 errhint("Call churnwarn.watch() on the table first.")));
	if (!pg_class_ownercheck(relid, GetUserId()))
		aclcheck_error(ACLCHECK_NOT_OWNER, get_relkind_objtype(rel->rd_rel->relkind),
					   RelationGetRelationName(rel));
	attnum = require_column(rel, column);
	att = TupleDescAttr(RelationGetDescr(rel), attnum - 1);
	problem = churnwarn_condition_type_problem(cond, att->atttypid);
	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("condition \"%s\" cannot be used on column \"%s\" of type %s",
						condname, column, format_type_be(att->atttypid)),
				 errdetail("%s", problem)));

	/* convert the threshold exactly as the trigger will */
	memset(&rule, 0, sizeof(rule));
	rule.cond = cond;
	rule.threshold = threshold;
	if (cond == CW_COND_OLDER_THAN)
	{
		Interval   *iv = DatumGetIntervalP(DirectFunctionCall3(interval_in,
															   CStringGetDatum(threshold),
															   ObjectIdGetDatum(InvalidOid),
															   Int32GetDatum(-1)));
		Interval	zero;

		memset(&zero, 0, sizeof(zero));
		if (DatumGetInt32(DirectFunctionCall2(interval_cmp, IntervalPGetDatum(iv),
											  IntervalPGetDatum(&zero))) <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("older_than threshold \"%s\" must be a positive interval", threshold)));
	}
	else
	{
		bool		ok;

		churnwarn_watch_resolve_rule(&rule, RelationGetDescr(rel), column, &ok);
	}

	if (churnwarn_config_find_type(churnwarn_config(), signal_type) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unrecognized signal type \"%s\"", signal_type),
				 errhint("The signal types are the codes in table churnwarn.signal_type.")));

	v[0] = ObjectIdGetDatum(relid);
	v[1] = PG_GETARG_DATUM(1);
	v[2] = CStringGetTextDatum(condname);
	v[3] = threshold ? CStringGetTextDatum(threshold) : (Datum) 0;
	if (threshold == NULL)
		nulls[3] = 'n';
	v[4] = CStringGetTextDatum(signal_type);
	churnwarn_watch_exec(CW_WQ_INSERT_RULE, v, nulls, false, SPI_OK_INSERT_RETURNING);
	id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	churnwarn_spi_finish();
	relation_close(rel, NoLock);
	PG_RETURN_INT64(id);
}

PG_FUNCTION_INFO_V1(churnwarn_unwatch);

/*
 * churnwarn_unwatch
 *		unwatch(tbl): drop churnwarn's triggers from the table and its
 *		partitions and forget its attributes and rules.  Signals already
 *		raised and the customers stay.
 */
Datum
churnwarn_unwatch(PG_FUNCTION_ARGS)
{
	Oid			relid;
	Relation	rel;
	Oid			fns[2];
	List	   *rels;
	ListCell   *lc;
	Datum		v[1];
	int			i;

	require_arg(fcinfo, 0, "tbl");
	relid = PG_GETARG_OID(0);
	rel = open_existing(relid, AccessExclusiveLock);
	churnwarn_spi_connect();
	if (watched_root(relid, false) != relid)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("table \"%s\" is not watched", RelationGetRelationName(rel))));
	if (!pg_class_ownercheck(relid, GetUserId()))
		aclcheck_error(ACLCHECK_NOT_OWNER, get_relkind_objtype(rel->rd_rel->relkind),
					   RelationGetRelationName(rel));

	v[0] = ObjectIdGetDatum(relid);
	churnwarn_watch_exec(CW_WQ_DELETE_TABLE, v, NULL, false, SPI_OK_DELETE);

	fns[0] = trigger_function("watch_trigger");
	fns[1] = trigger_function("watch_truncate_trigger");
	rels = find_all_inheritors(relid, AccessExclusiveLock, NULL);
	foreach(lc, rels)
	{
		for (i = 0; i < 2; i++)
		{
			Oid			t = find_trigger(lfirst_oid(lc), fns[i]);
			ObjectAddress addr;

			if (!OidIsValid(t))
				continue;
			ObjectAddressSet(addr, TriggerRelationId, t);
			/* internal: not reported to the sql_drop event trigger */
			performDeletion(&addr, DROP_RESTRICT, PERFORM_DELETION_INTERNAL);
		}
	}
	churnwarn_spi_finish();
	relation_close(rel, NoLock);
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(churnwarn_watch_guard_partitions);

/*
 * churnwarn_watch_guard_partitions
 *		watch_guard_partitions(tbl): run by setup_roles() for every watched
 *		table, and by hand after DDL run where no event trigger fires
 *		(session_replication_role = replica): guard_relation(), and a watch
 *		trigger gone from a watched table is created again.  A partition
 *		stands for the watched table above it; a table that no longer
 *		exists, or is not watched, is left alone.
 */
Datum
churnwarn_watch_guard_partitions(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Relation	rel = try_relation_open(relid, AccessShareLock);
	Oid			root;

	if (rel == NULL)
		PG_RETURN_VOID();
	/* the watched table itself, or the one this is a partition of */
	churnwarn_spi_connect();
	root = watched_root(relid, rel->rd_rel->relispartition);
	churnwarn_spi_finish();
	if (OidIsValid(root))
	{
		MemoryContext cxt = CurrentMemoryContext;
		ResourceOwner owner = CurrentResourceOwner;

		/*
		 * A trigger the caller may not create (TRIGGER on a partition,
		 * EXECUTE on the trigger function) is a warning: setup_roles(),
		 * run by an owner who is not a superuser, goes on with the rest.
		 */
		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(cxt);
		PG_TRY();
		{
			guard_relation(root, true);
			ReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(cxt);
			CurrentResourceOwner = owner;
		}
		PG_CATCH();
		{
			ErrorData  *edata;

			MemoryContextSwitchTo(cxt);
			edata = CopyErrorData();
			FlushErrorState();
			RollbackAndReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(cxt);
			CurrentResourceOwner = owner;
			if (edata->sqlerrcode != ERRCODE_INSUFFICIENT_PRIVILEGE)
				ReThrowError(edata);
			/* nothing of the guard is left: it is all or nothing per table */
			ereport(WARNING,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("could not guard watched table %s: %s",
							quote_qualified_identifier(get_namespace_name(get_rel_namespace(root)),
													   get_rel_name(root)),
							edata->message),
					 OidIsValid(find_trigger(root, trigger_function("watch_trigger"))) ?
					 errdetail("Its partitions' TRUNCATE guards and its trigger's column list may be out of date.") :
					 errdetail("Its watch trigger is missing: changes to the table raise no signals."),
					 errhint("Run churnwarn.setup_roles() as a superuser.")));
		}
		PG_END_TRY();
	}
	relation_close(rel, NoLock);
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(churnwarn_watch_guard_ddl);

/*
 * churnwarn_watch_guard_ddl
 *		watch_guard_ddl(reported oid[]): called by the event triggers with
 *		the relations a DDL command reported (and the tables of the triggers
 *		it created or dropped): guard every watched table related to one of
 *		them (the table itself, one of its partitions, a table it is a
 *		partition of).  The watched tables are read as committed now: DDL in
 *		a REPEATABLE READ transaction must see a table watched after its
 *		snapshot was taken.
 */
Datum
churnwarn_watch_guard_ddl(PG_FUNCTION_ARGS)
{
	MemoryContext caller_cxt = CurrentMemoryContext;
	Datum	   *elems = NULL;
	bool	   *elem_nulls = NULL;
	int			nelems = 0;
	List	   *reported = NIL;
	List	   *below = NIL;	/* reported relations and their ancestors */
	List	   *tables = NIL;
	ListCell   *lc;
	uint64		i;
	int			k;

	if (!PG_ARGISNULL(0))
		deconstruct_array(PG_GETARG_ARRAYTYPE_P(0), OIDOID, sizeof(Oid), true,
						  TYPALIGN_INT, &elems, &elem_nulls, &nelems);
	for (k = 0; k < nelems; k++)
	{
		Oid			r;

		if (elem_nulls[k])
			continue;
		r = DatumGetObjectId(elems[k]);
		reported = lappend_oid(reported, r);
		below = lappend_oid(below, r);
		below = list_concat(below, get_partition_ancestors(r));
	}
	if (reported == NIL)
		PG_RETURN_VOID();

	churnwarn_spi_connect();
	churnwarn_watch_exec(CW_WQ_WATCHED_TABLES, NULL, NULL, false, SPI_OK_SELECT);
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);
		MemoryContext old = MemoryContextSwitchTo(caller_cxt);

		tables = lappend_oid(tables, DatumGetObjectId(d));
		MemoryContextSwitchTo(old);
	}
	churnwarn_spi_finish();

	foreach(lc, tables)
	{
		Oid			w = lfirst_oid(lc);
		bool		related = list_member_oid(below, w);
		Relation	rel;

		if (!related)
		{
			List	   *above = get_partition_ancestors(w);
			ListCell   *lr;

			foreach(lr, reported)
				if (list_member_oid(above, lfirst_oid(lr)))
					related = true;
		}
		if (!related || (rel = try_relation_open(w, AccessShareLock)) == NULL)
			continue;
		guard_relation(w, false);
		relation_close(rel, NoLock);
	}
	PG_RETURN_VOID();
}

/* One row found too old by the older_than pass. */
typedef struct StaleRow
{
	char	   *key;			/* customer key */
	char	   *row;			/* row identity: primary key, else ctid */
	char	   *value;			/* the old value as text */
} StaleRow;

/* The comparison procedure "<" of an older_than column's type. */
static Oid
less_proc(Oid base)
{
	switch (base)
	{
		case DATEOID:
			return F_DATE_LT;
		case TIMESTAMPOID:
			return F_TIMESTAMP_LT;
		default:
			return F_TIMESTAMPTZ_LT;
	}
}

/* The cutoff time converted to the column's type. */
static Datum
cutoff_as(Oid base, TimestampTz cutoff)
{
	switch (base)
	{
		case DATEOID:
			return DirectFunctionCall1(timestamptz_date, TimestampTzGetDatum(cutoff));
		case TIMESTAMPOID:
			return DirectFunctionCall1(timestamptz_timestamp, TimestampTzGetDatum(cutoff));
		default:
			return TimestampTzGetDatum(cutoff);
	}
}

/*
 * btree_index_on
 *		A valid, non-partial btree index of rel whose first key column is
 *		attnum with the type's default operator family, or InvalidOid.
 */
static Oid
btree_index_on(Relation rel, AttrNumber attnum, Oid base)
{
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;
	Oid			opclass = GetDefaultOpClass(base, BTREE_AM_OID);
	Oid			family = OidIsValid(opclass) ? get_opclass_family(opclass) : InvalidOid;
	Oid			result = InvalidOid;

	foreach(lc, indexes)
	{
		Relation	idx = index_open(lfirst_oid(lc), AccessShareLock);

		if (idx->rd_rel->relam == BTREE_AM_OID &&
			idx->rd_index->indisvalid &&
			idx->rd_index->indkey.values[0] == attnum &&
			idx->rd_opfamily[0] == family &&
			RelationGetIndexPredicate(idx) == NIL)
			result = RelationGetRelid(idx);
		index_close(idx, AccessShareLock);
		if (OidIsValid(result))
			break;
	}
	return result;
}

/* Row identity of a tuple: its primary key as "(v1,v2)", else "ctid (b,o)". */
static char *
row_identity(Relation rel, HeapTuple tup)
{
	Oid			pk = RelationGetPrimaryKeyIndex(rel);
	TupleDesc	desc = RelationGetDescr(rel);
	StringInfoData buf;

	initStringInfo(&buf);
	if (OidIsValid(pk))
	{
		Relation	idx = index_open(pk, AccessShareLock);
		int			i;

		appendStringInfoChar(&buf, '(');
		for (i = 0; i < idx->rd_index->indnkeyatts; i++)
		{
			AttrNumber	a = idx->rd_index->indkey.values[i];
			bool		isnull;
			Datum		d = heap_getattr(tup, a, desc, &isnull);
			Oid			typoutput;
			bool		varlena;

			getTypeOutputInfo(TupleDescAttr(desc, a - 1)->atttypid, &typoutput, &varlena);
			if (i > 0)
				appendStringInfoChar(&buf, ',');
			appendStringInfoString(&buf, isnull ? "" : OidOutputFunctionCall(typoutput, d));
		}
		appendStringInfoChar(&buf, ')');
		index_close(idx, AccessShareLock);
	}
	else
		appendStringInfo(&buf, "%s ctid (%u,%u)", RelationGetRelationName(rel),
						 ItemPointerGetBlockNumber(&tup->t_self),
						 ItemPointerGetOffsetNumber(&tup->t_self));
	return buf.data;
}

/*
 * scan_stale
 *		Collect the rows of one leaf relation whose column is before the
 *		cutoff, through a btree index on the column when there is one.
 */
static List *
scan_stale(Relation rel, const char *column, const char *key_column,
		   TimestampTz cutoff, Snapshot snap)
{
	AttrNumber	attnum = user_column(rel, column);
	AttrNumber	keynum = user_column(rel, key_column);
	TupleDesc	desc = RelationGetDescr(rel);
	Oid			base;
	Oid			index;
	Oid			col_out;
	Oid			key_out;
	bool		varlena;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	List	   *rows = NIL;

	if (attnum == InvalidAttrNumber || keynum == InvalidAttrNumber)
		return NIL;
	base = getBaseType(TupleDescAttr(desc, attnum - 1)->atttypid);
	getTypeOutputInfo(TupleDescAttr(desc, attnum - 1)->atttypid, &col_out, &varlena);
	getTypeOutputInfo(TupleDescAttr(desc, keynum - 1)->atttypid, &key_out, &varlena);
	index = btree_index_on(rel, attnum, base);

	ScanKeyInit(&key, attnum, BTLessStrategyNumber, less_proc(base),
				cutoff_as(base, cutoff));
	scan = systable_beginscan(rel, index, OidIsValid(index), snap, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		StaleRow   *s;
		bool		isnull;
		Datum		k = heap_getattr(tup, keynum, desc, &isnull);
		Datum		d;

		if (isnull)
			continue;			/* no customer */
		s = palloc(sizeof(StaleRow));
		s->key = OidOutputFunctionCall(key_out, k);
		d = heap_getattr(tup, attnum, desc, &isnull);
		s->value = OidOutputFunctionCall(col_out, d);
		s->row = row_identity(rel, tup);
		rows = lappend(rows, s);
		CHECK_FOR_INTERRUPTS();
	}
	systable_endscan(scan);
	return rows;
}

PG_FUNCTION_INFO_V1(churnwarn_check_older_than);

/*
 * churnwarn_check_older_than
 *		check_older_than(at) -> int: for every older_than rule, raise its
 *		signal (source 'tick', observed at "at") for each row whose column is
 *		before at - threshold, unless a signal of that rule for that row is
 *		still open.  Idempotent: a second run at the same time raises
 *		nothing.  The rules are locked (FOR NO KEY UPDATE) for the
 *		transaction, so two concurrent passes queue instead of raising twice.
 *		A customer busy in another transaction (hold_customer() with
 *		skip_locked) is left to the next pass: rows come in table order,
 *		and waiting for one customer while holding others could deadlock
 *		with a statement taking them in key order.  Returns the number of
 *		signals raised.
 */
Datum
churnwarn_check_older_than(PG_FUNCTION_ARGS)
{
	TimestampTz at;
	uint64		nrules;
	uint64		i;
	int			raised = 0;
	typedef struct
	{
		int64		id;
		Oid			relid;
		char	   *column;
		char	   *threshold;
		char	   *signal_type;
		char	   *key_column;
	}			OlderRule;
	OlderRule  *rules;
	Snapshot	snap;

	require_arg(fcinfo, 0, "at");
	at = PG_GETARG_TIMESTAMPTZ(0);
	if (TIMESTAMP_NOT_FINITE(at))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("time of the pass must be finite")));

	churnwarn_spi_connect();
	churnwarn_watch_exec(CW_WQ_OLDER_THAN_RULES, NULL, NULL, false, SPI_OK_SELECT);
	nrules = SPI_processed;
	rules = palloc0(sizeof(OlderRule) * Max(nrules, 1));
	for (i = 0; i < nrules; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];
		TupleDesc	d = SPI_tuptable->tupdesc;
		bool		isnull;

		rules[i].id = DatumGetInt64(SPI_getbinval(t, d, 1, &isnull));
		rules[i].relid = DatumGetObjectId(SPI_getbinval(t, d, 2, &isnull));
		rules[i].column = SPI_getvalue(t, d, 3);
		rules[i].threshold = SPI_getvalue(t, d, 4);
		rules[i].signal_type = SPI_getvalue(t, d, 5);
		rules[i].key_column = SPI_getvalue(t, d, 6);
	}

	snap = RegisterSnapshot(GetTransactionSnapshot());
	for (i = 0; i < nrules; i++)
	{
		OlderRule  *r = &rules[i];
		Interval   *iv;
		TimestampTz cutoff;
		List	   *leaves;
		ListCell   *lc;
		List	   *stale = NIL;
		char	   *table_name;

		if (get_rel_name(r->relid) == NULL)
			continue;
		iv = DatumGetIntervalP(DirectFunctionCall3(interval_in,
												   CStringGetDatum(r->threshold),
												   ObjectIdGetDatum(InvalidOid),
												   Int32GetDatum(-1)));
		cutoff = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_mi_interval,
														 TimestampTzGetDatum(at),
														 IntervalPGetDatum(iv)));
		table_name = psprintf("%s.%s", get_namespace_name(get_rel_namespace(r->relid)),
							  get_rel_name(r->relid));
		leaves = find_all_inheritors(r->relid, AccessShareLock, NULL);
		foreach(lc, leaves)
		{
			Relation	rel = table_open(lfirst_oid(lc), AccessShareLock);

			if (rel->rd_rel->relkind == RELKIND_RELATION)
				stale = list_concat(stale, scan_stale(rel, r->column, r->key_column,
													  cutoff, snap));
			table_close(rel, AccessShareLock);
		}

		foreach(lc, stale)
		{
			StaleRow   *s = lfirst(lc);
			StringInfoData probe;
			StringInfoData detail;
			bool		first = true;
			bool		isnull;
			Datum		v[2];

			initStringInfo(&probe);
			appendStringInfoChar(&probe, '{');
			churnwarn_json_int(&probe, &first, "rule_id", r->id);
			churnwarn_json_str(&probe, &first, "row", s->row);
			appendStringInfoChar(&probe, '}');
			v[0] = CStringGetTextDatum(s->key);
			v[1] = churnwarn_jsonb_from_text(probe.data);
			churnwarn_watch_exec(CW_WQ_OPEN_TICK_SIGNAL, v, NULL, false, SPI_OK_SELECT);
			if (SPI_processed > 0)
				continue;
			churnwarn_watch_exec(CW_WQ_HOLD_CUSTOMER, v, NULL, false, SPI_OK_SELECT);
			if (!DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
											SPI_tuptable->tupdesc, 1, &isnull)) || isnull)
				continue;		/* busy: the next pass */

			initStringInfo(&detail);
			first = true;
			appendStringInfoChar(&detail, '{');
			churnwarn_json_int(&detail, &first, "rule_id", r->id);
			churnwarn_json_str(&detail, &first, "table", table_name);
			churnwarn_json_str(&detail, &first, "column", r->column);
			churnwarn_json_str(&detail, &first, "condition", "older_than");
			churnwarn_json_str(&detail, &first, "threshold", r->threshold);
			churnwarn_json_str(&detail, &first, "row", s->row);
			churnwarn_json_str(&detail, &first, "value", s->value);
			appendStringInfoChar(&detail, '}');
			churnwarn_watch_raise(s->key, r->signal_type, "tick", at, detail.data,
								  false, 0);
			raised++;
		}
	}
	UnregisterSnapshot(snap);
	churnwarn_spi_finish();
	PG_RETURN_INT32(raised);
}
