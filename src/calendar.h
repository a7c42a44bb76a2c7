/*-------------------------------------------------------------------------
 *
 * calendar.h
 *	  Working-day arithmetic on holiday calendars: the C API that other
 *	  churnwarn files call (deadlines computed inside triggers).
 *
 * Every function takes a calendar name, or NULL for the default calendar
 * (churnwarn.calendar.is_default), and raises an ERROR with a proper
 * SQLSTATE for an unknown calendar (42704), an infinite or out-of-range
 * timestamp (22008) or a calendar without working days (55000).  Calendars
 * are cached per backend, so after the first call these are cheap: no SPI,
 * no catalog access.  May be called with or without an SPI connection.
 *
 * Copyright (c) 2026, churnwarn authors
 *
 * src/calendar.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef CHURNWARN_CALENDAR_H
#define CHURNWARN_CALENDAR_H

#include "datatype/timestamp.h"
#include "utils/date.h"

/*
 * A calendar with no working day in this many consecutive days is treated as
 * broken: the scans of add_working_days stop there with an error.
 */
#define CHURNWARN_CALENDAR_MAX_GAP	3660

/* Is d a working day of the calendar? */
extern bool churnwarn_is_working_day_date(DateADT d, const char *calendar);

/*
 * The deadline "within n working days after t": 24:00 local time (00:00 of
 * the following local day) of the n-th working day strictly after t's local
 * date.  n = 0: the end of t's local date if it is a working day, otherwise
 * of the next working day.  n < 0: the end of the |n|-th working day
 * strictly before t's local date.
 */
extern TimestampTz churnwarn_add_working_days_tz(TimestampTz t, int n,
												 const char *calendar);

/*
 * Number of working days d with local date(a) < d <= local date(b);
 * negative (minus the count for b, a) when b is before a.
 */
extern int	churnwarn_working_days_between_tz(TimestampTz a, TimestampTz b,
											  const char *calendar);

/* t's local date in the calendar's time zone. */
extern DateADT churnwarn_calendar_local_date(TimestampTz t,
											 const char *calendar);

#endif							/* CHURNWARN_CALENDAR_H */
