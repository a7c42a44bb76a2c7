\set id random(1, 10000)
UPDATE acct_watched SET balance = balance + 1 WHERE id = :id;
