-- demo/generate.sql: a deterministic, realistic year of churn signals for
-- one of the two seed companies.
--
--   psql -v company=robotics -v customers=1500 -f demo/generate.sql
--   psql -v company=agency   -v customers=1200 -f demo/generate.sql
--
-- robotics: the robot-integration company of seed 002 (three levels,
-- Chinese manufacturing customers, the CN working-day calendar).
-- agency: the cross-border marketing agency of seed 000 (four levels,
-- overseas customers in many countries).
--
-- The year is replayed day by day through churnwarn.clock, so warnings
-- open, escalate and de-escalate at the times they would have, and the team
-- works them through the workflow (assessment, approvals, notice, plans,
-- follow-up, evaluation, post-mortems) on the days it would have; the
-- periodic pass runs weekly.  The same seed always gives the same data.
\set ON_ERROR_STOP on
SELECT set_config('demo.company', :'company', false),
	set_config('demo.customers', :'customers', false) \gset


-- One day's work of the customer-success team, replayed at that day's
-- clock: warnings are assessed, approved, issued, planned, followed up and
-- evaluated, each step a little late now and then, outcomes by level.
CREATE FUNCTION pg_temp.work_day(day timestamptz, people text[]) RETURNS void
LANGUAGE plpgsql AS $work$
DECLARE
	w record;
	r text;
	lvl int;
	outcome text;
	p_fail float8;
	causes text[] := ARRAY['product_quality', 'service', 'contract_terms', 'business_change', 'competitor', 'other'];
	who text;
BEGIN
	PERFORM set_config('churnwarn.clock', (day + interval '16 hours')::text, true);
	FOR w IN SELECT x.id, x.status, x.proposed_level, x.level, x.scheme, x.opened_at, x.confirmed_at,
			x.issued_at, x.plan_submitted_at, x.outcome, x.customer_id, c.department, c.owner
		FROM churnwarn.warning x JOIN churnwarn.customer c USING (customer_id)
		WHERE x.status NOT IN ('closed', 'dismissed') ORDER BY x.id
	LOOP
		-- most warnings see no step on a given day: decide before paying
		-- for the subtransaction below
		CONTINUE WHEN random() > CASE w.status WHEN 'recovering' THEN 0.45 ELSE 0.7 END;
		who := people[1 + floor(random() * array_length(people, 1))::int];
		BEGIN
			IF w.status = 'open' AND w.proposed_level > 0 AND random() < 0.85 THEN
				-- mostly the proposed level; now and then one lower (under-graded)
				lvl := greatest(1, w.proposed_level - CASE WHEN random() < 0.12 THEN 1 ELSE 0 END);
				PERFORM churnwarn.assess(w.id, lvl, who, 'assessed with sales and tech',
					causes[1 + floor(random() * array_length(causes, 1))::int]);
				FOREACH r IN ARRAY coalesce(churnwarn.required_approvers(w.scheme, lvl), '{}') LOOP
					PERFORM churnwarn.approve(w.id, r || '.' || (ARRAY['zhou', 'sun', 'wu', 'zheng'])[1 + floor(random() * 4)::int], r);
				END LOOP;
			ELSIF w.status = 'confirmed' AND random() < 0.95 THEN
				PERFORM churnwarn.issue(w.id, w.department, w.owner);
			ELSIF w.status = 'issued' AND random() < 0.8 THEN
				PERFORM churnwarn.submit_plan(w.id, jsonb_build_object(
					'goal', 'keep the customer and restore the order volume',
					'measures', jsonb_build_array('apology visit', 'named service contact', 'review of terms'),
					'people', jsonb_build_array(w.owner, who),
					'milestones', jsonb_build_array(jsonb_build_object('at', (day + interval '14 days')::date, 'what', 'customer review')),
					'resources', 'two engineer days'));
				IF EXISTS (SELECT FROM churnwarn.warning_plan pl WHERE pl.warning_id = w.id
						AND pl.needs_approval AND pl.approved_at IS NULL) THEN
					PERFORM churnwarn.approve_plan(w.id, 'general_manager.liu');
				END IF;
			ELSIF w.status = 'recovering' THEN
				IF w.outcome = 'partial' AND random() < 0.9 THEN
					PERFORM churnwarn.submit_plan(w.id, jsonb_build_object(
						'goal', 'finish the recovery', 'measures', jsonb_build_array('further measures'),
						'people', jsonb_build_array(w.owner), 'milestones', jsonb_build_array('monthly review'),
						'resources', 'account team'));
					IF EXISTS (SELECT FROM churnwarn.warning_plan pl WHERE pl.warning_id = w.id
							AND pl.needs_approval AND pl.approved_at IS NULL) THEN
						PERFORM churnwarn.approve_plan(w.id, 'general_manager.liu');
					END IF;
				ELSIF random() < 0.75 THEN
					PERFORM churnwarn.record_progress(w.id, 'called the customer, measures on track', w.owner);
				END IF;
				IF random() < 0.2 THEN
					PERFORM churnwarn.record_communication(w.id,
						(ARRAY['meeting', 'visit', 'phone', 'video', 'email'])[1 + floor(random() * 5)::int],
						ARRAY[w.owner, 'contact-' || w.customer_id], 'discussed the recovery measures', w.owner);
				END IF;
				-- evaluation after two to eight weeks of recovery
				IF w.plan_submitted_at IS NOT NULL AND day - w.plan_submitted_at > interval '14 days'
						AND random() < 0.18 THEN
					p_fail := CASE coalesce(w.level, 1) WHEN 1 THEN 0.03 WHEN 2 THEN 0.08 WHEN 3 THEN 0.18 ELSE 0.3 END;
					outcome := CASE WHEN random() < p_fail THEN 'failure'
						WHEN random() < 0.22 THEN 'partial' ELSE 'success' END;
					PERFORM churnwarn.evaluate(w.id, outcome, w.owner);
					IF outcome = 'success' THEN
						-- the causes were dealt with: their signals are resolved
						PERFORM churnwarn.resolve_signal(sg.id, 'recovered')
						FROM churnwarn.signal sg WHERE sg.customer_id = w.customer_id AND sg.status = 'open';
					END IF;
					IF outcome = 'failure' THEN
						PERFORM churnwarn.record_postmortem(w.id, 'competitor offered better terms after a service failure',
							'escalate service failures at core customers within a day',
							'named service contact for every core customer');
					END IF;
				END IF;
			END IF;
		EXCEPTION WHEN OTHERS THEN
			-- a step the workflow refuses (a plan still awaiting approval, a
			-- warning just sent back for re-assessment) waits for another day
			NULL;
		END;
	END LOOP;
END
$work$;

DO $demo$
DECLARE
	company text := current_setting('demo.company');
	n_customers int := current_setting('demo.customers')::int;
	year_end timestamptz := date_trunc('day', now());
	year_start timestamptz := date_trunc('day', now()) - interval '365 days';
	cities text[]; industries text[]; countries text[]; depts text[]; owners text[];
	stems text[]; suffixes text[];
	types text[] := ARRAY['late_payment', 'renewal_refused', 'expansion_refused', 'order_cut',
		'project_paused', 'termination_notice', 'complaint', 'complaint_unresolved',
		'dissatisfaction', 'cold_response', 'event_declined', 'interaction_drop',
		'competitor_contact', 'competitor_deal', 'business_change', 'contact_change',
		'negative_review', 'demand_unanswered'];
	-- relative frequency of each type, same order
	freq int[] := ARRAY[14, 3, 4, 5, 3, 1, 14, 6, 5, 9, 8, 8, 5, 1, 3, 4, 2, 3];
	cum int[]; total int := 0;
	i int; d int; k int; r int; id text; tier text; sid bigint; typ text;
	day timestamptz; amount numeric; n_today int; risk float8;
BEGIN
	PERFORM setseed(CASE company WHEN 'robotics' THEN 0.2002 ELSE 0.2000 END);
	FOR i IN 1..array_length(freq, 1) LOOP
		total := total + freq[i];
		cum[i] := total;
	END LOOP;

	IF company = 'robotics' THEN
		PERFORM churnwarn.use_scheme('three_level');
		cities := ARRAY['苏州', '无锡', '宁波', '合肥', '东莞', '佛山', '常州', '青岛', '天津', '重庆', '武汉', '长沙'];
		industries := ARRAY['汽车零部件', '动力电池', '家电', '食品包装', '光伏组件', '物流仓储', '精密五金', '医疗器械', '3C电子', '注塑'];
		suffixes := ARRAY['有限公司', '股份有限公司', '科技有限公司', '制造有限公司'];
		countries := ARRAY['CN'];
		depts := ARRAY['sales-east', 'sales-south', 'sales-north', 'key-accounts'];
		owners := ARRAY['wang.fang', 'li.lei', 'zhang.wei', 'liu.yang', 'chen.jing', 'yang.min', 'zhao.qiang', 'huang.li'];
	ELSE
		PERFORM churnwarn.use_scheme('four_level');
		stems := ARRAY['Nord', 'Blue', 'Harbor', 'Summit', 'Lumen', 'Vista', 'Atlas', 'Cedar', 'Nova', 'Pioneer', 'Sakura', 'Aurora'];
		industries := ARRAY['Outdoor', 'Beauty', 'Home', 'Pet', 'Fitness', 'Audio', 'Toys', 'Apparel', 'Kitchen', 'Garden'];
		suffixes := ARRAY['GmbH', 'Ltd', 'Inc.', 'LLC', 'S.A.S.', 'K.K.', 'B.V.', 'Pty Ltd'];
		countries := ARRAY['DE', 'GB', 'US', 'US', 'FR', 'JP', 'NL', 'AU', 'CA', 'ES', 'IT', 'SG'];
		depts := ARRAY['emea', 'americas', 'apac'];
		owners := ARRAY['anna.schmidt', 'james.wright', 'maria.garcia', 'kenji.sato', 'li.na', 'omar.haddad'];
	END IF;

	-- customers: tier mix 70 / 22 / 8 %, contract values by tier
	FOR i IN 1..n_customers LOOP
		r := floor(random() * 100)::int;
		tier := CASE WHEN r < 70 THEN 'ordinary' WHEN r < 92 THEN 'important' ELSE 'core' END;
		id := CASE company WHEN 'robotics' THEN 'R' ELSE 'A' END || lpad(i::text, 5, '0');
		INSERT INTO churnwarn.customer (customer_id, name, country, region, tier, annual_value,
			department, owner, contact, status, created_at)
		VALUES (id,
			CASE company WHEN 'robotics'
				THEN cities[1 + (i * 7) % array_length(cities, 1)] || '市'
					|| (ARRAY['华', '恒', '瑞', '鑫', '达', '诚', '泰', '宏'])[1 + (i * 3) % 8]
					|| (ARRAY['通', '远', '丰', '盛', '安', '景', '新', '和'])[1 + (i * 5) % 8]
					|| industries[1 + (i * 11) % array_length(industries, 1)]
					|| suffixes[1 + i % array_length(suffixes, 1)]
				ELSE stems[1 + (i * 7) % array_length(stems, 1)] || ' '
					|| industries[1 + (i * 11) % array_length(industries, 1)] || ' '
					|| suffixes[1 + (i * 5) % array_length(suffixes, 1)]
			END,
			countries[1 + (i * 13) % array_length(countries, 1)],
			CASE company WHEN 'robotics' THEN cities[1 + (i * 7) % array_length(cities, 1)]
				ELSE depts[1 + i % array_length(depts, 1)] END,
			tier,
			round((CASE tier WHEN 'ordinary' THEN 50000 WHEN 'important' THEN 400000 ELSE 2500000 END
				* (0.5 + random()))::numeric, -3),
			depts[1 + i % array_length(depts, 1)],
			owners[1 + (i * 3) % array_length(owners, 1)],
			'contact-' || i,
			'active',
			year_start - interval '2 years');
	END LOOP;

	-- departments with their heads, churn targets, a few adopted suggestions
	INSERT INTO churnwarn.department (department, name_en, name_zh, head)
	SELECT u.dep, initcap(replace(u.dep, '-', ' ')), u.dep,
		'head.' || split_part(u.dep, '-', array_length(string_to_array(u.dep, '-'), 1))
	FROM unnest(depts) AS u(dep);
	INSERT INTO churnwarn.churn_target (department, year, target_rate)
	SELECT '*', y, 0.03 FROM generate_series(extract(year FROM year_start)::int, extract(year FROM year_end)::int) y;
	INSERT INTO churnwarn.suggestion (department, person, title, submitted_at, adopted_at)
	SELECT depts[1 + g.n % array_length(depts, 1)], owners[1 + g.n % array_length(owners, 1)],
		(ARRAY['monthly health call with important customers', 'escalate quality complaints to tech within a day',
			'named service contact for every core customer', 'quarterly business review with key accounts'])[1 + g.n % 4],
		year_start + g.n * interval '29 days', year_start + g.n * interval '29 days' + interval '12 days'
	FROM generate_series(1, 10) AS g(n);

	-- a year of signals, day by day; a few customers carry most of the risk
	FOR d IN 0..364 LOOP
		day := year_start + d * interval '1 day';
		CONTINUE WHEN extract(isodow FROM day) > 6;		-- little happens on Sundays
		n_today := 1 + floor(random() * n_customers / 25.0)::int;
		FOR k IN 1..n_today LOOP
			risk := random();
			-- skewed choice: squares favour the low ids, which act as the risky accounts
			i := 1 + floor(power(random(), CASE WHEN risk < 0.75 THEN 4 ELSE 1 END) * n_customers)::int;
			id := CASE company WHEN 'robotics' THEN 'R' ELSE 'A' END || lpad(i::text, 5, '0');
			r := 1 + floor(random() * total)::int;
			typ := types[(SELECT min(j) FROM generate_subscripts(cum, 1) j WHERE cum[j] >= r)];
			amount := CASE typ
				WHEN 'order_cut' THEN round((10 + random() * 80)::numeric)
				WHEN 'late_payment' THEN round((2000 + random() * 80000)::numeric, -2)
				ELSE NULL END;
			PERFORM set_config('churnwarn.clock',
				(day + interval '9 hours' + random() * interval '9 hours')::text, true);
			sid := churnwarn.report_signal(id, typ,
				day + interval '8 hours' + random() * interval '1 hour'
					- CASE WHEN random() < 0.08 THEN (1 + floor(random() * 4)) * interval '1 day' ELSE interval '0' END,
				jsonb_build_object('channel', (ARRAY['call', 'email', 'visit', 'ticket'])[1 + floor(random() * 4)::int]),
				owners[1 + floor(random() * array_length(owners, 1))::int], amount);
			-- most complaints and late payments get resolved within weeks
			IF typ IN ('complaint', 'late_payment', 'demand_unanswered', 'cold_response') AND random() < 0.6 THEN
				PERFORM set_config('churnwarn.clock',
					(day + interval '12 hours' + random() * interval '20 days')::text, true);
				PERFORM churnwarn.resolve_signal(sid, 'handled by the account owner');
			ELSIF random() < 0.03 THEN
				PERFORM churnwarn.withdraw_signal(sid, 'reported for the wrong customer');
			END IF;
		END LOOP;
		PERFORM pg_temp.work_day(day, owners);
		-- the periodic pass, weekly here (pg_cron runs it every few minutes)
		IF extract(isodow FROM day) = 5 THEN
			PERFORM churnwarn.tick(day + interval '18 hours');
		END IF;
	END LOOP;
	PERFORM set_config('churnwarn.clock', '', true);
END
$demo$;
