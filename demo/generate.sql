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
-- open, escalate and de-escalate at the times they would have; the same
-- seed always gives the same data.
\set ON_ERROR_STOP on
SELECT set_config('demo.company', :'company', false),
	set_config('demo.customers', :'customers', false) \gset

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

	-- a year of signals, day by day; a few customers carry most of the risk
	FOR d IN 0..364 LOOP
		day := year_start + d * interval '1 day';
		CONTINUE WHEN extract(isodow FROM day) > 6;		-- little happens on Sundays
		n_today := 1 + floor(random() * n_customers / 60.0)::int;
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
				day + interval '8 hours' + random() * interval '1 hour',
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
	END LOOP;
	PERFORM set_config('churnwarn.clock', '', true);
END
$demo$;
