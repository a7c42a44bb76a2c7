-- W1 B: the same row, plain INSERT into a same-shaped table without triggers (bench/run)
\set c random(1, 10000)
\set r random(1, 1000)
\set t case when :r <= 140 then 1 when :r <= 260 then 2 when :r <= 380 then 3 when :r <= 500 then 4 when :r <= 580 then 5 when :r <= 640 then 6 when :r <= 700 then 7 when :r <= 750 then 8 when :r <= 790 then 9 when :r <= 830 then 10 when :r <= 870 then 11 when :r <= 900 then 12 when :r <= 930 then 13 when :r <= 960 then 14 when :r <= 980 then 15 when :r <= 995 then 16 when :r <= 998 then 17 else 18 end
\set amt random(10, 80)
\set age random(0, 2880)
INSERT INTO bench.signal_plain (customer_id, signal_type, observed_at, reported_at, reported_by, source, detail, amount) VALUES ('w1-' || :c, (ARRAY['late_payment','complaint','cold_response','interaction_drop','event_declined','demand_unanswered','dissatisfaction','contact_change','expansion_refused','complaint_unresolved','competitor_contact','business_change','project_paused','order_cut','negative_review','renewal_refused','competitor_deal','termination_notice'])[:t], now() - :age * interval '1 minute', now(), session_user, 'manual', '{"channel": "email"}'::jsonb, CASE WHEN :t = 14 THEN :amt::numeric END) RETURNING id;
