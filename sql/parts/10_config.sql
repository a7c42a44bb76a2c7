/*
 * Configuration: schemes and their levels, value tiers, the signal
 * catalogue and the global settings.  All of it is rows the DBA edits; every
 * table is registered with pg_extension_config_dump so pg_dump keeps the
 * edits (shipped rows are filtered by their "shipped" flag only where the
 * install script re-creates them, so a restore never duplicates them).
 */

-- Severity names shared by the schemes: a floor such as "at least major"
-- means the same thing in a three- and a four-level scheme.
CREATE TABLE churnwarn.severity (
	severity	text PRIMARY KEY,
	rank		int NOT NULL UNIQUE CHECK (rank >= 1),
	label_en	text NOT NULL,
	label_zh	text NOT NULL,
	shipped		boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE churnwarn.severity IS 'Named severities (general, larger, major, urgent) that scheme levels map to and signal floors refer to.';
COMMENT ON COLUMN churnwarn.severity.severity IS 'Code of the severity.';
COMMENT ON COLUMN churnwarn.severity.rank IS 'Order of severities; a higher rank is more severe.';
COMMENT ON COLUMN churnwarn.severity.shipped IS 'True while the row is exactly as churnwarn shipped it; pg_dump keeps only rows that are not (edited or added rows).';
COMMENT ON COLUMN churnwarn.severity.label_en IS 'English label.';
COMMENT ON COLUMN churnwarn.severity.label_zh IS 'Chinese label.';
INSERT INTO churnwarn.severity VALUES
	('general', 1, 'general', '一般'),
	('larger', 2, 'larger', '较大'),
	('major', 3, 'major', '重大'),
	('urgent', 4, 'urgent / especially major', '紧急/特别重大');

CREATE TABLE churnwarn.scheme (
	scheme		text PRIMARY KEY CHECK (scheme ~ '^[a-z][a-z0-9_]*$'),
	label_en	text NOT NULL,
	label_zh	text NOT NULL,
	hysteresis	numeric NOT NULL DEFAULT 0.10
		CHECK (hysteresis >= 0 AND hysteresis < 1),
	resolved_factor numeric NOT NULL DEFAULT 0.5
		CHECK (resolved_factor >= 0 AND resolved_factor <= 1),
	breadth_step numeric NOT NULL DEFAULT 0.10
		CHECK (breadth_step >= 0 AND breadth_step <= 1),
	shipped		boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE churnwarn.scheme IS 'Warning-level schemes: three_level (seed 002, default) and four_level (seed 000); a scheme owns its levels, thresholds and the grading constants.';
COMMENT ON COLUMN churnwarn.scheme.scheme IS 'Code of the scheme.';
COMMENT ON COLUMN churnwarn.scheme.shipped IS 'True while the row is exactly as churnwarn shipped it; pg_dump keeps only rows that are not (edited or added rows).';
COMMENT ON COLUMN churnwarn.scheme.label_en IS 'English name.';
COMMENT ON COLUMN churnwarn.scheme.label_zh IS 'Chinese name.';
COMMENT ON COLUMN churnwarn.scheme.hysteresis IS 'Anti-flapping margin: a score-based level is only lowered once the score falls below (1 - hysteresis) times that level''s threshold.';
COMMENT ON COLUMN churnwarn.scheme.resolved_factor IS 'Share of its points that a resolved signal still counts (an open signal counts 1).';
COMMENT ON COLUMN churnwarn.scheme.breadth_step IS 'Recovery difficulty: the score is multiplied by 1 + breadth_step * (number of signal categories with open signals - 1).';

CREATE TABLE churnwarn.scheme_level (
	scheme		text NOT NULL REFERENCES churnwarn.scheme ON UPDATE CASCADE,
	level		int NOT NULL CHECK (level >= 1 AND level <= 9),
	severity	text NOT NULL REFERENCES churnwarn.severity,
	label_en	text NOT NULL,
	label_zh	text NOT NULL,
	min_score	numeric NOT NULL CHECK (min_score > 0 AND min_score < 'Infinity'),
	PRIMARY KEY (scheme, level),
	shipped		boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE churnwarn.scheme_level IS 'Levels of each scheme: the score threshold that reaches the level and the named severity it stands for.';
COMMENT ON COLUMN churnwarn.scheme_level.scheme IS 'Scheme the level belongs to.';
COMMENT ON COLUMN churnwarn.scheme_level.level IS 'Level number, 1 = mildest; levels of a scheme are numbered 1..N without gaps.';
COMMENT ON COLUMN churnwarn.scheme_level.severity IS 'Named severity of the level; floors ("at least major") resolve to the lowest level of at least that severity.';
COMMENT ON COLUMN churnwarn.scheme_level.shipped IS 'True while the row is exactly as churnwarn shipped it; pg_dump keeps only rows that are not (edited or added rows).';
COMMENT ON COLUMN churnwarn.scheme_level.label_en IS 'English name of the level.';
COMMENT ON COLUMN churnwarn.scheme_level.label_zh IS 'Chinese name of the level.';
COMMENT ON COLUMN churnwarn.scheme_level.min_score IS 'Lowest score that reaches this level; thresholds must rise with the level.';

INSERT INTO churnwarn.scheme VALUES
	('three_level', 'three levels (robot integrator, seed 002)', '三级预警（机器人集成公司）', 0.10, 0.5, 0.10),
	('four_level', 'four levels (cross-border agency, seed 000)', '四级预警（跨境营销策划公司）', 0.10, 0.5, 0.10);
INSERT INTO churnwarn.scheme_level VALUES
	('three_level', 1, 'general', 'general risk', '一般风险', 2),
	('three_level', 2, 'major', 'major risk', '重大风险', 10),
	('three_level', 3, 'urgent', 'urgent risk', '紧急风险', 25),
	('four_level', 1, 'general', 'level 1 general', '一级（一般预警）', 2),
	('four_level', 2, 'larger', 'level 2 larger', '二级（较大预警）', 5),
	('four_level', 3, 'major', 'level 3 major', '三级（重大预警）', 10),
	('four_level', 4, 'urgent', 'level 4 especially major', '四级（特别重大预警）', 25);

CREATE TABLE churnwarn.tier (
	tier		text PRIMARY KEY,
	rank		int NOT NULL UNIQUE CHECK (rank >= 1),
	label_en	text NOT NULL,
	label_zh	text NOT NULL,
	score_factor numeric NOT NULL DEFAULT 1 CHECK (score_factor >= 1 AND score_factor < 100),
	level_raise	int NOT NULL DEFAULT 0 CHECK (level_raise >= 0 AND level_raise <= 9),
	shipped		boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE churnwarn.tier IS 'Customer value tiers and how they raise a level; a higher rank must never have a smaller factor or raise.';
COMMENT ON COLUMN churnwarn.tier.tier IS 'Code of the tier.';
COMMENT ON COLUMN churnwarn.tier.rank IS 'Order of the tiers; a higher rank is more valuable.';
COMMENT ON COLUMN churnwarn.tier.shipped IS 'True while the row is exactly as churnwarn shipped it; pg_dump keeps only rows that are not (edited or added rows).';
COMMENT ON COLUMN churnwarn.tier.label_en IS 'English label.';
COMMENT ON COLUMN churnwarn.tier.label_zh IS 'Chinese label.';
COMMENT ON COLUMN churnwarn.tier.score_factor IS 'Multiplier applied to the customer''s score (at least 1).';
COMMENT ON COLUMN churnwarn.tier.level_raise IS 'Levels added to a non-zero level (capped at the scheme''s top).';
INSERT INTO churnwarn.tier VALUES
	('ordinary', 1, 'ordinary', '普通客户', 1.0, 0),
	('important', 2, 'important', '重要客户', 1.2, 0),
	('core', 3, 'core / strategic', '核心战略客户', 1.5, 0);

CREATE TABLE churnwarn.signal_type (
	code		text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]*$'),
	category	text NOT NULL CHECK (category IN ('cooperation', 'communication', 'external', 'internal', 'other')),
	label_en	text NOT NULL,
	label_zh	text NOT NULL,
	weight		numeric NOT NULL CHECK (weight >= 0 AND weight < 1000),
	half_life	interval CHECK (half_life > interval '0'),
	floor_severity text REFERENCES churnwarn.severity,
	floor_min_amount numeric CHECK (floor_min_amount >= 0 AND floor_min_amount < 'Infinity'),
	CHECK (floor_min_amount IS NULL OR floor_severity IS NOT NULL),
	shipped		boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE churnwarn.signal_type IS 'The catalogue of warning signals (Art. 10): category, labels, points, decay and the minimum level an open signal forces.';
COMMENT ON COLUMN churnwarn.signal_type.code IS 'Code of the signal type (part of the SQL contract).';
COMMENT ON COLUMN churnwarn.signal_type.category IS 'cooperation, communication, external, internal or other.';
COMMENT ON COLUMN churnwarn.signal_type.shipped IS 'True while the row is exactly as churnwarn shipped it; pg_dump keeps only rows that are not (edited or added rows).';
COMMENT ON COLUMN churnwarn.signal_type.label_en IS 'English label.';
COMMENT ON COLUMN churnwarn.signal_type.label_zh IS 'Chinese label.';
COMMENT ON COLUMN churnwarn.signal_type.weight IS 'Points an open signal of this type adds to the score when freshly observed.';
COMMENT ON COLUMN churnwarn.signal_type.half_life IS 'Time after which a signal''s points have halved; NULL means no decay.';
COMMENT ON COLUMN churnwarn.signal_type.floor_severity IS 'An open signal of this type forces at least the lowest level of this severity; NULL means no floor.';
COMMENT ON COLUMN churnwarn.signal_type.floor_min_amount IS 'If set, the floor applies only when the signal''s amount is strictly above this value (an order cut above 50 %).';

INSERT INTO churnwarn.signal_type VALUES
	('late_payment', 'cooperation', 'late payment', '逾期付款', 4, '60 days', NULL, NULL),
	('renewal_refused', 'cooperation', 'refuses renewal', '拒绝续约', 6, '120 days', NULL, NULL),
	('expansion_refused', 'cooperation', 'refuses new business', '拒绝新增合作', 3, '90 days', NULL, NULL),
	('order_cut', 'cooperation', 'cuts order volume (amount = % cut)', '削减订单量（金额=削减百分比）', 5, '90 days', 'major', 50),
	('project_paused', 'cooperation', 'pauses a current project', '暂停当前项目', 5, '90 days', NULL, NULL),
	('termination_notice', 'cooperation', 'formal termination notice', '正式终止合作通知', 25, NULL, 'urgent', NULL),
	('complaint', 'communication', 'complaint', '投诉', 4, '60 days', NULL, NULL),
	('complaint_unresolved', 'communication', 'complaint left unresolved', '投诉未解决', 5, '90 days', NULL, NULL),
	('dissatisfaction', 'communication', 'open dissatisfaction', '明确表达不满', 5, '90 days', NULL, NULL),
	('cold_response', 'communication', 'cold or evasive responses', '回应冷淡或推诿', 2, '30 days', NULL, NULL),
	('event_declined', 'communication', 'declines company events', '拒绝参加公司活动', 1, '30 days', NULL, NULL),
	('interaction_drop', 'communication', 'interaction frequency falls', '互动频率下降', 2, '30 days', NULL, NULL),
	('competitor_contact', 'external', 'contacts competitors', '接触竞争对手', 5, '90 days', NULL, NULL),
	('competitor_deal', 'external', 'starts a deal with a competitor', '与竞争对手开展合作', 15, '180 days', 'major', NULL),
	('business_change', 'internal', 'business change (merger, restructuring, relocation)', '业务变动（并购、重组、减产、搬迁）', 3, '180 days', NULL, NULL),
	('contact_change', 'internal', 'contact person changed without hand-over', '对接人变更且未交接', 3, '90 days', NULL, NULL),
	('negative_review', 'other', 'negative public statement about the brand', '公开发表负面评价', 6, '90 days', NULL, NULL),
	('demand_unanswered', 'other', 'unreasonable demand left unanswered', '不合理诉求未获妥善回应', 2, '60 days', NULL, NULL);

/*
 * Global settings: one row.  config_version rises with every statement that
 * changes configuration, so each grade records the configuration it was
 * computed under.
 */
CREATE TABLE churnwarn.settings (
	id			boolean PRIMARY KEY DEFAULT true CHECK (id),
	scheme		text NOT NULL DEFAULT 'three_level' REFERENCES churnwarn.scheme ON UPDATE CASCADE,
	config_version bigint NOT NULL DEFAULT 1,
	scope_after_termination interval NOT NULL DEFAULT '1 year'
		CHECK (scope_after_termination >= interval '0'),
	report_within interval NOT NULL DEFAULT '24 hours'
		CHECK (report_within > interval '0'),
	shipped		boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE churnwarn.settings IS 'Global churnwarn settings (exactly one row).';
COMMENT ON COLUMN churnwarn.settings.shipped IS 'True while the row is exactly as churnwarn shipped it; pg_dump keeps only rows that are not (edited or added rows).';
COMMENT ON COLUMN churnwarn.settings.id IS 'Always true: the table holds one row.';
COMMENT ON COLUMN churnwarn.settings.scheme IS 'Active level scheme; change it with churnwarn.use_scheme().';
COMMENT ON COLUMN churnwarn.settings.config_version IS 'Configuration version; raised by every change of a configuration table.';
COMMENT ON COLUMN churnwarn.settings.scope_after_termination IS 'How long after termination a customer stays in the warning scope (Art. 2: one year).';
COMMENT ON COLUMN churnwarn.settings.report_within IS 'A signal must reach customer success within this time of being observed (Art. 12: 24 hours).';
INSERT INTO churnwarn.settings DEFAULT VALUES;

UPDATE churnwarn.severity SET shipped = true;
UPDATE churnwarn.scheme SET shipped = true;
UPDATE churnwarn.scheme_level SET shipped = true;
UPDATE churnwarn.tier SET shipped = true;
UPDATE churnwarn.signal_type SET shipped = true;
UPDATE churnwarn.settings SET shipped = true;

SELECT pg_catalog.pg_extension_config_dump('churnwarn.severity', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.scheme', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.scheme_level', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.tier', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.signal_type', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.settings', 'WHERE NOT shipped');
