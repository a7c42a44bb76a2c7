\set id random(1, 10000)
UPDATE acct_noop SET balance = balance + 1 WHERE id = :id;
