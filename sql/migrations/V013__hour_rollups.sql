-- V013: hour rollup tables of the minute window tables, for fast hour- and day-grain reads.
--
-- Statements are separated by a ';' at the end of a line; each is safe to run again (see V001).

-- cx_survey_window_hour, cx_checkout_window_hour, cx_ticket_window_hour, cx_driver_window_hour:
-- the same columns as their minute table (CREATE … AS copies them, so a table's columns are
-- declared once; a later ALTER … ADD COLUMN on a minute table must add the column to its hour
-- table in the same migration, which HourRollupsITCase checks), one row per sealed hour and key:
-- the components summed over the newest versions of the hour's minute rows. window_start is the
-- hour, window_end the hour + 1, version the sum of the minute rows' versions (so a re-sealed hour
-- that gained a version or a row gets a higher one and wins).
--
-- Written only by the refreshable materialized views of sql/repeatable/R__hour_rollups.sql, and
-- only for hours that can no longer change (see there); read through the *_rows views, which take
-- the hours before the newest sealed one from here and everything after from the minute table, so
-- a reader never sees a difference but in speed: a week at hour grain reads 168 rows per key
-- instead of 10,080.
CREATE TABLE IF NOT EXISTS cx_survey_window_hour AS cx_survey_window
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(window_start)
ORDER BY (window_start, channel, segment)
COMMENT 'cx_survey_window summed per sealed hour (R__hour_rollups.sql); read cx_survey_scores_*';

CREATE TABLE IF NOT EXISTS cx_checkout_window_hour AS cx_checkout_window
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(window_start)
ORDER BY (window_start, channel, segment)
COMMENT 'cx_checkout_window summed per sealed hour (R__hour_rollups.sql); read cx_checkout_abandonment_*';

CREATE TABLE IF NOT EXISTS cx_ticket_window_hour AS cx_ticket_window
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(window_start)
ORDER BY (window_start, channel, segment, priority)
COMMENT 'cx_ticket_window summed per sealed hour (R__hour_rollups.sql); read cx_ticket_response_times_* and cx_ticket_backlog_*';

CREATE TABLE IF NOT EXISTS cx_driver_window_hour AS cx_driver_window
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(window_start)
ORDER BY (window_start, channel, segment, sla_outcome, frt_bucket)
COMMENT 'cx_driver_window summed per sealed hour (R__hour_rollups.sql); read cx_driver_split_between';
