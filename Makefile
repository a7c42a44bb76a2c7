# churnwarn/Makefile
#
# PGXS build.  The version lives only in churnwarn.control.  The install
# script of the version under development is assembled from sql/parts/ (one
# concern per file, in name order); once a version is released its assembled
# script is committed under sql/ and never edited again, and later changes
# go into sql/churnwarn--A--B.sql upgrade scripts.

EXTENSION = churnwarn
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)
MODULE_big = churnwarn
OBJS = \
	src/churnwarn.o \
	src/json.o \
	src/grade.o \
	src/config.o \
	src/storage.o \
	src/scan.o \
	src/write.o \
	src/trigger.o \
	src/regrade.o \
	src/signal.o \
	src/calendar.o \
	src/workflow.o \
	src/audit.o \
	src/rules.o \
	src/watch_cache.o \
	src/watch_trigger.o \
	src/watch.o \
	src/privacy.o \
	$(WIN32RES)
PGFILEDESC = "churnwarn - customer churn early warning and recovery"

SQL_PARTS = $(sort $(wildcard sql/parts/*.sql))
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql
DATA = $(filter-out $(DATA_built),$(wildcard sql/$(EXTENSION)--*.sql))

REGRESS = \
	install \
	schema_tap \
	lint \
	calendar \
	grading \
	workflow_trigger \
	bad_input \
	customer_risk \
	workflow \
	workflow_refusals \
	review \
	audit \
	watch \
	watch_drop_extension \
	privacy \
	privileges_tap \
	hijack \
	fuzz_args \
	reinstall \
	upgrade \
	uninstall
REGRESS_OPTS = --inputdir=test
ISOLATION = one_open_warning notify_config workflow_concurrency audit_chain audit_order tick_order watch_concurrency watch_shape
ISOLATION_OPTS = --inputdir=test --load-extension=churnwarn

EXTRA_CLEAN = $(DATA_built) results output_iso regression.diffs regression.out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The audit hashes go straight to OpenSSL's digest API when the server has
# it (see sha256_bytes in src/audit.c).
ifeq ($(with_ssl),openssl)
SHLIB_LINK += -lcrypto
endif

$(DATA_built): $(SQL_PARTS) $(EXTENSION).control
	cat $(SQL_PARTS) > $@

# The long runs of the reliability suite (issue 8): 100 crash cycles and
# sqlsmith for 10 minutes, in throwaway clusters (see tools/test.sh).
.PHONY: stress
stress:
	CW_TESTS="install uninstall" CW_SPECS="" CW_EXTRA="crash sqlsmith" \
	CW_CRASH_CYCLES=100 CW_SQLSMITH_QUERIES=100000 CW_SQLSMITH_SECONDS=600 \
	tools/test.sh
