/*-------------------------------------------------------------------------
 *
 * audit.c
 *	  The audit log: one row per change, chained by SHA-256 per customer.
 *
 * Every insert, update and delete on an audited table (see audit_table() in
 * sql/parts/70_audit.sql) writes one row to churnwarn.audit_log from an
 * AFTER ROW trigger, in the transaction of the change.  Rows belong to one
 * chain per customer (the table's customer_id column), or to the
 * configuration chain when the table has no such column.
 *
 * Chain integrity.  Writers of one chain are serialized by the row lock on
 * its head (churnwarn.audit_chain): a writer finds the head with the latest
 * snapshot and locks it FOR NO KEY UPDATE, following it to its newest
 * version if the previous holder moved it, so that it chains after the last
 * row committed even in REPEATABLE READ; then it appends the row and moves
 * the head in memory.  Writers of different customers lock different rows
 * and never wait for each other, and row locks take no shared lock table
 * entries, so one statement can write any number of chains.  A chain's first
 * row has no head to lock: the head is inserted, empty, with ON CONFLICT DO
 * NOTHING, which makes a concurrent starter wait and then lock the head the
 * winner committed.  A statement inserting rows of several customers takes
 * all their heads first, in key order (audit_hold_heads), so two such
 * statements cannot deadlock on them; and whatever else writes a customer's
 * ledger takes the head before the grade row (churnwarn_audit_hold).  Later
 * rows of the same chain in the same transaction take the position from
 * memory (the transaction holds the lock), and each head the transaction
 * moved is written once, just before commit.  The lock is
 * released at commit or abort, including the abort of the subtransaction
 * that took it, at which point its rows vanish with it (see
 * ChurnwarnAuditHead for what a subtransaction abort does to the positions).
 *
 * The rows and the head rows are written through the executor's
 * single-relation routines (ExecSimpleRelationInsert/Update, as logical
 * replication applies a change; the rows of one INSERT statement through
 * audit_batch_insert, the same steps with the log's page kept pinned):
 * indexes, constraints and triggers of the two tables are honored, and no
 * statement is planned or started per row.
 *
 * Hash format churnwarn.audit.v1.  A field is a 4-byte big-endian length
 * (-1 for NULL) followed by that many bytes; integers are 8 bytes
 * big-endian; "at" is PostgreSQL's TimestampTz (microseconds since
 * 2000-01-01 00:00 UTC).  The hash of a row is SHA-256 over the fields
 *		"churnwarn.audit.v1", customer_id, seq, id, at, actor, table_name,
 *		operation, row_key, old_digest, new_digest, prev_hash
 * and an image digest is SHA-256 over the field image_salt followed by the
 * image's canonical encoding (see audit_image_digest).  The chain commits to the digests only, so the images and the
 * salt can be removed (audit_erase) and the chain still verifies; without
 * the random salt the digests cannot be tested against guessed data.
 *
 * Append-only.  churnwarn_audit_log_guard refuses UPDATE, DELETE and
 * TRUNCATE of the log for every role.  The one exception is a static flag
 * set only by churnwarn_audit_erase() around its own UPDATE; no GUC and no
 * SQL statement can set it.
 *
 * Copyright (c) 2026, churnwarn authors
 *
 * src/audit.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/hio.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "common/cryptohash.h"
#include "common/hashfn.h"
#include "common/jsonapi.h"
#include "common/sha2.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "port/pg_bswap.h"
#include "storage/bufmgr.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"

#ifdef USE_OPENSSL
#include <openssl/evp.h>
#endif

#include "audit.h"
#include "churnwarn.h"

/* Name of the hash format, the first field hashed into every row. */
#define CHURNWARN_AUDIT_FORMAT		"churnwarn.audit.v1"

/* Length of the random salt of the row image digests. */
#define CHURNWARN_AUDIT_SALT_LEN	16

/*
 * Fourth field of the advisory lock tags on which the starters of a new
 * chain queue (see churnwarn_audit_append).  Core's pg_advisory_* functions
 * use 1 and 2, so these never collide with an application's advisory locks;
 * pg_locks shows them as locktype "advisory" with this objsubid.
 */
#define CHURNWARN_AUDIT_LOCK_SPACE	0x4357

/* Seed of the hash that turns a customer key into a chain key. */
#define CHURNWARN_AUDIT_KEY_SEED	UINT64CONST(0x636875726e776172)

/* Rows fetched at a time by verify_audit(). */
#define CHURNWARN_AUDIT_VERIFY_BATCH	1000

/* Longest schema-qualified, quoted table name. */
#define CHURNWARN_QUALIFIED_NAME_LEN	(4 * NAMEDATALEN + 8)

/*
 * How a column enters the row image: the conversions of to_jsonb(), with
 * what they need looked up once per relation instead of once per value.
 */
typedef enum AuditColKind
{
	ACK_TEXT,					/* text, varchar: a string, no copy */
	ACK_INT,					/* int2, int4, int8: a number */
	ACK_NUMBER,					/* numeric, float: a number, else a string */
	ACK_BOOL,					/* boolean */
	ACK_DATETIME,				/* date, timestamp(tz): ISO 8601 string */
	ACK_JSONB,					/* jsonb: embedded */
	ACK_STRING,					/* other scalars: the output function's text */
	ACK_GENERIC					/* arrays, composites, json...: to_jsonb() */
} AuditColKind;

typedef struct AuditCol
{
	AttrNumber	attnum;			/* column */
	const char *name;			/* its name, the image's key */
	AuditColKind kind;			/* conversion */
	Oid			basetype;		/* type, domains resolved */
	int16		typlen;			/* for ACK_INT */
	FmgrInfo	func;			/* output function, or to_jsonb for ACK_GENERIC */
} AuditCol;

/* Per-relation facts the trigger needs, cached by relation OID. */
typedef struct ChurnwarnAuditRel
{
	Oid			relid;			/* hash key: the audited relation */
	bool		valid;			/* false: rebuild on next use */
	MemoryContext cols_context; /* holds cols; freed on rebuild */
	int			ncols;			/* live columns */
	AuditCol   *cols;			/* their image conversions */
	AttrNumber	customer_attnum;	/* customer_id column, or 0 */
	Oid			customer_typoutput; /* its type's output function */
	int			nkeys;			/* number of primary key columns */
	AttrNumber	key_attnums[INDEX_MAX_KEYS];	/* primary key columns */
	Oid			key_typoutput[INDEX_MAX_KEYS];	/* their output functions */
	char		table_name[CHURNWARN_QUALIFIED_NAME_LEN];	/* as recorded */
} ChurnwarnAuditRel;

/*
 * The head of a chain this transaction appended to.  The transaction holds
 * the head row's lock from its first append to the chain until it ends, so
 * nobody else can move the head meanwhile: later appends take the position
 * from here, and the head row is written once, just before commit
 * (audit_flush_heads), not once per row.  Kept in TopTransactionContext.
 * A subtransaction abort drops the heads whose lock it took and moves the
 * others it appended to back to where they were when it began.
 */
typedef struct AuditHeadSaved AuditHeadSaved;

typedef struct ChurnwarnAuditHead
{
	uint64		key;			/* hash key: the chain key */
	struct ChurnwarnAuditHead *next;	/* another chain with the same key */
	char	   *customer_id;	/* chain key, NULL: configuration chain */
	int64		n_rows;			/* seq of the last row */
	int64		last_id;		/* id of the last row */
	uint8		last_hash[PG_SHA256_DIGEST_LENGTH];	/* hash of the last row */
	ItemPointerData tid;		/* the head row version locked or created */
	SubTransactionId lock_subid;	/* subtransaction that took the lock */
	AuditHeadSaved *saved;		/* positions to go back to, or NULL */
	bool		listed;			/* in audit_saved_heads */
	bool		live;			/* false: dropped by a subtransaction abort */
	bool		dirty;			/* the head row is behind n_rows.. */
	bool		busy;			/* a row of the chain is being inserted */
} ChurnwarnAuditHead;

/*
 * Where a head was before the first append of a subtransaction that did not
 * take its lock: the position an abort of that subtransaction goes back
 * to.  A stack, the latest subtransaction on top, at most one entry per
 * open subtransaction: at its commit an entry passes to the parent, unless
 * the parent has one of its own (older, so kept) or the lock was taken in
 * the parent or in a subtransaction committed into it (the parent's abort
 * drops the head).
 */
struct AuditHeadSaved
{
	SubTransactionId subid;		/* the subtransaction it was saved for */
	int64		n_rows;
	int64		last_id;
	uint8		last_hash[PG_SHA256_DIGEST_LENGTH];
	bool		dirty;
	AuditHeadSaved *below;		/* the entry of an earlier subtransaction */
};

/*
 * One audit row as it enters the hash: pointers to the caller's data.  A
 * byte string with length -1 is NULL.
 */
typedef struct ChurnwarnAuditEntry
{
	const char *customer_id;	/* chain key, NULL: configuration chain */
	int64		seq;			/* position in the chain, from 1 */
	int64		id;				/* audit_log.id */
	TimestampTz at;				/* transaction start */
	const char *actor;			/* who made the change */
	const char *table_name;		/* schema-qualified table */
	const char *operation;		/* INSERT, UPDATE, DELETE or ERASE */
	const char *row_key;		/* key of the changed row, may be NULL */
	const uint8 *old_digest;	/* digest of the old image */
	int			old_digest_len;
	const uint8 *new_digest;	/* digest of the new image */
	int			new_digest_len;
	const uint8 *prev_hash;		/* hash of the previous row */
	int			prev_hash_len;
} ChurnwarnAuditEntry;

/*
 * Long-lived state.  The cache context lives under CacheMemoryContext
 * because the relation facts and the kept plans outlive transactions; the
 * relcache callback drops whatever an ALTER, RENAME or DROP makes stale.
 */
static MemoryContext audit_cache_context = NULL;
static HTAB *audit_rel_cache = NULL;
static bool audit_rel_stale = false;	/* some entry marked invalid */

/* Heads this transaction appended to (see ChurnwarnAuditHead), or NULL. */
static HTAB *audit_heads = NULL;

/* Those of them with saved positions (AuditHeadSaved), some maybe no longer. */
static List *audit_saved_heads = NIL;

/*
 * No saved position belongs to a subtransaction with a larger id: one that
 * saved none, nor any under it, commits without a look at the heads.
 */
static SubTransactionId audit_saved_max = InvalidSubTransactionId;

/* Likewise, no head's lock was taken by a subtransaction with a larger id. */
static SubTransactionId audit_locked_max = InvalidSubTransactionId;

/* The transaction's heads are gone (it ended, or they are written). */
static void
audit_forget_heads(void)
{
	audit_heads = NULL;
	audit_saved_heads = NIL;
	audit_saved_max = InvalidSubTransactionId;
	audit_locked_max = InvalidSubTransactionId;
}

/* churnwarn.audit_chain when those heads were locked. */
static Oid	audit_heads_relid = InvalidOid;

/*
 * The transaction's SHA-256 context (audit_sha256_begin), or NULL; always
 * NULL on a server built with OpenSSL (see sha256_bytes).
 */
static pg_cryptohash_ctx *audit_sha256_ctx = NULL;

/* OIDs of churnwarn's audit objects; InvalidOid until looked up. */
static Oid	audit_log_relid = InvalidOid;
static Oid	audit_seq_relid = InvalidOid;
static Oid	audit_chain_relid = InvalidOid;
static Oid	audit_chain_index = InvalidOid;	/* its unique customer_id index */
static Oid	audit_owner = InvalidOid;

/*
 * The audit rows of one INSERT statement (audit_inserted_rows) share one
 * open audit_log, executor state and slot instead of setting them up for
 * every row.  Set only while that loop runs.
 */
typedef struct AuditBatch
{
	Oid			log_relid;
	Relation	log_rel;
	EState	   *estate;
	ResultRelInfo *ri;
	TupleTableSlot *slot;
	Snapshot	snapshot;
	BulkInsertState bistate;	/* the log's current page, or NULL */
	ResourceOwner owner;		/* owner of that page's pin */
	SubTransactionId subid;		/* subtransaction the batch runs in */
	ChurnwarnAuditHead *hint;	/* the head of the row being appended, or NULL */
} AuditBatch;

static AuditBatch *audit_batch = NULL;

/* Kept plans; the plan cache re-plans them when the tables change. */
static SPIPlanPtr plan_create_head = NULL;	/* start a chain */
static SPIPlanPtr plan_erase_lock = NULL;	/* lock a chain for erasure */
static SPIPlanPtr plan_erase = NULL;	/* remove one customer's images */


/*
 * The erasure door: while churnwarn_audit_erase() runs its own UPDATE, the
 * customer whose images it may remove.  NULL at all other times.
 */
static const char *audit_erasing_customer = NULL;

/*
 * Columns of churnwarn.audit_log, in the order churnwarn_audit_append fills them,
 * and of churnwarn.audit_chain; their attribute numbers and types are looked
 * up by name (audit_lookup_objects), so that a future upgrade script may
 * add or reorder columns.
 */
static const char *const audit_log_columns[] = {
	"id", "at", "actor", "table_name", "operation", "row_key", "customer_id",
	"old_row", "new_row", "image_salt", "old_digest", "new_digest", "seq",
	"prev_hash", "hash"
};
static const Oid audit_log_types[] = {
	INT8OID, TIMESTAMPTZOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID,
	JSONBOID, JSONBOID, BYTEAOID, BYTEAOID, BYTEAOID, INT8OID, BYTEAOID,
	BYTEAOID
};
#define AUDIT_LOG_NCOLS lengthof(audit_log_columns)
#define AUDIT_LOG_ID	0			/* positions in audit_log_columns */
#define AUDIT_LOG_SEQ	12
#define AUDIT_LOG_HASH	14

static const char *const audit_chain_columns[] = {
	"customer_id", "n_rows", "last_id", "last_hash"
};
static const Oid audit_chain_types[] = {
	TEXTOID, INT8OID, INT8OID, BYTEAOID
};
#define AUDIT_CHAIN_NCOLS lengthof(audit_chain_columns)

/* Their attribute numbers, found with the OIDs above. */
static AttrNumber audit_log_attnums[AUDIT_LOG_NCOLS];
static AttrNumber audit_chain_attnums[AUDIT_CHAIN_NCOLS];

/*
 * audit_map_columns
 *		Attribute numbers of the named columns of a relation, checking their
 *		types: an audit table of another shape is an installation error, not
 *		something to write into blindly.
 */
static void
audit_map_columns(Oid relid, const char *const *names, const Oid *types,
				  int ncols, AttrNumber *attnums)
{
	int			i;

	for (i = 0; i < ncols; i++)
	{
		AttrNumber	attnum = get_attnum(relid, names[i]);

		if (attnum == InvalidAttrNumber ||
			get_atttype(relid, attnum) != types[i])
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("column \"%s\" of relation \"%s\" is missing or has the wrong type",
							names[i], get_rel_name(relid)),
					 errhint("Reinstall the churnwarn extension.")));
		attnums[i] = attnum;
	}
}

static void audit_init(void);
static void audit_flush_heads(void);
static void audit_rel_prune(void);
static Datum bytea_from(const uint8 *data, int len);
static void audit_xact_callback(XactEvent event, void *arg);
static void audit_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
								   SubTransactionId parentSubid, void *arg);
static uint64 audit_chain_key(const char *customer_id);
static void audit_relcache_callback(Datum arg, Oid relid);
static void audit_lookup_objects(void);
static ChurnwarnAuditRel *audit_rel_get(Relation rel);
static void audit_row_change(Relation rel, const char *operation,
							 HeapTuple oldtup, HeapTuple newtup);
static char *audit_row_key(ChurnwarnAuditRel *entry, HeapTuple tuple,
						   TupleDesc tupdesc, const char *customer_id);
static void audit_rel_columns(ChurnwarnAuditRel *entry, TupleDesc tupdesc);
static Jsonb *audit_row_image(const ChurnwarnAuditRel *entry, HeapTuple tuple,
							  TupleDesc tupdesc, StringInfo canon);
static void audit_sha256_release(void);
static void audit_chain_reentered(const char *customer_id);
static void sha256_bytes(const char *data, size_t len, uint8 *out);
static void put_field(StringInfo buf, const void *data, int len);
static void put_text(StringInfo buf, const char *value);
static void put_int64(StringInfo buf, int64 value);
static void audit_new_salt(uint8 *salt);
static void audit_image_digest(const uint8 *salt, int salt_len, Jsonb *image,
							   uint8 *out);
static void audit_canon_begin(StringInfo canon);
static void audit_canon_digest(StringInfo canon, const uint8 *salt, uint8 *out);
static void audit_append(const char *customer_id, const char *table_name,
						 const char *operation, const char *row_key,
						 Jsonb *old_row, Jsonb *new_row,
						 StringInfo old_canon, StringInfo new_canon);
static void audit_entry_hash(const ChurnwarnAuditEntry *entry, uint8 *out);
static SPIPlanPtr audit_prepare(const char *sql, int nargs, Oid *argtypes);
static bool audit_erasure_permits(Relation rel, HeapTuple oldtup,
								  HeapTuple newtup);

/*
 * audit_init
 *		Create the cache context and the relation cache, and register the
 *		relcache and transaction callbacks, once per backend.
 */
static void
audit_init(void)
{
	HASHCTL		ctl;

	if (audit_cache_context != NULL)
		return;

	audit_cache_context = AllocSetContextCreate(CacheMemoryContext,
												"churnwarn audit cache",
												ALLOCSET_SMALL_SIZES);

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(ChurnwarnAuditRel);
	ctl.hcxt = audit_cache_context;
	audit_rel_cache = hash_create("churnwarn audited relations", 32, &ctl,
								  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);

	CacheRegisterRelcacheCallback(audit_relcache_callback, (Datum) 0);
	RegisterXactCallback(audit_xact_callback, NULL);
	RegisterSubXactCallback(audit_subxact_callback, NULL);
}

/*
 * audit_xact_callback
 *		Write the heads this transaction moved just before it commits (or is
 *		prepared); forget them when it ends, their memory goes with
 *		TopTransactionContext.
 */
static void
audit_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			audit_flush_heads();
			audit_sha256_release();
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			audit_sha256_release();
			audit_forget_heads();
			audit_rel_prune();
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PREPARE:
			/* released before; a context made after PRE_COMMIT goes with its owner */
			audit_sha256_ctx = NULL;
			audit_forget_heads();
			audit_rel_prune();
			break;
		default:
			break;
	}
}

/*
 * audit_rel_prune
 *		Drop the relation cache entries an invalidation marked (a dropped or
 *		altered table), once no image is being built: the cache holds only
 *		what is in use, not every table ever audited in this session.
 */
static void
audit_rel_prune(void)
{
	HASH_SEQ_STATUS status;
	ChurnwarnAuditRel *entry;

	if (audit_rel_cache == NULL || !audit_rel_stale)
		return;
	audit_rel_stale = false;
	hash_seq_init(&status, audit_rel_cache);
	while ((entry = hash_seq_search(&status)) != NULL)
	{
		if (entry->valid)
			continue;
		if (entry->cols_context != NULL)
			MemoryContextDelete(entry->cols_context);
		(void) hash_search(audit_rel_cache, &entry->relid, HASH_REMOVE, NULL);
	}
}

/*
 * audit_next_head
 *		Iterate over the remembered heads, overflow entries included: pass
 *		NULL first.  status is the caller's hash scan.
 */
static ChurnwarnAuditHead *
audit_next_head(HASH_SEQ_STATUS *status, ChurnwarnAuditHead *prev)
{
	if (prev != NULL && prev->next != NULL)
		return prev->next;
	return (ChurnwarnAuditHead *) hash_seq_search(status);
}

/*
 * audit_subxact_callback
 *		At a subtransaction abort, the heads whose lock it took (it, or a
 *		subtransaction under it: their ids are larger) are dropped, the lock
 *		and every append after it are gone; the heads it appended to under
 *		a lock taken before go back to where they were when it began.  At
 *		its commit, its saved positions pass to the parent.
 */
static void
audit_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
					   SubTransactionId parentSubid, void *arg)
{
	HASH_SEQ_STATUS status;
	ChurnwarnAuditHead *head = NULL;

	if (audit_heads == NULL)
		return;
	if (event == SUBXACT_EVENT_COMMIT_SUB)
	{
		ListCell   *lc;

		if (audit_saved_max < mySubid)
			return;
		/* what is left belongs to the parent or to an older subtransaction */
		audit_saved_max = parentSubid;
		foreach(lc, audit_saved_heads)
		{
			AuditHeadSaved *keep = NULL;

			head = (ChurnwarnAuditHead *) lfirst(lc);
			/* the oldest of its own and its committed children's entries */
			while (head->saved != NULL && head->saved->subid >= mySubid)
			{
				AuditHeadSaved *saved = head->saved;

				head->saved = saved->below;
				if (keep != NULL)
					pfree(keep);
				keep = saved;
			}
			if (keep != NULL)
			{
				if ((head->saved != NULL && head->saved->subid >= parentSubid) ||
					head->lock_subid >= parentSubid)
					pfree(keep);
				else
				{
					keep->subid = parentSubid;
					keep->below = head->saved;
					head->saved = keep;
				}
			}
			if (head->saved == NULL)
			{
				head->listed = false;
				audit_saved_heads = foreach_delete_current(audit_saved_heads, lc);
			}
		}
		return;
	}
	if (event != SUBXACT_EVENT_ABORT_SUB)
		return;
	/* a rolled-back block that took and moved no head costs nothing here */
	if (audit_saved_max < mySubid && audit_locked_max < mySubid)
		return;
	if (audit_saved_max >= mySubid)
		audit_saved_max = parentSubid;
	audit_locked_max = Min(audit_locked_max, mySubid - 1);
	hash_seq_init(&status, audit_heads);
	while ((head = audit_next_head(&status, head)) != NULL)
	{
		if (!head->live)
			continue;
		if (head->lock_subid >= mySubid)
		{
			head->live = false;
			while (head->saved != NULL)
			{
				AuditHeadSaved *saved = head->saved;

				head->saved = saved->below;
				pfree(saved);
			}
			continue;
		}
		while (head->saved != NULL && head->saved->subid >= mySubid)
		{
			AuditHeadSaved *saved = head->saved;

			head->n_rows = saved->n_rows;
			head->last_id = saved->last_id;
			memcpy(head->last_hash, saved->last_hash, PG_SHA256_DIGEST_LENGTH);
			head->dirty = saved->dirty;
			head->saved = saved->below;
			pfree(saved);
		}
	}
}

/*
 * audit_head_save
 *		Before a head moves: if this is the first append to it in a
 *		subtransaction that did not take its lock, remember where it is.
 */
static void
audit_head_save(ChurnwarnAuditHead *head)
{
	SubTransactionId subid = GetCurrentSubTransactionId();
	AuditHeadSaved *saved;

	if (head->lock_subid >= subid ||
		(head->saved != NULL && head->saved->subid >= subid))
		return;
	saved = MemoryContextAlloc(TopTransactionContext, sizeof(AuditHeadSaved));
	saved->subid = subid;
	saved->n_rows = head->n_rows;
	saved->last_id = head->last_id;
	memcpy(saved->last_hash, head->last_hash, PG_SHA256_DIGEST_LENGTH);
	saved->dirty = head->dirty;
	saved->below = head->saved;
	audit_saved_max = Max(audit_saved_max, subid);
	if (!head->listed)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(TopTransactionContext);

		audit_saved_heads = lappend(audit_saved_heads, head);
		head->listed = true;
		MemoryContextSwitchTo(oldcxt);
	}
	head->saved = saved;
}

/* Whether two chain keys are the same chain (NULL: the configuration chain). */
static inline bool
audit_same_chain(const char *a, const char *b)
{
	return a == NULL ? b == NULL : (b != NULL && strcmp(a, b) == 0);
}

/*
 * audit_head_is
 *		Whether head is the live head of customer_id's chain.  Two keys with
 *		one hash share an entry: only the exact key counts.
 */
static inline bool
audit_head_is(const ChurnwarnAuditHead *head, const char *customer_id)
{
	return head->live && audit_same_chain(customer_id, head->customer_id);
}

/*
 * audit_head_find
 *		The remembered head of a chain, or NULL.
 */
static ChurnwarnAuditHead *
audit_head_find(const char *customer_id, uint64 key)
{
	ChurnwarnAuditHead *head;

	if (audit_heads == NULL)
		return NULL;
	for (head = hash_search(audit_heads, &key, HASH_FIND, NULL);
		 head != NULL; head = head->next)
		if (audit_head_is(head, customer_id))
			return head;
	return NULL;
}

/*
 * audit_head_add
 *		Remember a head this transaction has just locked or created in
 *		chain_relid (the caller's copy: an invalidation may have reset the
 *		cached OIDs since).  A live head of the same chain already there
 *		means an append nested in the caller's lookup or creation of the
 *		head (a trigger on churnwarn.audit_chain) wrote to the chain
 *		meanwhile: the position the caller read is stale, so the append is
 *		refused.
 */
static ChurnwarnAuditHead *
audit_head_add(const char *customer_id, uint64 key, ItemPointer tid,
			   Oid chain_relid)
{
	ChurnwarnAuditHead *head;
	bool		found;

	if (audit_heads == NULL)
	{
		HASHCTL		ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(uint64);
		ctl.entrysize = sizeof(ChurnwarnAuditHead);
		ctl.hcxt = TopTransactionContext;
		audit_heads = hash_create("churnwarn audit chain heads", 16, &ctl,
								  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		audit_heads_relid = chain_relid;
	}
	head = hash_search(audit_heads, &key, HASH_ENTER, &found);
	if (found)
	{
		ChurnwarnAuditHead *h;

		for (h = head; h != NULL; h = h->next)
			if (audit_head_is(h, customer_id))
				audit_chain_reentered(customer_id);
		/* reuse a dropped entry, else chain a new one behind the first */
		while (head->live && head->next != NULL)
			head = head->next;
		if (head->live)
		{
			ChurnwarnAuditHead *extra;

			extra = MemoryContextAllocZero(TopTransactionContext,
										   sizeof(ChurnwarnAuditHead));
			extra->key = key;
			head->next = extra;
			head = extra;
		}
		else if (head->customer_id != NULL)
			pfree(head->customer_id);	/* the dropped chain's key */
	}
	else
	{
		head->next = NULL;
		head->listed = false;
	}
	head->customer_id = customer_id == NULL ? NULL :
		MemoryContextStrdup(TopTransactionContext, customer_id);
	head->tid = *tid;
	head->lock_subid = GetCurrentSubTransactionId();
	audit_locked_max = Max(audit_locked_max, head->lock_subid);
	head->saved = NULL;
	head->live = true;
	head->dirty = false;
	head->busy = false;
	return head;
}

/*
 * audit_chain_scankey
 *		The scan key "customer_id = customer_id" (IS NULL for the
 *		configuration chain) on the first column of index_rel, compared in
 *		the index's own collation.
 */
static void
audit_chain_scankey(ScanKey key, Relation index_rel, const char *customer_id)
{
	if (customer_id != NULL)
		ScanKeyEntryInitialize(key, 0, 1, BTEqualStrategyNumber, InvalidOid,
							   index_rel->rd_indcollation[0], F_TEXTEQ,
							   CStringGetTextDatum(customer_id));
	else
		ScanKeyEntryInitialize(key, SK_ISNULL | SK_SEARCHNULL, 1,
							   InvalidStrategy, InvalidOid, InvalidOid,
							   InvalidOid, (Datum) 0);
}

/*
 * audit_begin_write
 *		An executor state for writing rel directly (ExecSimpleRelation*):
 *		one range table entry, its result relation with the indexes open,
 *		a query level for the after triggers of the table, if any.
 */
static EState *
audit_begin_write(Relation rel, Snapshot snapshot, ResultRelInfo **ri)
{
	EState	   *estate = CreateExecutorState();
	RangeTblEntry *rte = makeNode(RangeTblEntry);

	rte->rtekind = RTE_RELATION;
	rte->relid = RelationGetRelid(rel);
	rte->relkind = RELKIND_RELATION;
	rte->rellockmode = RowExclusiveLock;
	ExecInitRangeTable(estate, list_make1(rte));
	*ri = makeNode(ResultRelInfo);
	InitResultRelInfo(*ri, rel, 1, NULL, 0);
	/* where the log's after triggers find its result info */
	estate->es_opened_result_relations = list_make1(*ri);
	estate->es_output_cid = GetCurrentCommandId(true);
	estate->es_snapshot = snapshot;
	ExecOpenIndices(*ri, false);
	AfterTriggerBeginQuery();
	return estate;
}

/*
 * audit_end_write
 *		Fire the queued after triggers and release what audit_begin_write
 *		set up.
 */
static void
audit_end_write(EState *estate)
{
	AfterTriggerEndQuery(estate);
	ExecCloseResultRelations(estate);
	ExecResetTupleTable(estate->es_tupleTable, false);
	FreeExecutorState(estate);
}

/*
 * audit_batch_insert
 *		Insert the row in slot into the batch's log, as
 *		ExecSimpleRelationInsert would, but keeping the page it lands on
 *		pinned for the next row, as COPY does.  Rows are checked, indexed
 *		and handed to the log's after triggers exactly as there.
 */
static void
audit_batch_insert(AuditBatch *batch, TupleTableSlot *slot)
{
	ResultRelInfo *ri = batch->ri;
	Relation	rel = ri->ri_RelationDesc;
	List	   *recheck = NIL;

	if (batch->bistate == NULL)
	{
		ExecSimpleRelationInsert(ri, batch->estate, slot);
		return;
	}
	if (rel->rd_att->constr)
		ExecConstraints(ri, slot, batch->estate);
	table_tuple_insert(rel, slot, GetCurrentCommandId(true), 0,
					   batch->bistate);
	if (ri->ri_NumIndices > 0)
		recheck = ExecInsertIndexTuples(ri, slot, batch->estate, false, false,
										NULL, NIL);
	ExecARInsertTriggers(batch->estate, ri, slot, recheck, NULL);
	list_free(recheck);
}

/*
 * audit_chain_reentered
 *		Refuse an append to a chain this backend is in the middle of
 *		appending to: taking the position the outer append already took
 *		would fork the chain.
 */
static void
audit_chain_reentered(const char *customer_id)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_IN_USE),
			 errmsg("cannot append to the audit chain of %s while one of its rows is being written",
					customer_id ? psprintf("customer \"%s\"", customer_id) :
					"the configuration"),
			 errdetail("A trigger, constraint or index expression of churnwarn.audit_log or churnwarn.audit_chain changed an audited row of the same chain.")));
}

/*
 * audit_insert_row
 *		Insert the log row in slot, the chain's head marked busy meanwhile:
 *		its position in memory moves only once the row is in, so a BEFORE
 *		trigger on the log appending to the same chain would take the same
 *		position and fork the chain.  Such an append is refused instead.
 */
static void
audit_insert_row(ChurnwarnAuditHead *head, AuditBatch *batch,
				 ResultRelInfo *ri, EState *estate, TupleTableSlot *slot)
{
	head->busy = true;
	PG_TRY();
	{
		if (batch)
			audit_batch_insert(batch, slot);
		else
			ExecSimpleRelationInsert(ri, estate, slot);
	}
	PG_FINALLY();
	{
		head->busy = false;
	}
	PG_END_TRY();
}

/*
 * audit_store_row
 *		Store a row into a virtual slot: ncols values for the columns at
 *		attnums, NULL in any other column.
 */
static void
audit_store_row(TupleTableSlot *slot, const AttrNumber *attnums,
				const Datum *values, const bool *nulls, int ncols)
{
	int			i;

	ExecClearTuple(slot);
	for (i = 0; i < slot->tts_tupleDescriptor->natts; i++)
		slot->tts_isnull[i] = true;
	for (i = 0; i < ncols; i++)
	{
		slot->tts_values[attnums[i] - 1] = values[i];
		slot->tts_isnull[attnums[i] - 1] = nulls[i];
	}
	ExecStoreVirtualTuple(slot);
}

/*
 * audit_write_head
 *		Write a remembered position into the head row the transaction holds,
 *		through the caller's two slots (made once per flush: every slot
 *		made registers its tuple descriptor with the resource owner, whose
 *		list is searched linearly when it is released).
 */
static void
audit_write_head(EState *estate, ResultRelInfo *ri_chain,
				 TupleTableSlot *oldslot, TupleTableSlot *slot,
				 ChurnwarnAuditHead *head)
{
	Relation	chain_rel = ri_chain->ri_RelationDesc;
	EPQState	epqstate;
	Datum		values[AUDIT_CHAIN_NCOLS];
	bool		nulls[AUDIT_CHAIN_NCOLS];

	values[0] = head->customer_id ? CStringGetTextDatum(head->customer_id) : (Datum) 0;
	nulls[0] = (head->customer_id == NULL);
	values[1] = Int64GetDatum(head->n_rows);
	values[2] = Int64GetDatum(head->last_id);
	values[3] = bytea_from(head->last_hash, PG_SHA256_DIGEST_LENGTH);
	nulls[1] = nulls[2] = nulls[3] = false;
	audit_store_row(slot, audit_chain_attnums, values, nulls, AUDIT_CHAIN_NCOLS);
	if (!table_tuple_fetch_row_version(chain_rel, &head->tid, SnapshotAny,
									   oldslot))
		elog(ERROR, "could not fetch the head of an audit chain");
	EvalPlanQualInit(&epqstate, estate, NULL, NIL, -1);
	ExecSimpleRelationUpdate(ri_chain, estate, &epqstate, oldslot, slot);
	EvalPlanQualEnd(&epqstate);
	head->tid = slot->tts_tid;
	head->dirty = false;
}

/*
 * audit_flush_heads
 *		Just before commit: write every head this transaction moved, once.
 *		Heads of an audit_chain table dropped (DROP EXTENSION) or replaced
 *		in this transaction went with it.
 */
static void
audit_flush_heads(void)
{
	HASH_SEQ_STATUS status;
	ChurnwarnAuditHead *head = NULL;
	Oid			nspid;
	Relation	chain_rel;
	EState	   *estate;
	ResultRelInfo *ri_chain;
	TupleTableSlot *oldslot;
	TupleTableSlot *newslot;
	bool		any = false;

	if (audit_heads == NULL)
		return;
	hash_seq_init(&status, audit_heads);
	while ((head = audit_next_head(&status, head)) != NULL)
		any |= (head->live && head->dirty);
	if (!any)
	{
		audit_forget_heads();
		return;
	}
	nspid = get_namespace_oid("churnwarn", true);
	if (!OidIsValid(nspid) ||
		get_relname_relid("audit_chain", nspid) != audit_heads_relid)
	{
		audit_forget_heads();
		return;
	}
	audit_lookup_objects();

	CommandCounterIncrement();
	chain_rel = table_open(audit_chain_relid, RowExclusiveLock);
	estate = audit_begin_write(chain_rel, NULL, &ri_chain);
	/* at commit no statement's snapshot is active: triggers on the heads need one */
	PushActiveSnapshot(GetLatestSnapshot());
	oldslot = table_slot_create(chain_rel, &estate->es_tupleTable);
	newslot = ExecInitExtraTupleSlot(estate, RelationGetDescr(chain_rel),
									 &TTSOpsVirtual);

	hash_seq_init(&status, audit_heads);
	head = NULL;
	while ((head = audit_next_head(&status, head)) != NULL)
	{
		if (head->live && head->dirty)
			audit_write_head(estate, ri_chain, oldslot, newslot, head);
	}

	audit_end_write(estate);
	PopActiveSnapshot();
	table_close(chain_rel, NoLock);
	audit_forget_heads();
}

/*
 * audit_relcache_callback
 *		Forget what an invalidated relation makes stale: its cached facts,
 *		and the audit objects' OIDs if it is one of them (DROP EXTENSION).
 *		InvalidOid means every relation.
 */
static void
audit_relcache_callback(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	ChurnwarnAuditRel *entry;

	if (audit_rel_cache == NULL)
		return;

	/*
	 * Entries are marked, not removed: a row being imaged may still use the
	 * columns of its entry; they are freed when the entry is rebuilt.
	 */
	if (relid == InvalidOid)
	{
		hash_seq_init(&status, audit_rel_cache);
		while ((entry = hash_seq_search(&status)) != NULL)
			entry->valid = false;
		audit_rel_stale = true;
	}
	else if ((entry = hash_search(audit_rel_cache, &relid, HASH_FIND, NULL)) != NULL)
	{
		entry->valid = false;
		audit_rel_stale = true;
	}

	if (relid == InvalidOid || relid == audit_log_relid ||
		relid == audit_seq_relid || relid == audit_chain_relid ||
		relid == audit_chain_index)
	{
		audit_log_relid = InvalidOid;
		audit_seq_relid = InvalidOid;
		audit_chain_relid = InvalidOid;
		audit_chain_index = InvalidOid;
		audit_owner = InvalidOid;
	}
}

/*
 * audit_lookup_objects
 *		Find churnwarn.audit_log, its id sequence, churnwarn.audit_chain and
 *		its customer_id index, the columns of both tables, and the log's
 *		owner (the role churnwarn_audit_erase's statement runs as).
 */
static void
audit_lookup_objects(void)
{
	Oid			nspid;
	HeapTuple	tuple;
	Oid			owner;

	if (OidIsValid(audit_owner))
		return;

	nspid = get_namespace_oid("churnwarn", false);
	audit_log_relid = get_relname_relid("audit_log", nspid);
	audit_seq_relid = get_relname_relid("audit_log_id_seq", nspid);
	audit_chain_relid = get_relname_relid("audit_chain", nspid);
	audit_chain_index = get_relname_relid("audit_chain_customer_id_key", nspid);
	if (!OidIsValid(audit_log_relid) || !OidIsValid(audit_seq_relid) ||
		!OidIsValid(audit_chain_relid) || !OidIsValid(audit_chain_index))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"%s\" does not exist",
						!OidIsValid(audit_log_relid) ? "churnwarn.audit_log" :
						!OidIsValid(audit_seq_relid) ? "churnwarn.audit_log_id_seq" :
						!OidIsValid(audit_chain_relid) ? "churnwarn.audit_chain" :
						"churnwarn.audit_chain_customer_id_key"),
				 errhint("Reinstall the churnwarn extension.")));
	audit_map_columns(audit_log_relid, audit_log_columns, audit_log_types,
					  AUDIT_LOG_NCOLS, audit_log_attnums);
	audit_map_columns(audit_chain_relid, audit_chain_columns,
					  audit_chain_types, AUDIT_CHAIN_NCOLS,
					  audit_chain_attnums);

	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(audit_log_relid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", audit_log_relid);
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	/* Set last: it marks everything above as found. */
	audit_owner = owner;
}

/*
 * audit_rel_get
 *		The cached facts of an audited relation, computed on first use: the
 *		customer_id column if any, the primary key columns, the name.
 */
static ChurnwarnAuditRel *
audit_rel_get(Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	TupleDesc	tupdesc = RelationGetDescr(rel);
	ChurnwarnAuditRel *cached;
	ChurnwarnAuditRel local;
	ChurnwarnAuditRel *entry = &local;
	Bitmapset  *pkattrs;
	bool		isvarlena;
	bool		found;
	int			i;

	cached = hash_search(audit_rel_cache, &relid, HASH_FIND, &found);
	if (found && cached->valid)
		return cached;

	/* Compute everything first, so that an error leaves no half entry. */
	pkattrs = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_PRIMARY_KEY);

	memset(&local, 0, sizeof(local));
	local.relid = relid;
	strlcpy(entry->table_name,
			quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
									   RelationGetRelationName(rel)),
			sizeof(entry->table_name));

	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);

		if (att->attisdropped)
			continue;
		if (strcmp(NameStr(att->attname), "customer_id") == 0)
		{
			entry->customer_attnum = att->attnum;
			getTypeOutputInfo(att->atttypid, &entry->customer_typoutput,
							  &isvarlena);
		}
	}

	/* Primary key columns, in column order. */
	i = -1;
	while ((i = bms_next_member(pkattrs, i)) >= 0 &&
		   entry->nkeys < INDEX_MAX_KEYS)
	{
		AttrNumber	attnum = i + FirstLowInvalidHeapAttributeNumber;

		if (attnum <= 0)
			continue;
		entry->key_attnums[entry->nkeys] = attnum;
		getTypeOutputInfo(TupleDescAttr(tupdesc, attnum - 1)->atttypid,
						  &entry->key_typoutput[entry->nkeys], &isvarlena);
		entry->nkeys++;
	}

	entry->cols_context = AllocSetContextCreate(audit_cache_context,
												"churnwarn audit columns",
												ALLOCSET_SMALL_SIZES);
	PG_TRY();
	{
		audit_rel_columns(entry, tupdesc);
	}
	PG_CATCH();
	{
		MemoryContextDelete(entry->cols_context);
		PG_RE_THROW();
	}
	PG_END_TRY();
	entry->valid = true;

	/*
	 * The old columns may still be in use by an image being built further
	 * up the stack: they go with the transaction, not now.
	 */
	if (found)
		MemoryContextSetParent(cached->cols_context, TopTransactionContext);
	else
		cached = hash_search(audit_rel_cache, &relid, HASH_ENTER, NULL);
	memcpy(cached, &local, sizeof(local));
	return cached;
}

/*
 * audit_col_cmp
 *		jsonb's order of object keys: shorter first, then bytewise.  The
 *		image's keys pushed in this order are found sorted when the object
 *		is closed, and not sorted again for every row.
 */
static int
audit_col_cmp(const void *a, const void *b)
{
	const char *ka = ((const AuditCol *) a)->name;
	const char *kb = ((const AuditCol *) b)->name;
	size_t		la = strlen(ka);
	size_t		lb = strlen(kb);

	if (la != lb)
		return la < lb ? -1 : 1;
	return memcmp(ka, kb, la);
}

/*
 * audit_rel_columns
 *		How each live column of the relation enters the row image, the way
 *		to_jsonb() converts it (jsonb_categorize_type and datum_to_jsonb in
 *		PostgreSQL's jsonb.c): the kind, the base type and the function to
 *		call, kept in entry->cols_context.
 */
static void
audit_rel_columns(ChurnwarnAuditRel *entry, TupleDesc tupdesc)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(entry->cols_context);
	int			i;

	entry->cols = palloc0(sizeof(AuditCol) * Max(tupdesc->natts, 1));
	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);
		AuditCol   *col = &entry->cols[entry->ncols];
		Oid			outfunc = InvalidOid;
		bool		isvarlena;

		if (att->attisdropped)
			continue;
		col->attnum = att->attnum;
		col->name = pstrdup(NameStr(att->attname));
		col->basetype = getBaseType(att->atttypid);
		switch (col->basetype)
		{
			case TEXTOID:
			case VARCHAROID:
				col->kind = ACK_TEXT;
				break;
			case INT2OID:
			case INT4OID:
			case INT8OID:
				col->kind = ACK_INT;
				col->typlen = get_typlen(col->basetype);
				break;
			case FLOAT4OID:
			case FLOAT8OID:
			case NUMERICOID:
				col->kind = ACK_NUMBER;
				break;
			case BOOLOID:
				col->kind = ACK_BOOL;
				break;
			case DATEOID:
			case TIMESTAMPOID:
			case TIMESTAMPTZOID:
				col->kind = ACK_DATETIME;
				break;
			case JSONBOID:
				col->kind = ACK_JSONB;
				break;
			case BPCHAROID:
			case NAMEOID:
			case INTERVALOID:
			case TIMEOID:
			case TIMETZOID:
			case UUIDOID:
			case BYTEAOID:
			case INETOID:
			case CIDROID:
			case OIDOID:
				col->kind = ACK_STRING;
				break;
			default:
				col->kind = ACK_GENERIC;
				break;
		}
		if (col->kind == ACK_NUMBER || col->kind == ACK_STRING)
		{
			getTypeOutputInfo(col->basetype, &outfunc, &isvarlena);
			fmgr_info_cxt(outfunc, &col->func, entry->cols_context);
		}
		else if (col->kind == ACK_GENERIC)
		{
			/* to_jsonb(anyelement) reads the argument's type from fn_expr */
			fmgr_info_cxt(F_TO_JSONB, &col->func, entry->cols_context);
			col->func.fn_expr = (Node *)
				makeFuncExpr(F_TO_JSONB, JSONBOID,
							 list_make1(makeNullConst(att->atttypid, att->atttypmod,
													  att->attcollation)),
							 InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
		}
		entry->ncols++;
	}
	qsort(entry->cols, entry->ncols, sizeof(AuditCol), audit_col_cmp);
	MemoryContextSwitchTo(oldcxt);
}

/* audit_chain_key of a key given as len bytes, not terminated. */
static uint64
audit_chain_key_bytes(const char *key, int len)
{
	return hash_bytes_extended((const unsigned char *) key, len,
							   CHURNWARN_AUDIT_KEY_SEED);
}

/*
 * audit_chain_key
 *		64-bit key of a chain: a hash of the customer key; 0 for the
 *		configuration chain.
 */
static uint64
audit_chain_key(const char *customer_id)
{
	if (customer_id == NULL)
		return 0;
	return audit_chain_key_bytes(customer_id, strlen(customer_id));
}

/*
 * bytea_from
 *		A bytea datum holding len bytes.
 */
static Datum
bytea_from(const uint8 *data, int len)
{
	bytea	   *result = (bytea *) palloc(VARHDRSZ + len);

	SET_VARSIZE(result, VARHDRSZ + len);
	memcpy(VARDATA(result), data, len);
	return PointerGetDatum(result);
}

/*
 * audit_read_head
 *		Take the chain's position from a head row: seq of the next row and
 *		the hash to chain to (as stored, even if edited: verify_audit() will
 *		say so).
 */
static void
audit_read_head(TupleTableSlot *slot, const AttrNumber *chain_attnums,
				ChurnwarnAuditEntry *entry, uint8 *prev_hash)
{
	bool		isnull;
	Datum		value;

	value = slot_getattr(slot, chain_attnums[1], &isnull);
	entry->seq = (isnull ? 0 : DatumGetInt64(value)) + 1;
	value = slot_getattr(slot, chain_attnums[3], &isnull);
	entry->prev_hash = NULL;
	entry->prev_hash_len = -1;
	/* a chain started but still empty (audit_take_head) has no last row */
	if (!isnull && entry->seq > 1)
	{
		bytea	   *last_hash = DatumGetByteaPP(value);

		entry->prev_hash_len = Min(VARSIZE_ANY_EXHDR(last_hash),
								   PG_SHA256_DIGEST_LENGTH);
		memcpy(prev_hash, VARDATA_ANY(last_hash), entry->prev_hash_len);
		entry->prev_hash = prev_hash;
	}
}

/*
 * audit_lock_head
 *		Find the head of a chain with the latest snapshot and lock it FOR NO
 *		KEY UPDATE, following it to its newest version if the writer that
 *		held it moved it meanwhile; the locked version is left in slot.
 *		Returns false if the chain has no (committed) head yet, or, with
 *		wait LockWaitSkip, if another transaction holds it (*busy set).
 *
 * The row lock on the head is what serializes the writers of one chain,
 * until the end of the transaction or of the subtransaction that took it
 * (the head row itself is written at commit).  Writers of different
 * customers lock different rows and never wait for each other, and a row
 * lock takes no entry in the shared lock table, so one statement may write
 * the chains of any number of customers.  The head is read with the latest
 * snapshot, so a REPEATABLE READ transaction chains after rows committed
 * since it started.
 */
static bool
audit_lock_head(Relation chain_rel, Oid chain_index, const char *customer_id,
				TupleTableSlot *slot, LockWaitPolicy wait, bool *busy)
{
	Relation	index_rel;
	IndexScanDesc scan;
	ScanKeyData key;
	Snapshot	snapshot;
	ItemPointerData tid;
	TM_FailureData tmfd;
	TM_Result	result;
	bool		found;

	snapshot = RegisterSnapshot(GetLatestSnapshot());
	index_rel = index_open(chain_index, RowExclusiveLock);
	audit_chain_scankey(&key, index_rel, customer_id);
	scan = index_beginscan(chain_rel, index_rel, snapshot, 1, 0);
	index_rescan(scan, &key, 1, NULL, 0);
	found = index_getnext_slot(scan, ForwardScanDirection, slot);
	if (found)
		tid = slot->tts_tid;
	index_endscan(scan);
	index_close(index_rel, NoLock);

	if (found)
	{
		result = table_tuple_lock(chain_rel, &tid, snapshot, slot,
								  GetCurrentCommandId(true),
								  LockTupleNoKeyExclusive, wait,
								  TUPLE_LOCK_FLAG_FIND_LAST_VERSION, &tmfd);
		if (result == TM_WouldBlock)
		{
			*busy = true;
			found = false;
		}
		else if (result != TM_Ok)
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize access to the audit chain of %s",
							customer_id ? psprintf("customer \"%s\"", customer_id) :
							"the configuration"),
					 errdetail("The head of the chain was removed by a concurrent transaction.")));
	}
	UnregisterSnapshot(snapshot);
	return found;
}

/*
 * audit_create_head
 *		Start a chain: insert its head, empty (n_rows 0; the first append
 *		moves it like any other), unless a concurrent transaction started it
 *		first (then wait for that one to end, and return false).  On success
 *		the new head's row id is in *tid.
 *
 * INSERT ... ON CONFLICT DO NOTHING settles the race for the first row
 * that a row lock cannot: there is no row to lock yet.  Run through SPI as
 * owner (the log's owner); it happens once per chain.
 */
static bool
audit_create_head(const char *customer_id, Oid owner, ItemPointer tid)
{
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};
	uint8		no_hash[PG_SHA256_DIGEST_LENGTH] = {0};
	Oid			save_userid;
	int			save_sec_context;
	bool		created;
	bool		isnull;
	int			rc;

	if ((rc = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));
	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(owner,
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_NOFORCE_RLS);
	if (plan_create_head == NULL)
	{
		Oid			argtypes[4] = {TEXTOID, INT8OID, INT8OID, BYTEAOID};

		plan_create_head = audit_prepare(
			"INSERT INTO churnwarn.audit_chain (customer_id, n_rows, last_id,"
			" last_hash) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"
			" RETURNING ctid", 4, argtypes);
	}
	values[0] = customer_id ? CStringGetTextDatum(customer_id) : (Datum) 0;
	nulls[0] = customer_id ? ' ' : 'n';
	values[1] = Int64GetDatum(0);
	values[2] = Int64GetDatum(0);
	values[3] = bytea_from(no_hash, sizeof(no_hash));
	rc = SPI_execute_snapshot(plan_create_head, values, nulls,
							  GetLatestSnapshot(), InvalidSnapshot,
							  false, true, 0);
	if (rc != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "could not start an audit chain: %s",
			 SPI_result_code_string(rc));
	created = (SPI_processed == 1);
	if (created)
		*tid = *(ItemPointer) DatumGetPointer(SPI_getbinval(SPI_tuptable->vals[0],
															SPI_tuptable->tupdesc,
															1, &isnull));
	SetUserIdAndSecContext(save_userid, save_sec_context);
	if ((rc = SPI_finish()) != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed: %s", SPI_result_code_string(rc));
	return created;
}

/*
 * audit_remember_head
 *		Remember the head just locked (left in headslot) or created (at
 *		*created_tid, empty), positioned after the chain's last committed
 *		row.
 */
static ChurnwarnAuditHead *
audit_remember_head(const char *customer_id, uint64 chain_key,
					TupleTableSlot *headslot, ItemPointer created_tid,
					const AttrNumber *chain_attnums, Oid chain_relid)
{
	ChurnwarnAuditHead *head;
	ChurnwarnAuditEntry position;
	uint8		last_hash[PG_SHA256_DIGEST_LENGTH];
	ItemPointerData headtid;

	memset(&position, 0, sizeof(position));
	memset(last_hash, 0, sizeof(last_hash));
	position.seq = 1;
	if (created_tid != NULL)
		headtid = *created_tid;
	else
	{
		bool		isnull;
		Datum		value;

		headtid = headslot->tts_tid;
		audit_read_head(headslot, chain_attnums, &position, last_hash);
		value = slot_getattr(headslot, chain_attnums[2], &isnull);
		position.id = isnull ? 0 : DatumGetInt64(value);
	}
	head = audit_head_add(customer_id, chain_key, &headtid, chain_relid);
	head->n_rows = position.seq - 1;
	head->last_id = position.id;
	memcpy(head->last_hash, last_hash, sizeof(last_hash));
	return head;
}

/*
 * audit_take_head
 *		Take the head of a chain this transaction does not hold yet: lock
 *		it, or, with start, start the chain with an empty head.  Returns the
 *		head, now remembered, positioned after the chain's last committed
 *		row; NULL if the chain has no head and start is false, or, with wait
 *		LockWaitSkip, if another transaction holds it (*busy set).
 */
static ChurnwarnAuditHead *
audit_take_head(const char *customer_id, uint64 chain_key,
				LockWaitPolicy wait, bool start, bool *busy)
{
	Relation	chain_rel;
	TupleTableSlot *headslot;
	ChurnwarnAuditHead *head = NULL;
	ItemPointerData created_tid;
	AttrNumber	chain_attnums[AUDIT_CHAIN_NCOLS];
	Oid			chain_relid;
	Oid			chain_index;
	Oid			owner;
	bool		have_head;
	bool		created = false;

	/* Copied: an invalidation may reset the cached OIDs at any time. */
	audit_lookup_objects();
	chain_relid = audit_chain_relid;
	chain_index = audit_chain_index;
	owner = audit_owner;
	memcpy(chain_attnums, audit_chain_attnums, sizeof(chain_attnums));
	chain_rel = table_open(chain_relid, RowExclusiveLock);
	headslot = table_slot_create(chain_rel, NULL);

	have_head = audit_lock_head(chain_rel, chain_index, customer_id, headslot,
								wait, busy);
	if (!have_head && start)
	{
		LOCKTAG		tag;

		/*
		 * A chain with no head yet.  Starters queue on an advisory lock,
		 * held only until the head exists, so that they are served in the
		 * order they came; then look again, a queued starter finds the head
		 * the one before it created.
		 */
		SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, (uint32) (chain_key >> 32),
							 (uint32) chain_key, CHURNWARN_AUDIT_LOCK_SPACE);
		(void) LockAcquire(&tag, ExclusiveLock, false, false);
		have_head = audit_lock_head(chain_rel, chain_index, customer_id,
									headslot, wait, busy);
		if (!have_head)
		{
			created = audit_create_head(customer_id, owner, &created_tid);
			if (!created)
			{
				/* A concurrent starter's head was committed meanwhile. */
				CommandCounterIncrement();
				have_head = audit_lock_head(chain_rel, chain_index,
											customer_id, headslot,
											wait, busy);
				if (!have_head)
					ereport(ERROR,
							(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
							 errmsg("could not serialize access to the audit chain of %s",
									customer_id ? psprintf("customer \"%s\"", customer_id) :
									"the configuration")));
			}
		}
		LockRelease(&tag, ExclusiveLock, false);
	}
	if (have_head || created)
		head = audit_remember_head(customer_id, chain_key, headslot,
								   created ? &created_tid : NULL,
								   chain_attnums, chain_relid);
	ExecDropSingleTupleTableSlot(headslot);
	table_close(chain_rel, NoLock);
	return head;
}

/*
 * churnwarn_audit_hold
 *		Take the head of customer_id's audit chain for this transaction,
 *		before its grade row.  That is the order a signal's statement takes
 *		them in (its audit rows are written, and their heads taken, before
 *		grading locks the grade row), so a workflow step, regrade() or tick,
 *		which lock the grade row and then write audit rows, take the head
 *		first: else a signal holding the head and waiting for the grade row,
 *		and the step holding the grade row and then needing the head,
 *		deadlock.  Returns false only with skip_locked, when another
 *		transaction holds the head.  A chain that has no head yet is not
 *		started here (an empty head nobody appends to would be left behind):
 *		true, nothing taken.
 */
bool
churnwarn_audit_hold(const char *customer_id, bool skip_locked)
{
	uint64		chain_key;
	bool		busy = false;

	audit_init();
	chain_key = audit_chain_key(customer_id);
	if (audit_head_find(customer_id, chain_key) == NULL)
		(void) audit_take_head(customer_id, chain_key,
							   skip_locked ? LockWaitSkip : LockWaitBlock,
							   false, &busy);
	return !busy;
}

/* Whether this transaction holds the head of customer_id's audit chain. */
bool
churnwarn_audit_held(const char *customer_id)
{
	return audit_head_find(customer_id, audit_chain_key(customer_id)) != NULL;
}

PG_FUNCTION_INFO_V1(churnwarn_hold_chain);

/*
 * churnwarn_hold_chain
 *		hold_chain(customer_id text, skip_locked boolean DEFAULT false) ->
 *		boolean: churnwarn_audit_hold() for SQL (workflow steps, tick).
 */
Datum
churnwarn_hold_chain(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("customer_id must not be null")));
	PG_RETURN_BOOL(churnwarn_audit_hold(text_to_cstring(PG_GETARG_TEXT_PP(0)),
										!PG_ARGISNULL(1) && PG_GETARG_BOOL(1)));
}

/*
 * sha256_bytes
 *		SHA-256 of a buffer.
 *
 * Every audit row hashes two or three times (the row, and the image or
 * the two images of an update), so the per-hash overhead counts.  On a
 * server built with OpenSSL the digest is fetched once per backend and one
 * context is reused: pg_cryptohash_init() passes EVP_sha256(), which makes
 * OpenSSL 3 look the implementation up again (under a lock) for every hash,
 * twice the cost of hashing a 200-byte row image.  The context is not tied
 * to a transaction; EVP_DigestInit_ex() resets whatever an error left in
 * it.  Other builds use PostgreSQL's cryptohash API, one context per
 * transaction.
 */
#ifdef USE_OPENSSL
static void
sha256_bytes(const char *data, size_t len, uint8 *out)
{
	static EVP_MD_CTX *ctx = NULL;
	static const EVP_MD *md = NULL;

	if (md == NULL)
	{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
		md = EVP_MD_fetch(NULL, "SHA256", NULL);
#else
		md = EVP_sha256();
#endif
		if (md == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
					 errmsg("could not load the %s digest", "SHA256")));
	}
	if (ctx == NULL && (ctx = EVP_MD_CTX_new()) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	if (EVP_DigestInit_ex(ctx, md, NULL) != 1 ||
		EVP_DigestUpdate(ctx, data, len) != 1 ||
		EVP_DigestFinal_ex(ctx, out, NULL) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("could not compute %s hash", "SHA256")));
}

/* Nothing to release: the context above lives as long as the backend. */
static void
audit_sha256_release(void)
{
}
#else							/* !USE_OPENSSL */
/*
 * audit_sha256_begin
 *		A SHA-256 context, initialized.  One context serves the whole
 *		transaction: it belongs to the top transaction's resource owner, so
 *		a subtransaction's abort leaves it alone, and it is freed when the
 *		transaction ends (audit_sha256_release).
 */
static pg_cryptohash_ctx *
audit_sha256_begin(void)
{
	if (audit_sha256_ctx == NULL)
	{
		ResourceOwner saved = CurrentResourceOwner;
		MemoryContext oldcxt;

		audit_init();			/* the callback that frees it */
		/* the transaction's context: builds without OpenSSL palloc it */
		oldcxt = MemoryContextSwitchTo(TopTransactionContext);
		CurrentResourceOwner = TopTransactionResourceOwner;
		audit_sha256_ctx = pg_cryptohash_create(PG_SHA256);
		CurrentResourceOwner = saved;
		MemoryContextSwitchTo(oldcxt);
		if (audit_sha256_ctx == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory")));
	}
	if (pg_cryptohash_init(audit_sha256_ctx) < 0)
		elog(ERROR, "could not initialize %s context: %s", "SHA256",
			 pg_cryptohash_error(audit_sha256_ctx));
	return audit_sha256_ctx;
}

/* Free the transaction's SHA-256 context, if any. */
static void
audit_sha256_release(void)
{
	if (audit_sha256_ctx != NULL)
	{
		pg_cryptohash_ctx *ctx = audit_sha256_ctx;

		audit_sha256_ctx = NULL;
		pg_cryptohash_free(ctx);
	}
}

static void
sha256_bytes(const char *data, size_t len, uint8 *out)
{
	pg_cryptohash_ctx *ctx = audit_sha256_begin();

	if (pg_cryptohash_update(ctx, (const uint8 *) data, len) < 0 ||
		pg_cryptohash_final(ctx, out, PG_SHA256_DIGEST_LENGTH) < 0)
		elog(ERROR, "could not compute %s hash: %s", "SHA256",
			 pg_cryptohash_error(ctx));
}
#endif							/* USE_OPENSSL */

/*
 * put_field
 *		Append one length-prefixed field; len -1 encodes NULL.
 */
static void
put_field(StringInfo buf, const void *data, int len)
{
	uint32		be = pg_hton32((uint32) len);

	appendBinaryStringInfo(buf, (const char *) &be, sizeof(be));
	if (len > 0)
		appendBinaryStringInfo(buf, (const char *) data, len);
}

/*
 * put_text
 *		Append a C string (or NULL) as a field.
 */
static void
put_text(StringInfo buf, const char *value)
{
	if (value == NULL)
		put_field(buf, NULL, -1);
	else
		put_field(buf, value, (int) strlen(value));
}

/*
 * put_int64
 *		Append an integer as an 8-byte big-endian field.
 */
static void
put_int64(StringInfo buf, int64 value)
{
	uint64		be = pg_hton64((uint64) value);

	put_field(buf, &be, sizeof(be));
}

/*
 * audit_new_salt
 *		A fresh random salt.  Drawn from a per-backend buffer of bytes from
 *		pg_strong_random(), refilled 256 salts at a time: one call to the
 *		system's generator costs as much for 4 kB as for 16 bytes.  Every
 *		byte is handed out once; the buffer is wiped as it is used.
 */
static void
audit_new_salt(uint8 *salt)
{
	static uint8 pool[CHURNWARN_AUDIT_SALT_LEN * 256];
	static int	pool_used = sizeof(pool);

	if (pool_used + CHURNWARN_AUDIT_SALT_LEN > (int) sizeof(pool))
	{
		if (!pg_strong_random(pool, sizeof(pool)))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate random salt")));
		pool_used = 0;
	}
	memcpy(salt, pool + pool_used, CHURNWARN_AUDIT_SALT_LEN);
	explicit_bzero(pool + pool_used, CHURNWARN_AUDIT_SALT_LEN);
	pool_used += CHURNWARN_AUDIT_SALT_LEN;
}

/*
 * audit_put_scalar
 *		Append the canonical encoding of one jsonb scalar: a type byte, then
 *		a string as a length-prefixed field, a number as numeric's binary
 *		send format (network byte order) in a field.
 */
static void
audit_put_scalar(StringInfo buf, const JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			appendStringInfoChar(buf, 'n');
			break;
		case jbvBool:
			appendStringInfoChar(buf, v->val.boolean ? 't' : 'f');
			break;
		case jbvString:
			appendStringInfoChar(buf, 's');
			put_field(buf, v->val.string.val, v->val.string.len);
			break;
		case jbvNumeric:
			{
				bytea	   *b = DatumGetByteaPP(DirectFunctionCall1(numeric_send,
																	NumericGetDatum(v->val.numeric)));

				appendStringInfoChar(buf, 'd');
				put_field(buf, VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
				pfree(b);
			}
			break;
		default:
			elog(ERROR, "unexpected jsonb value of type %d in an audit row image",
				 (int) v->type);
	}
}

/*
 * audit_put_container
 *		Append the canonical encoding of a jsonb container: its tokens in
 *		jsonb's order (keys sorted), each container opened and closed by a
 *		byte, each key and scalar as audit_put_scalar writes it.
 */
static void
audit_put_container(StringInfo buf, JsonbContainer *container)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	it = JsonbIteratorInit(container);
	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		switch (tok)
		{
			case WJB_BEGIN_OBJECT:
				appendStringInfoChar(buf, '{');
				break;
			case WJB_END_OBJECT:
				appendStringInfoChar(buf, '}');
				break;
			case WJB_BEGIN_ARRAY:
				/* a scalar document is a one-element "raw scalar" array */
				appendStringInfoChar(buf, v.val.array.rawScalar ? '=' : '[');
				break;
			case WJB_END_ARRAY:
				appendStringInfoChar(buf, ']');
				break;
			case WJB_KEY:
				appendStringInfoChar(buf, ':');
				audit_put_scalar(buf, &v);
				break;
			case WJB_VALUE:
			case WJB_ELEM:
				audit_put_scalar(buf, &v);
				break;
			default:
				elog(ERROR, "unexpected jsonb token %d in an audit row image", (int) tok);
		}
	}
}

/*
 * audit_image_digest
 *		SHA-256 over the fields salt and the canonical encoding of the jsonb
 *		row image (audit_put_container).  The encoding depends only on the
 *		value, not on jsonb's binary layout or the machine's byte order, so
 *		an image verifies after dump/restore and pg_upgrade on any server;
 *		it spares printing every image as text.
 */
static void
audit_image_digest(const uint8 *salt, int salt_len, Jsonb *image, uint8 *out)
{
	StringInfoData buf;

	initStringInfo(&buf);
	put_field(&buf, salt, salt_len);
	audit_put_container(&buf, &image->root);
	sha256_bytes(buf.data, buf.len, out);
	pfree(buf.data);
}

/*
 * The canonical encoding of an image written while the image is built
 * (audit_row_image), so that its digest needs no second walk over the
 * finished jsonb: the encoding audit_image_digest computes, after room for
 * the salt's field, which is drawn only when the row is appended.
 */
#define AUDIT_CANON_SALT_FIELD	(sizeof(uint32) + CHURNWARN_AUDIT_SALT_LEN)

static void
audit_canon_begin(StringInfo canon)
{
	static const uint8 no_salt[CHURNWARN_AUDIT_SALT_LEN] = {0};

	initStringInfo(canon);
	put_field(canon, no_salt, sizeof(no_salt));
}

/* The digest of the image encoded in canon under salt (as audit_image_digest). */
static void
audit_canon_digest(StringInfo canon, const uint8 *salt, uint8 *out)
{
	/* the salt into its field, after the field's length */
	Assert(canon->len >= (int) AUDIT_CANON_SALT_FIELD);
	memcpy(canon->data + sizeof(uint32), salt, CHURNWARN_AUDIT_SALT_LEN);
	sha256_bytes(canon->data, canon->len, out);
}

/* An image's digest: from its encoding if the caller wrote one, else by a walk. */
static void
audit_row_digest(const uint8 *salt, Jsonb *image, StringInfo canon, uint8 *out)
{
	if (canon != NULL)
		audit_canon_digest(canon, salt, out);
	else
		audit_image_digest(salt, CHURNWARN_AUDIT_SALT_LEN, image, out);
}

/*
 * audit_entry_hash
 *		The row hash of format churnwarn.audit.v1 (see the file header).
 */
static void
audit_entry_hash(const ChurnwarnAuditEntry *entry, uint8 *out)
{
	StringInfoData buf;

	initStringInfo(&buf);
	put_text(&buf, CHURNWARN_AUDIT_FORMAT);
	put_text(&buf, entry->customer_id);
	put_int64(&buf, entry->seq);
	put_int64(&buf, entry->id);
	put_int64(&buf, (int64) entry->at);
	put_text(&buf, entry->actor);
	put_text(&buf, entry->table_name);
	put_text(&buf, entry->operation);
	put_text(&buf, entry->row_key);
	put_field(&buf, entry->old_digest, entry->old_digest_len);
	put_field(&buf, entry->new_digest, entry->new_digest_len);
	put_field(&buf, entry->prev_hash, entry->prev_hash_len);
	sha256_bytes(buf.data, buf.len, out);
	pfree(buf.data);
}

/*
 * audit_prepare
 *		Prepare a statement and keep its plan for the life of the backend.
 */
static SPIPlanPtr
audit_prepare(const char *sql, int nargs, Oid *argtypes)
{
	SPIPlanPtr	plan;

	plan = SPI_prepare(sql, nargs, argtypes);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");
	return plan;
}


/*
 * churnwarn_audit_append
 *		Append one row to the chain of customer_id (NULL: configuration) in
 *		the current transaction, and move the chain head (in memory; the head
 *		row is written before commit, audit_flush_heads).
 *
 * The row is written directly through the executor's single-relation
 * routines (as logical replication applies a change): no statement is
 * planned or started, the log's indexes are maintained, its constraints
 * checked and any trigger on it fired.
 * Neither permissions nor row security apply, as for the statements core's
 * foreign key triggers run as the table owner: the roles that change data
 * need no privilege on the log and cannot write it directly.
 */
void
churnwarn_audit_append(const char *customer_id, const char *table_name,
					   const char *operation, const char *row_key,
					   Jsonb *old_row, Jsonb *new_row)
{
	audit_append(customer_id, table_name, operation, row_key, old_row, new_row,
				 NULL, NULL);
}

/*
 * audit_append
 *		churnwarn_audit_append, with the canonical encodings of the images
 *		(audit_canon_begin) where the caller wrote them as it built the
 *		images; NULL: the digest walks the image.
 */
static void
audit_append(const char *customer_id, const char *table_name,
			 const char *operation, const char *row_key,
			 Jsonb *old_row, Jsonb *new_row,
			 StringInfo old_canon, StringInfo new_canon)
{
	ChurnwarnAuditEntry entry;
	uint8		salt[CHURNWARN_AUDIT_SALT_LEN];
	uint8		old_digest[PG_SHA256_DIGEST_LENGTH];
	uint8		new_digest[PG_SHA256_DIGEST_LENGTH];
	uint8		hash[PG_SHA256_DIGEST_LENGTH];
	uint8		prev_hash[PG_SHA256_DIGEST_LENGTH];
	Datum		values[AUDIT_LOG_NCOLS];
	bool		nulls[AUDIT_LOG_NCOLS];
	AttrNumber	log_attnums[AUDIT_LOG_NCOLS];
	ChurnwarnAuditHead *known;
	Oid			log_relid;
	Oid			seq_relid;
	Relation	log_rel;
	EState	   *estate;
	ResultRelInfo *ri_log;
	TupleTableSlot *slot;
	Snapshot	snapshot = NULL;
	char	   *actor;
	AuditBatch *saved_batch = audit_batch;
	AuditBatch *batch = NULL;

	audit_init();

	/* Everything that does not need the chain is done before the lock. */
	actor = pstrdup(churnwarn_actor_name());
	memset(&entry, 0, sizeof(entry));
	entry.customer_id = customer_id;
	entry.at = GetCurrentTransactionStartTimestamp();
	entry.actor = actor;
	entry.table_name = table_name;
	entry.operation = operation;
	entry.row_key = row_key;
	entry.old_digest_len = -1;
	entry.new_digest_len = -1;
	entry.prev_hash_len = -1;

	if (old_row != NULL || new_row != NULL)
	{
		audit_new_salt(salt);
		if (old_row != NULL)
		{
			audit_row_digest(salt, old_row, old_canon, old_digest);
			entry.old_digest = old_digest;
			entry.old_digest_len = sizeof(old_digest);
		}
		if (new_row != NULL)
		{
			audit_row_digest(salt, new_row, new_canon, new_digest);
			entry.new_digest = new_digest;
			entry.new_digest_len = sizeof(new_digest);
		}
	}

	/* Copied: an invalidation may reset the cached OIDs at any time. */
	audit_lookup_objects();
	log_relid = audit_log_relid;
	seq_relid = audit_seq_relid;
	memcpy(log_attnums, audit_log_attnums, sizeof(log_attnums));

	/*
	 * Make the previous appends of this transaction visible to the head
	 * lookup and to the head update, as a statement run through SPI would.
	 */
	CommandCounterIncrement();
	/*
	 * The statement's batch, if any, is this append's alone: an append
	 * nested in it (a trigger on the audit log writing to an audited table)
	 * sets up its own write instead of sharing the slot in use.  An error
	 * leaves the batch to audit_inserted_rows, which forgets it.
	 */
	if (saved_batch != NULL && saved_batch->log_relid == log_relid &&
		saved_batch->owner == CurrentResourceOwner &&
		saved_batch->subid == GetCurrentSubTransactionId())
		batch = saved_batch;
	audit_batch = NULL;
	log_rel = batch ? batch->log_rel : table_open(log_relid, RowExclusiveLock);

	/*
	 * The head: remembered if this transaction holds the chain already (it
	 * still holds the head's row lock then), else locked now; a chain
	 * without a head is started.
	 */
	if (batch != NULL && batch->hint != NULL &&
		audit_head_is(batch->hint, customer_id))
		known = batch->hint;
	else
		known = audit_head_find(customer_id, audit_chain_key(customer_id));
	if (known != NULL && known->busy)
		audit_chain_reentered(customer_id);
	if (known == NULL)
	{
		bool		busy = false;

		known = audit_take_head(customer_id, audit_chain_key(customer_id),
								LockWaitBlock, true, &busy);
	}
	entry.seq = known->n_rows + 1;
	if (known->n_rows > 0)
	{
		memcpy(prev_hash, known->last_hash, sizeof(prev_hash));
		entry.prev_hash = prev_hash;
		entry.prev_hash_len = PG_SHA256_DIGEST_LENGTH;
	}

	/* Drawn under the chain's lock, so ids increase along every chain. */
	entry.id = nextval_internal(seq_relid, false);
	audit_entry_hash(&entry, hash);

	if (batch)
	{
		estate = batch->estate;
		ri_log = batch->ri;
	}
	else
	{
		snapshot = RegisterSnapshot(GetLatestSnapshot());
		estate = audit_begin_write(log_rel, snapshot, &ri_log);
	}

	/* The row. */
	values[0] = Int64GetDatum(entry.id);
	values[1] = TimestampTzGetDatum(entry.at);
	values[2] = CStringGetTextDatum(actor);
	values[3] = CStringGetTextDatum(table_name);
	values[4] = CStringGetTextDatum(operation);
	values[5] = row_key ? CStringGetTextDatum(row_key) : (Datum) 0;
	values[6] = customer_id ? CStringGetTextDatum(customer_id) : (Datum) 0;
	values[7] = PointerGetDatum(old_row);
	values[8] = PointerGetDatum(new_row);
	values[9] = (old_row || new_row) ? bytea_from(salt, sizeof(salt)) : (Datum) 0;
	values[10] = old_row ? bytea_from(old_digest, sizeof(old_digest)) : (Datum) 0;
	values[11] = new_row ? bytea_from(new_digest, sizeof(new_digest)) : (Datum) 0;
	values[12] = Int64GetDatum(entry.seq);
	values[13] = entry.prev_hash ? bytea_from(entry.prev_hash, entry.prev_hash_len) : (Datum) 0;
	values[14] = bytea_from(hash, sizeof(hash));
	memset(nulls, false, sizeof(nulls));
	nulls[5] = (row_key == NULL);
	nulls[6] = (customer_id == NULL);
	nulls[7] = (old_row == NULL);
	nulls[8] = (new_row == NULL);
	nulls[9] = (old_row == NULL && new_row == NULL);
	nulls[10] = (old_row == NULL);
	nulls[11] = (new_row == NULL);
	nulls[13] = (entry.prev_hash == NULL);

	slot = batch ? batch->slot :
		ExecInitExtraTupleSlot(estate, RelationGetDescr(log_rel), &TTSOpsVirtual);
	audit_store_row(slot, log_attnums, values, nulls, AUDIT_LOG_NCOLS);
	audit_insert_row(known, batch, ri_log, estate, slot);

	/*
	 * The head moves to this row in memory, its row is written just before
	 * commit (audit_flush_heads); first, where it was, for a rollback to a
	 * savepoint (audit_head_save).
	 */
	audit_head_save(known);
	known->n_rows = entry.seq;
	known->last_id = entry.id;
	memcpy(known->last_hash, hash, PG_SHA256_DIGEST_LENGTH);
	known->dirty = true;

	if (batch)
	{
		ExecClearTuple(slot);
		ResetPerTupleExprContext(estate);
	}
	else
	{
		audit_end_write(estate);
		UnregisterSnapshot(snapshot);
		table_close(log_rel, NoLock);
	}
	audit_batch = saved_batch;
}

/*
 * audit_push_jsonb
 *		Push a jsonb document as the value of the current key: a scalar
 *		document as its scalar, a container piece by piece; append its
 *		canonical encoding to canon, if given.
 */
static void
audit_push_jsonb(JsonbParseState **state, JsonbValue **res, Jsonb *doc,
				 StringInfo canon)
{
	JsonbValue	v;

	if (JB_ROOT_IS_SCALAR(doc))
	{
		if (!JsonbExtractScalar(&doc->root, &v))
			elog(ERROR, "could not extract the scalar of a jsonb value");
		if (canon)
			audit_put_scalar(canon, &v);
	}
	else
	{
		v.type = jbvBinary;
		v.val.binary.data = &doc->root;
		v.val.binary.len = VARSIZE(doc) - VARHDRSZ;
		if (canon)
			audit_put_container(canon, &doc->root);
	}
	*res = pushJsonbValue(state, WJB_VALUE, &v);
}

/*
 * audit_row_image
 *		The row as jsonb: the same document as SQL's to_jsonb(row), built
 *		from the relation's cached column conversions (audit_rel_columns)
 *		instead of looking every column's type up again for every row.
 *		With canon (audit_canon_begin), its canonical encoding is appended
 *		as each token is pushed: the keys are pushed in jsonb's order, so
 *		the tokens come in the order the finished image will give them.
 */
static Jsonb *
audit_row_image(const ChurnwarnAuditRel *entry, HeapTuple tuple,
				TupleDesc tupdesc, StringInfo canon)
{
	JsonbParseState *state = NULL;
	JsonbValue *res;
	Datum	   *values = palloc(sizeof(Datum) * tupdesc->natts);
	bool	   *nulls = palloc(sizeof(bool) * tupdesc->natts);
	int			i;

	heap_deform_tuple(tuple, tupdesc, values, nulls);
	res = pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	if (canon)
		appendStringInfoChar(canon, '{');
	for (i = 0; i < entry->ncols; i++)
	{
		const AuditCol *col = &entry->cols[i];
		Datum		value = values[col->attnum - 1];
		JsonbValue	v;
		char	   *str;

		v.type = jbvString;
		v.val.string.val = (char *) col->name;
		v.val.string.len = strlen(col->name);
		res = pushJsonbValue(&state, WJB_KEY, &v);
		if (canon)
		{
			appendStringInfoChar(canon, ':');
			audit_put_scalar(canon, &v);
		}

		if (nulls[col->attnum - 1])
		{
			v.type = jbvNull;
			res = pushJsonbValue(&state, WJB_VALUE, &v);
			if (canon)
				audit_put_scalar(canon, &v);
			continue;
		}
		switch (col->kind)
		{
			case ACK_TEXT:
				{
					text	   *t = DatumGetTextPP(value);

					v.type = jbvString;
					v.val.string.val = VARDATA_ANY(t);
					v.val.string.len = VARSIZE_ANY_EXHDR(t);
				}
				break;
			case ACK_INT:
				v.type = jbvNumeric;
				v.val.numeric = int64_to_numeric(col->typlen == 2 ? DatumGetInt16(value) :
												 col->typlen == 4 ? DatumGetInt32(value) :
												 DatumGetInt64(value));
				break;
			case ACK_NUMBER:
				str = OutputFunctionCall((FmgrInfo *) &col->func, value);
				if (IsValidJsonNumber(str, strlen(str)))
				{
					v.type = jbvNumeric;
					v.val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in,
																		CStringGetDatum(str),
																		ObjectIdGetDatum(InvalidOid),
																		Int32GetDatum(-1)));
				}
				else
				{
					v.type = jbvString;
					v.val.string.val = str;
					v.val.string.len = strlen(str);
				}
				break;
			case ACK_BOOL:
				v.type = jbvBool;
				v.val.boolean = DatumGetBool(value);
				break;
			case ACK_DATETIME:
				str = JsonEncodeDateTime(NULL, value, col->basetype, NULL);
				v.type = jbvString;
				v.val.string.val = str;
				v.val.string.len = strlen(str);
				break;
			case ACK_JSONB:
				audit_push_jsonb(&state, &res, DatumGetJsonbP(value), canon);
				continue;
			case ACK_STRING:
				str = OutputFunctionCall((FmgrInfo *) &col->func, value);
				v.type = jbvString;
				v.val.string.val = str;
				v.val.string.len = strlen(str);
				break;
			case ACK_GENERIC:
				audit_push_jsonb(&state, &res,
								 DatumGetJsonbP(FunctionCall1((FmgrInfo *) &col->func, value)),
								 canon);
				continue;
		}
		res = pushJsonbValue(&state, WJB_VALUE, &v);
		if (canon)
			audit_put_scalar(canon, &v);
	}
	res = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	if (canon)
		appendStringInfoChar(canon, '}');
	pfree(values);
	pfree(nulls);
	return JsonbValueToJsonb(res);
}

/*
 * audit_row_key
 *		The changed row's key as text: its primary key (a composite key as a
 *		row literal), else its customer key, else NULL.
 */
static char *
audit_row_key(ChurnwarnAuditRel *entry, HeapTuple tuple, TupleDesc tupdesc,
			  const char *customer_id)
{
	StringInfoData buf;
	Datum		value;
	bool		isnull;
	int			i;

	if (entry->nkeys == 0)
		return customer_id ? pstrdup(customer_id) : NULL;

	if (entry->nkeys == 1)
	{
		value = heap_getattr(tuple, entry->key_attnums[0], tupdesc, &isnull);
		return isnull ? NULL : OidOutputFunctionCall(entry->key_typoutput[0], value);
	}

	/* Quoted like record_out, so that the literal is unambiguous. */
	initStringInfo(&buf);
	appendStringInfoChar(&buf, '(');
	for (i = 0; i < entry->nkeys; i++)
	{
		char	   *text;
		char	   *p;

		if (i > 0)
			appendStringInfoChar(&buf, ',');
		value = heap_getattr(tuple, entry->key_attnums[i], tupdesc, &isnull);
		if (isnull)
			continue;
		text = OidOutputFunctionCall(entry->key_typoutput[i], value);
		appendStringInfoChar(&buf, '"');
		for (p = text; *p; p++)
		{
			if (*p == '"' || *p == '\\')
				appendStringInfoChar(&buf, *p);
			appendStringInfoChar(&buf, *p);
		}
		appendStringInfoChar(&buf, '"');
	}
	appendStringInfoChar(&buf, ')');
	return buf.data;
}

/*
 * audit_row_change
 *		Record one row change: find the chain, the key and the images, and
 *		append.  UPDATE and INSERT are filed under the new row's customer,
 *		DELETE under the old row's.
 */
static void
audit_row_change(Relation rel, const char *operation, HeapTuple oldtup,
				 HeapTuple newtup)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	ChurnwarnAuditRel relinfo;
	ChurnwarnAuditRel *entry = &relinfo;
	HeapTuple	keytup = newtup ? newtup : oldtup;
	char	   *customer_id = NULL;
	char	   *row_key;
	Jsonb	   *old_row = NULL;
	Jsonb	   *new_row = NULL;
	StringInfoData old_canon;
	StringInfoData new_canon;

	audit_init();

	/*
	 * A copy: catalog lookups below may process invalidations, and the
	 * relcache callback may then remove the cache entry.
	 */
	memcpy(&relinfo, audit_rel_get(rel), sizeof(relinfo));

	if (entry->customer_attnum > 0)
	{
		bool		isnull;
		Datum		value;

		value = heap_getattr(keytup, entry->customer_attnum, tupdesc, &isnull);
		if (!isnull)
			customer_id = OidOutputFunctionCall(entry->customer_typoutput, value);
	}
	row_key = audit_row_key(entry, keytup, tupdesc, customer_id);

	if (oldtup != NULL)
	{
		audit_canon_begin(&old_canon);
		old_row = audit_row_image(entry, oldtup, tupdesc, &old_canon);
	}
	if (newtup != NULL)
	{
		audit_canon_begin(&new_canon);
		new_row = audit_row_image(entry, newtup, tupdesc, &new_canon);
	}

	audit_append(customer_id, entry->table_name, operation, row_key,
				 old_row, new_row, oldtup ? &old_canon : NULL,
				 newtup ? &new_canon : NULL);
}

/* A chain a statement's rows go to (audit_hold_heads). */
typedef struct AuditChainSeen
{
	uint64		key;			/* hash key: the chain key */
	const char *customer_id;	/* NULL: the configuration chain */
	int			len;			/* strlen(customer_id) */
	struct AuditChainSeen *next;	/* another chain with the same key */
	uint32		ordinal;		/* in the order first seen, from 0 */
} AuditChainSeen;

/* Whether chain is the chain of the len bytes at key (NULL: the configuration chain). */
static inline bool
audit_seen_is(const AuditChainSeen *chain, const char *key, int len)
{
	if (key == NULL || chain->customer_id == NULL)
		return key == chain->customer_id;
	return chain->len == len && memcmp(chain->customer_id, key, len) == 0;
}

/*
 * The head each of a statement's first n rows goes to: heads[row[i]] for
 * row i (audit_hold_heads).
 */
typedef struct AuditHints
{
	int64		n;
	uint32	   *row;			/* per row: its chain's ordinal */
	ChurnwarnAuditHead **heads; /* per chain ordinal: the head */
} AuditHints;

/* qsort comparator: chains in key order, the configuration chain first. */
static int
audit_chain_cmp(const void *a, const void *b)
{
	const char *x = (*(AuditChainSeen *const *) a)->customer_id;
	const char *y = (*(AuditChainSeen *const *) b)->customer_id;

	if (x == NULL || y == NULL)
		return (x != NULL) - (y != NULL);
	return strcmp(x, y);
}

/*
 * audit_hold_heads
 *		Before a statement's rows are appended: take the heads of all the
 *		chains they go to that this transaction does not hold yet, in key
 *		order (the byte order of the customer key, the order grading locks
 *		grade rows in).  The rows are then appended in the order they were
 *		inserted, under locks already held, so two statements that write
 *		signals of the same customers in different orders queue on their
 *		first common customer instead of deadlocking.
 *
 *		Fills hints (allocated in the caller's memory context) with the
 *		head each row goes to, in the store's order, so that appending them
 *		needs no second lookup of the head by key (a cache miss or two per
 *		row in a transaction holding 100,000 chains).  At most work_mem is
 *		spent on the per-row part, four bytes a row; rows beyond it look
 *		their head up as any append does.
 */
static void
audit_hold_heads(Relation rel, Tuplestorestate *rows, TupleTableSlot *slot,
				 AttrNumber customer_attnum, Oid customer_typoutput,
				 AuditHints *hints)
{
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "churnwarn audit chains",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	HASHCTL		ctl;
	HTAB	   *seen;
	AuditChainSeen **chains;
	int64		max_hints;
	int64		n_rows = 0;
	int			n = 0;
	int			max = 64;
	AuditChainSeen *previous = NULL;
	int			i;

	max_hints = Min(tuplestore_tuple_count(rows),
					(int64) work_mem * 1024 / (int64) sizeof(uint32));
	hints->row = MemoryContextAllocHuge(caller, Max(max_hints, 1) * sizeof(uint32));

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(uint64);
	ctl.entrysize = sizeof(AuditChainSeen);
	ctl.hcxt = cxt;
	seen = hash_create("churnwarn audit chains of a statement", 256, &ctl,
					   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	chains = palloc(max * sizeof(AuditChainSeen *));

	tuplestore_rescan(rows);
	while (tuplestore_gettupleslot(rows, true, false, slot))
	{
		bool		isnull;
		Datum		value = slot_getattr(slot, customer_attnum, &isnull);
		char	   *customer_id = NULL;	/* the key's bytes, not terminated */
		int			len = 0;
		void	   *copy = NULL;	/* what reading the key allocated */
		uint64		key;
		AuditChainSeen *entry;
		bool		found;

		/* a text key is read in place; another type's is printed */
		if (!isnull && customer_typoutput == F_TEXTOUT)
		{
			text	   *t = DatumGetTextPP(value);

			if ((Pointer) t != DatumGetPointer(value))
				copy = t;
			customer_id = VARDATA_ANY(t);
			len = VARSIZE_ANY_EXHDR(t);
		}
		else if (!isnull)
		{
			customer_id = copy = OidOutputFunctionCall(customer_typoutput, value);
			len = strlen(customer_id);
		}
		/* rows of one customer often come together */
		if (previous != NULL && audit_seen_is(previous, customer_id, len))
		{
			entry = previous;
			goto next;
		}
		key = customer_id ? audit_chain_key_bytes(customer_id, len) : 0;
		entry = hash_search(seen, &key, HASH_ENTER, &found);
		if (found)
		{
			AuditChainSeen *e;

			for (e = entry; e != NULL; e = e->next)
				if (audit_seen_is(e, customer_id, len))
					break;
			if (e != NULL)
			{
				/* seen before: memory grows with customers, not rows */
				entry = e;
				goto next;
			}
			e = palloc(sizeof(AuditChainSeen));
			e->key = key;
			e->next = entry->next;
			entry->next = e;
			entry = e;
		}
		else
			entry->next = NULL;
		entry->customer_id = customer_id ? pnstrdup(customer_id, len) : NULL;
		entry->len = len;
		entry->ordinal = n;
		if (n == max)
		{
			max *= 2;
			chains = repalloc_huge(chains, max * sizeof(AuditChainSeen *));
		}
		chains[n++] = entry;
next:
		if (copy != NULL)
			pfree(copy);
		previous = entry;
		if (n_rows < max_hints)
			hints->row[n_rows] = entry->ordinal;
		n_rows++;
		CHECK_FOR_INTERRUPTS();
	}

	hints->n = Min(n_rows, max_hints);
	hints->heads = MemoryContextAllocHuge(caller, Max(n, 1) * sizeof(ChurnwarnAuditHead *));
	qsort(chains, n, sizeof(AuditChainSeen *), audit_chain_cmp);
	MemoryContextSwitchTo(old);
	for (i = 0; i < n; i++)
	{
		AuditChainSeen *chain = chains[i];
		ChurnwarnAuditHead *head = audit_head_find(chain->customer_id, chain->key);
		bool		busy = false;

		if (head == NULL)
			head = audit_take_head(chain->customer_id, chain->key, LockWaitBlock,
								   true, &busy);
		hints->heads[chain->ordinal] = head;
		CHECK_FOR_INTERRUPTS();
	}
	MemoryContextDelete(cxt);
}

/*
 * audit_inserted_rows
 *		The audit rows of an INSERT statement's rows, from its transition
 *		table, in the order they were inserted.
 */
static void
audit_inserted_rows(Relation rel, Tuplestorestate *rows)
{
	TupleTableSlot *slot;
	MemoryContext rowcxt;
	AuditBatch	batch;
	AuditBatch *outer = audit_batch;
	ChurnwarnAuditRel *entry;
	AuditHints	hints = {0};
	volatile int64 row = 0;		/* volatile: PG_TRY */

	if (tuplestore_tuple_count(rows) == 0)
		return;
	slot = MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsMinimalTuple);
	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "churnwarn audit row",
								   ALLOCSET_DEFAULT_SIZES);
	audit_init();
	audit_lookup_objects();
	entry = audit_rel_get(rel);
	if (tuplestore_tuple_count(rows) > 1 && entry->customer_attnum > 0)
		audit_hold_heads(rel, rows, slot, entry->customer_attnum,
						 entry->customer_typoutput, &hints);

	batch.log_relid = audit_log_relid;
	batch.log_rel = table_open(batch.log_relid, RowExclusiveLock);
	batch.snapshot = RegisterSnapshot(GetLatestSnapshot());
	batch.estate = audit_begin_write(batch.log_rel, batch.snapshot, &batch.ri);
	batch.slot = ExecInitExtraTupleSlot(batch.estate, RelationGetDescr(batch.log_rel),
										&TTSOpsVirtual);

	/*
	 * A heap log without BEFORE ROW triggers or generated columns is
	 * appended to with the page kept pinned (audit_batch_insert) by a
	 * statement of several rows; anything else goes through
	 * ExecSimpleRelationInsert (for one row the set-up would cost more than
	 * the pin saves).  No ring buffer: the log's
	 * pages stay in shared buffers like those of any other insert.  The pin
	 * belongs to this resource owner, so only appends made under it share
	 * the batch (not one nested in a subtransaction, say by a cast to json
	 * writing to an audited table while an image is built).  As with COPY,
	 * a VACUUM that must freeze the pinned page waits for the statement.
	 */
	batch.bistate = NULL;
	batch.owner = CurrentResourceOwner;
	batch.subid = GetCurrentSubTransactionId();
	batch.hint = NULL;
	if (tuplestore_tuple_count(rows) > 1 &&
		batch.log_rel->rd_tableam == GetHeapamTableAmRoutine() &&
		!batch.log_rel->rd_rel->relispartition &&
		!(batch.ri->ri_TrigDesc && batch.ri->ri_TrigDesc->trig_insert_before_row) &&
		!(batch.log_rel->rd_att->constr &&
		  batch.log_rel->rd_att->constr->has_generated_stored))
	{
		batch.bistate = GetBulkInsertState();
		FreeAccessStrategy(batch.bistate->strategy);
		batch.bistate->strategy = NULL;
	}

	/* an error leaves the batch to the transaction's abort */
	audit_batch = &batch;
	PG_TRY();
	{
		tuplestore_rescan(rows);
		while (tuplestore_gettupleslot(rows, true, false, slot))
		{
			MemoryContext old = MemoryContextSwitchTo(rowcxt);
			bool		should_free;
			HeapTuple	tuple = ExecFetchSlotHeapTuple(slot, false, &should_free);

			/* checked against the row's key before use (audit_head_is) */
			batch.hint = row < hints.n ? hints.heads[hints.row[row]] : NULL;
			row++;
			audit_row_change(rel, "INSERT", NULL, tuple);
			batch.hint = NULL;
			MemoryContextSwitchTo(old);
			MemoryContextReset(rowcxt);
			CHECK_FOR_INTERRUPTS();
		}
	}
	PG_FINALLY();
	{
		audit_batch = outer;
	}
	PG_END_TRY();

	if (batch.bistate != NULL)
		FreeBulkInsertState(batch.bistate);	/* drops the pin */
	audit_end_write(batch.estate);
	UnregisterSnapshot(batch.snapshot);
	table_close(batch.log_rel, NoLock);
	MemoryContextDelete(rowcxt);
	ExecDropSingleTupleTableSlot(slot);
	if (hints.row != NULL)
	{
		pfree(hints.row);
		pfree(hints.heads);
	}
}

PG_FUNCTION_INFO_V1(churnwarn_audit_trigger);

/*
 * churnwarn_audit_trigger
 *		AFTER ROW INSERT/UPDATE/DELETE: write the audit row of the change.
 *		AFTER INSERT FOR EACH STATEMENT with a NEW TABLE transition table:
 *		write the audit row of every inserted row (audit_inserted_rows).
 *		BEFORE STATEMENT TRUNCATE: refuse, since a truncation would remove
 *		rows without an audit row for each.
 */
Datum
churnwarn_audit_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata;
	const char *funcname = "churnwarn_audit_trigger";

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager",
						funcname)));
	trigdata = (TriggerData *) fcinfo->context;

	if (TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
	{
		if (!TRIGGER_FIRED_BEFORE(trigdata->tg_event))
			ereport(ERROR,
					(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
					 errmsg("function \"%s\" must be fired BEFORE TRUNCATE",
							funcname)));
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot truncate audited table \"%s\"",
						RelationGetRelationName(trigdata->tg_relation)),
				 errdetail("Every deletion from an audited table must leave an audit row."),
				 errhint("Use DELETE instead.")));
	}

	if (!TRIGGER_FIRED_AFTER(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired AFTER ROW", funcname)));
	if (TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event) &&
		TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) &&
		trigdata->tg_newtable != NULL && trigdata->tg_trigger->tgnargs == 0)
	{
		audit_inserted_rows(trigdata->tg_relation, trigdata->tg_newtable);
		return PointerGetDatum(NULL);
	}
	if (!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired AFTER ROW", funcname),
				 errhint("For each statement it audits only INSERT, with a NEW TABLE transition table.")));
	if (trigdata->tg_trigger->tgnargs != 0)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" takes no trigger arguments", funcname)));

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		audit_row_change(trigdata->tg_relation, "INSERT", NULL,
						 trigdata->tg_trigtuple);
	else if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		audit_row_change(trigdata->tg_relation, "UPDATE",
						 trigdata->tg_trigtuple, trigdata->tg_newtuple);
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		audit_row_change(trigdata->tg_relation, "DELETE",
						 trigdata->tg_trigtuple, NULL);
	else
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired for INSERT, UPDATE or DELETE",
						funcname)));

	return PointerGetDatum(NULL);
}

/*
 * audit_erasure_permits
 *		True if this UPDATE of an audit row is the erasure that
 *		churnwarn_audit_erase() is running: a row of the customer being
 *		erased, whose only change is that old_row, new_row and image_salt
 *		became NULL.
 */
static bool
audit_erasure_permits(Relation rel, HeapTuple oldtup, HeapTuple newtup)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	int			customer_attnum;
	Datum		value;
	bool		isnull;
	char	   *customer_id;
	int			i;

	if (audit_erasing_customer == NULL)
		return false;

	customer_attnum = SPI_fnumber(tupdesc, "customer_id");
	if (customer_attnum <= 0)
		return false;
	value = heap_getattr(oldtup, customer_attnum, tupdesc, &isnull);
	if (isnull)
		return false;
	customer_id = TextDatumGetCString(value);
	if (strcmp(customer_id, audit_erasing_customer) != 0)
		return false;

	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);
		const char *name = NameStr(att->attname);
		Datum		oldval;
		Datum		newval;
		bool		oldnull;
		bool		newnull;

		if (att->attisdropped)
			continue;
		oldval = heap_getattr(oldtup, att->attnum, tupdesc, &oldnull);
		newval = heap_getattr(newtup, att->attnum, tupdesc, &newnull);
		if (strcmp(name, "old_row") == 0 || strcmp(name, "new_row") == 0 ||
			strcmp(name, "image_salt") == 0)
		{
			if (!newnull)
				return false;
			continue;
		}
		if (oldnull != newnull)
			return false;
		if (!oldnull &&
			!datum_image_eq(oldval, newval, att->attbyval, att->attlen))
			return false;
	}
	return true;
}

/*
 * churnwarn_audit_log_guard
 *		BEFORE ROW UPDATE/DELETE and BEFORE STATEMENT TRUNCATE on
 *		churnwarn.audit_log: the log is append-only for every role, its owner
 *		and superusers included.
 *
 * SQLSTATE 55000 (object_not_in_prerequisite_state) rather than 42501
 * (insufficient_privilege): no privilege allows the change, so a privilege
 * error would point the reader at GRANT; the refusal is a property of the
 * table.  The only exception is the erasure run by churnwarn_audit_erase().
 */
PG_FUNCTION_INFO_V1(churnwarn_audit_log_guard);
Datum
churnwarn_audit_log_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata;
	const char *funcname = "churnwarn_audit_log_guard";

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager",
						funcname)));
	trigdata = (TriggerData *) fcinfo->context;
	if (!TRIGGER_FIRED_BEFORE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired BEFORE", funcname)));

	if (TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot truncate the audit log"),
				 errdetail("Table \"%s\" is append-only for every role, its owner and superusers included.",
						   "churnwarn.audit_log")));

	if (!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired for ROW", funcname)));

	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		if (audit_erasure_permits(trigdata->tg_relation,
								  trigdata->tg_trigtuple,
								  trigdata->tg_newtuple))
			return PointerGetDatum(trigdata->tg_newtuple);
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot update the audit log"),
				 errdetail("Table \"%s\" is append-only for every role, its owner and superusers included.",
						   "churnwarn.audit_log"),
				 errhint("Personal data are removed from the log only by churnwarn.forget().")));
	}
	if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot delete from the audit log"),
				 errdetail("Table \"%s\" is append-only for every role, its owner and superusers included.",
						   "churnwarn.audit_log")));

	ereport(ERROR,
			(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
			 errmsg("function \"%s\" must be fired for UPDATE, DELETE or TRUNCATE",
					funcname)));
	return PointerGetDatum(NULL);	/* keep compiler quiet */
}

/*
 * churnwarn_audit_erase
 *		audit_erase(customer_id text, reason text) returns bigint
 *
 * The erasure door for churnwarn.forget(): removes the row images and their
 * salts from the customer's audit rows (the digests stay, so the chain still
 * verifies and the removed data can no longer be tested against guesses),
 * then appends an ERASE row carrying the reason and the count.  The guard
 * trigger lets exactly this UPDATE through, via a flag that only this
 * function sets and that is cleared whatever happens.  Returns the number
 * of rows erased.
 */
PG_FUNCTION_INFO_V1(churnwarn_audit_erase);
Datum
churnwarn_audit_erase(PG_FUNCTION_ARGS)
{
	char	   *customer_id;
	char	   *reason;
	Datum		values[1];
	char		nulls[1] = {' '};
	Oid			owner;
	Oid			save_userid;
	int			save_sec_context;
	int			rc;
	uint64		erased;
	StringInfoData json;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("customer key must not be null")));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("reason for the erasure must not be null")));
	customer_id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	reason = text_to_cstring(PG_GETARG_TEXT_PP(1));

	audit_init();

	if ((rc = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));
	audit_lookup_objects();
	owner = audit_owner;
	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(owner,
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_NOFORCE_RLS);

	/*
	 * Take the chain's lock first, as a writer does: transactions still
	 * writing rows for this customer finish before the images are removed,
	 * and none can start until this transaction ends.
	 */
	if (plan_erase_lock == NULL)
	{
		Oid			argtypes[1] = {TEXTOID};

		plan_erase_lock = audit_prepare(
			"SELECT FROM churnwarn.audit_chain"
			" WHERE customer_id OPERATOR(pg_catalog.=) $1 FOR NO KEY UPDATE",
			1, argtypes);
	}
	values[0] = CStringGetTextDatum(customer_id);
	rc = SPI_execute_snapshot(plan_erase_lock, values, nulls,
							  GetLatestSnapshot(), InvalidSnapshot,
							  false, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_snapshot failed: %s", SPI_result_code_string(rc));

	if (plan_erase == NULL)
	{
		Oid			argtypes[1] = {TEXTOID};

		plan_erase = audit_prepare(
			"UPDATE churnwarn.audit_log SET old_row = NULL, new_row = NULL,"
			" image_salt = NULL WHERE customer_id OPERATOR(pg_catalog.=) $1"
			" AND (old_row IS NOT NULL OR new_row IS NOT NULL"
			" OR image_salt IS NOT NULL)", 1, argtypes);
	}

	values[0] = CStringGetTextDatum(customer_id);
	audit_erasing_customer = customer_id;
	PG_TRY();
	{
		/* The latest snapshot: every row committed before the lock. */
		rc = SPI_execute_snapshot(plan_erase, values, nulls,
								  GetLatestSnapshot(), InvalidSnapshot,
								  false, false, 0);
	}
	PG_FINALLY();
	{
		audit_erasing_customer = NULL;
	}
	PG_END_TRY();
	if (rc != SPI_OK_UPDATE)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	erased = SPI_processed;

	SetUserIdAndSecContext(save_userid, save_sec_context);
	if ((rc = SPI_finish()) != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed: %s", SPI_result_code_string(rc));

	/* The erasure itself is on the record, in the customer's chain. */
	initStringInfo(&json);
	appendStringInfoString(&json, "{\"reason\": ");
	escape_json(&json, reason);
	appendStringInfo(&json, ", \"erased_rows\": " UINT64_FORMAT "}", erased);
	churnwarn_audit_append(customer_id, "churnwarn.audit_log", "ERASE",
						   customer_id, NULL,
						   DatumGetJsonbP(DirectFunctionCall1(jsonb_in,
															  CStringGetDatum(json.data))));

	PG_RETURN_INT64((int64) erased);
}

/* State of verify_audit() along one chain. */
typedef struct ChurnwarnAuditVerifyChain
{
	bool		active;			/* a chain is being walked */
	char	   *customer_id;	/* its key (NULL: configuration chain) */
	int64		expected_seq;	/* seq the next row must carry */
	bytea	   *prev_hash;		/* stored hash of the previous row, NULL
								 * before the first row */
	int64		last_id;		/* id of the previous row */
	int64		bad;			/* first bad row of the chain, 0 if none */
	int64		pending_erased; /* first erased image not yet followed by an
								 * ERASE row, 0 if none */
	bool		head_found;		/* churnwarn.audit_chain has a head */
	int64		head_n_rows;	/* the head's n_rows */
	int64		head_last_id;	/* the head's last_id */
	bytea	   *head_last_hash; /* the head's last_hash */
} ChurnwarnAuditVerifyChain;

/*
 * verify_mark
 *		Remember a bad row of the current chain, keeping the first one.
 */
static void
verify_mark(ChurnwarnAuditVerifyChain *chain, int64 id)
{
	if (chain->bad == 0 || id < chain->bad)
		chain->bad = id;
}

/*
 * bytea_equal
 *		Whether two nullable bytea values are equal (NULL equals NULL).
 */
static bool
bytea_equal(bytea *a, bytea *b)
{
	if (a == NULL || b == NULL)
		return a == NULL && b == NULL;
	return VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) &&
		memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0;
}

/*
 * bytes_equal
 *		Whether a nullable bytea holds exactly the given bytes (len -1:
 *		NULL).
 */
static bool
bytes_equal(bytea *value, const uint8 *data, int len)
{
	if (value == NULL || len < 0)
		return value == NULL && len < 0;
	return VARSIZE_ANY_EXHDR(value) == (Size) len &&
		memcmp(VARDATA_ANY(value), data, len) == 0;
}

/*
 * verify_finish_chain
 *		Close the chain being walked: erased images need a later ERASE row,
 *		and the head must name the last row, its seq and its hash.  Returns
 *		the chain's first bad id, 0 if it verified.
 */
static int64
verify_finish_chain(ChurnwarnAuditVerifyChain *chain)
{
	if (!chain->active)
		return 0;
	chain->active = false;

	if (chain->pending_erased != 0)
		verify_mark(chain, chain->pending_erased);

	if (!chain->head_found)
		verify_mark(chain, chain->last_id);
	else if (chain->last_id < chain->head_last_id)
		verify_mark(chain, chain->head_last_id);	/* its tail is missing */
	else if (chain->head_n_rows != chain->expected_seq - 1 ||
			 chain->head_last_id != chain->last_id ||
			 !bytea_equal(chain->head_last_hash, chain->prev_hash))
		verify_mark(chain, chain->last_id);

	return chain->bad;
}

/*
 * verify_start_chain
 *		Begin walking the chain of customer_id: look its head up.
 */
static void
verify_start_chain(ChurnwarnAuditVerifyChain *chain, const char *customer_id,
				   SPIPlanPtr head_customer, SPIPlanPtr head_config,
				   MemoryContext cxt)
{
	Datum		key[1];
	char		keynull[1] = {' '};
	ChurnwarnAuditHead *head;
	int			rc;

	memset(chain, 0, sizeof(*chain));
	chain->active = true;
	chain->customer_id = customer_id ? MemoryContextStrdup(cxt, customer_id) : NULL;
	chain->expected_seq = 1;

	if (customer_id != NULL)
	{
		key[0] = CStringGetTextDatum(customer_id);
		rc = SPI_execute_plan(head_customer, key, keynull, true, 1);
	}
	else
		rc = SPI_execute_plan(head_config, NULL, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));

	if (SPI_processed > 0)
	{
		HeapTuple	tup = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Datum		hash;
		MemoryContext oldcxt;

		chain->head_found = true;
		chain->head_n_rows = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
		chain->head_last_id = DatumGetInt64(SPI_getbinval(tup, desc, 2, &isnull));
		hash = SPI_getbinval(tup, desc, 3, &isnull);
		oldcxt = MemoryContextSwitchTo(cxt);
		chain->head_last_hash = isnull ? NULL : DatumGetByteaPCopy(hash);
		MemoryContextSwitchTo(oldcxt);
	}
	SPI_freetuptable(SPI_tuptable);

	/*
	 * A head this transaction moved is written at commit: until then its
	 * position is the one remembered.
	 */
	head = audit_head_find(customer_id, audit_chain_key(customer_id));
	if (head != NULL && head->dirty)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(cxt);

		chain->head_found = true;
		chain->head_n_rows = head->n_rows;
		chain->head_last_id = head->last_id;
		chain->head_last_hash = DatumGetByteaPP(bytea_from(head->last_hash,
														   PG_SHA256_DIGEST_LENGTH));
		MemoryContextSwitchTo(oldcxt);
	}
}

/*
 * nullable_bytea
 *		Column attnum of an SPI row as bytea, or NULL.
 */
static bytea *
nullable_bytea(HeapTuple tup, TupleDesc desc, int attnum)
{
	bool		isnull;
	Datum		value = SPI_getbinval(tup, desc, attnum, &isnull);

	return isnull ? NULL : DatumGetByteaPP(value);
}

/*
 * nullable_text
 *		Column attnum of an SPI row as a C string, or NULL.
 */
static char *
nullable_text(HeapTuple tup, TupleDesc desc, int attnum)
{
	bool		isnull;
	Datum		value = SPI_getbinval(tup, desc, attnum, &isnull);

	return isnull ? NULL : TextDatumGetCString(value);
}

/*
 * verify_image
 *		Check one row image against its digest.  A present image needs its
 *		salt and a matching digest; an erased image (NULL with a digest)
 *		must be followed by an ERASE row in its chain.  A missing digest with
 *		a missing image is a row without that image (INSERT, DELETE).
 */
static void
verify_image(ChurnwarnAuditVerifyChain *chain, int64 id, Jsonb *image,
			 bytea *salt, bytea *digest)
{
	uint8		computed[PG_SHA256_DIGEST_LENGTH];

	if (image == NULL)
	{
		if (digest != NULL && chain->pending_erased == 0)
			chain->pending_erased = id;
		return;
	}
	if (salt == NULL || digest == NULL)
	{
		verify_mark(chain, id);
		return;
	}
	audit_image_digest((const uint8 *) VARDATA_ANY(salt),
					   VARSIZE_ANY_EXHDR(salt), image, computed);
	if (!bytes_equal(digest, computed, sizeof(computed)))
		verify_mark(chain, id);
}

/*
 * churnwarn_verify_audit
 *		verify_audit() returns table (ok boolean, checked bigint,
 *		first_bad bigint)
 *
 * Walks every chain in (customer_id, id) order and recomputes it: each row's
 * seq continues its chain, its prev_hash is the previous row's hash, its
 * image digests match its images and its hash matches its fields; the chain
 * head must then name the last row.  This catches edited, deleted, inserted
 * and reordered rows whatever triggers were disabled.  first_bad is the
 * smallest bad id over all chains: the edited or inserted row, the row
 * after a gap, or for a removed last row the id that the head still names.
 * All statements run read-only in the caller's snapshot, so the rows and
 * the heads are read consistently while writers go on.
 */
PG_FUNCTION_INFO_V1(churnwarn_verify_audit);
Datum
churnwarn_verify_audit(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum		result[3];
	bool		resnull[3] = {false, false, false};
	MemoryContext chaincxt;
	MemoryContext rowcxt;
	MemoryContext oldcxt;
	SPIPlanPtr	rows_plan;
	SPIPlanPtr	head_customer;
	SPIPlanPtr	head_config;
	SPIPlanPtr	heads_plan;
	Portal		portal;
	ChurnwarnAuditVerifyChain chain;
	int64		checked = 0;
	int64		first_bad = 0;
	int64		chains = 0;
	int64		heads;
	int64		bad;
	bool		isnull;
	int			rc;

	InitMaterializedSRF(fcinfo, 0);

	if ((rc = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));

	/* Prepared per call: verification is rare and the plans are cheap. */
	rows_plan = SPI_prepare(
		"SELECT id, at, actor, table_name, operation, row_key, customer_id,"
		" old_row, new_row, image_salt, old_digest, new_digest, seq,"
		" prev_hash, hash FROM churnwarn.audit_log ORDER BY customer_id, id",
		0, NULL);
	head_customer = SPI_prepare(
		"SELECT n_rows, last_id, last_hash FROM churnwarn.audit_chain"
		" WHERE customer_id OPERATOR(pg_catalog.=) $1", 1,
		(Oid[]) {TEXTOID});
	head_config = SPI_prepare(
		"SELECT n_rows, last_id, last_hash FROM churnwarn.audit_chain"
		" WHERE customer_id IS NULL", 0, NULL);
	heads_plan = SPI_prepare(
		"SELECT pg_catalog.count(*) FROM churnwarn.audit_chain", 0, NULL);
	if (rows_plan == NULL || head_customer == NULL || head_config == NULL ||
		heads_plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));

	chaincxt = AllocSetContextCreate(CurrentMemoryContext,
									 "churnwarn verify chain",
									 ALLOCSET_DEFAULT_SIZES);
	rowcxt = AllocSetContextCreate(CurrentMemoryContext,
								   "churnwarn verify row",
								   ALLOCSET_DEFAULT_SIZES);
	memset(&chain, 0, sizeof(chain));

	portal = SPI_cursor_open(NULL, rows_plan, NULL, NULL, true);
	for (;;)
	{
		SPITupleTable *batch;
		uint64		nrows;
		uint64		r;

		SPI_cursor_fetch(portal, true, CHURNWARN_AUDIT_VERIFY_BATCH);
		batch = SPI_tuptable;
		nrows = SPI_processed;
		if (nrows == 0)
			break;

		for (r = 0; r < nrows; r++)
		{
			HeapTuple	tup = batch->vals[r];
			TupleDesc	desc = batch->tupdesc;
			ChurnwarnAuditEntry entry;
			char	   *customer_id;
			bytea	   *salt;
			bytea	   *old_digest;
			bytea	   *new_digest;
			bytea	   *prev_hash;
			bytea	   *hash;
			Datum		value;
			Jsonb	   *old_row;
			Jsonb	   *new_row;
			uint8		computed[PG_SHA256_DIGEST_LENGTH];

			MemoryContextReset(rowcxt);
			oldcxt = MemoryContextSwitchTo(rowcxt);

			memset(&entry, 0, sizeof(entry));
			entry.id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
			entry.at = DatumGetTimestampTz(SPI_getbinval(tup, desc, 2, &isnull));
			entry.actor = nullable_text(tup, desc, 3);
			entry.table_name = nullable_text(tup, desc, 4);
			entry.operation = nullable_text(tup, desc, 5);
			entry.row_key = nullable_text(tup, desc, 6);
			customer_id = nullable_text(tup, desc, 7);
			entry.customer_id = customer_id;
			value = SPI_getbinval(tup, desc, 8, &isnull);
			old_row = isnull ? NULL : DatumGetJsonbP(value);
			value = SPI_getbinval(tup, desc, 9, &isnull);
			new_row = isnull ? NULL : DatumGetJsonbP(value);
			salt = nullable_bytea(tup, desc, 10);
			old_digest = nullable_bytea(tup, desc, 11);
			new_digest = nullable_bytea(tup, desc, 12);
			entry.seq = DatumGetInt64(SPI_getbinval(tup, desc, 13, &isnull));
			prev_hash = nullable_bytea(tup, desc, 14);
			hash = nullable_bytea(tup, desc, 15);

			/* A new chain starts where the customer key changes. */
			if (!chain.active ||
				(customer_id == NULL) != (chain.customer_id == NULL) ||
				(customer_id != NULL && strcmp(customer_id, chain.customer_id) != 0))
			{
				bad = verify_finish_chain(&chain);
				if (bad != 0 && (first_bad == 0 || bad < first_bad))
					first_bad = bad;
				MemoryContextReset(chaincxt);
				MemoryContextSwitchTo(oldcxt);
				verify_start_chain(&chain, customer_id, head_customer,
								   head_config, chaincxt);
				MemoryContextSwitchTo(rowcxt);
				if (chain.head_found)
					chains++;
			}
			checked++;

			/* Rows past the head were added behind the trigger's back. */
			if (chain.head_found && entry.id > chain.head_last_id)
				verify_mark(&chain, entry.id);
			if (entry.seq != chain.expected_seq)
				verify_mark(&chain, entry.id);
			if (!bytea_equal(prev_hash, chain.prev_hash))
				verify_mark(&chain, entry.id);

			verify_image(&chain, entry.id, old_row, salt, old_digest);
			verify_image(&chain, entry.id, new_row, salt, new_digest);

			/* The hash over the stored fields, digests and prev_hash. */
			entry.old_digest = old_digest ? (const uint8 *) VARDATA_ANY(old_digest) : NULL;
			entry.old_digest_len = old_digest ? (int) VARSIZE_ANY_EXHDR(old_digest) : -1;
			entry.new_digest = new_digest ? (const uint8 *) VARDATA_ANY(new_digest) : NULL;
			entry.new_digest_len = new_digest ? (int) VARSIZE_ANY_EXHDR(new_digest) : -1;
			entry.prev_hash = prev_hash ? (const uint8 *) VARDATA_ANY(prev_hash) : NULL;
			entry.prev_hash_len = prev_hash ? (int) VARSIZE_ANY_EXHDR(prev_hash) : -1;
			if (entry.actor == NULL || entry.table_name == NULL ||
				entry.operation == NULL || hash == NULL)
				verify_mark(&chain, entry.id);
			else
			{
				audit_entry_hash(&entry, computed);
				if (!bytes_equal(hash, computed, sizeof(computed)))
					verify_mark(&chain, entry.id);
			}

			/* An ERASE row covers the erased images before it. */
			if (entry.operation != NULL && strcmp(entry.operation, "ERASE") == 0)
				chain.pending_erased = 0;

			/* Remember this row's stored hash for the next one. */
			if (chain.prev_hash != NULL)
				pfree(chain.prev_hash);
			chain.prev_hash = NULL;
			if (hash != NULL)
			{
				chain.prev_hash = (bytea *) MemoryContextAlloc(chaincxt, VARSIZE_ANY(hash));
				memcpy(chain.prev_hash, hash, VARSIZE_ANY(hash));
			}
			chain.expected_seq++;
			chain.last_id = entry.id;

			MemoryContextSwitchTo(oldcxt);
		}
		SPI_freetuptable(batch);
	}
	SPI_cursor_close(portal);

	bad = verify_finish_chain(&chain);
	if (bad != 0 && (first_bad == 0 || bad < first_bad))
		first_bad = bad;

	/*
	 * A head whose chain has no row left at all: its whole chain was
	 * removed.  Report the id the head names.  (A chain's empty head, last
	 * id 0, exists only inside the transaction that starts the chain and
	 * writes its rows: it is counted with them.)
	 */
	rc = SPI_execute_plan(heads_plan, NULL, NULL, true, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	heads = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
										SPI_tuptable->tupdesc, 1, &isnull));
	if (heads > chains)
	{
		rc = SPI_execute(
			"SELECT pg_catalog.min(h.last_id) FROM churnwarn.audit_chain h"
			" WHERE CASE WHEN h.customer_id IS NULL"
			" THEN NOT EXISTS (SELECT FROM churnwarn.audit_log l"
			"  WHERE l.customer_id IS NULL)"
			" ELSE NOT EXISTS (SELECT FROM churnwarn.audit_log l"
			"  WHERE l.customer_id OPERATOR(pg_catalog.=) h.customer_id) END",
			true, 1);
		if (rc != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(rc));
		bad = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
										  SPI_tuptable->tupdesc, 1, &isnull));
		if (!isnull && (first_bad == 0 || bad < first_bad))
			first_bad = bad;
	}

	if ((rc = SPI_finish()) != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed: %s", SPI_result_code_string(rc));

	result[0] = BoolGetDatum(first_bad == 0);
	result[1] = Int64GetDatum(checked);
	result[2] = Int64GetDatum(first_bad);
	resnull[2] = (first_bad == 0);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, result, resnull);

	return (Datum) 0;
}
