-- Why a linked pair is under review, and the evidence of a probabilistic pair.
ALTER TABLE feed_links ADD COLUMN reason VARCHAR;    -- below_threshold, rival, twin, namesake
ALTER TABLE feed_links ADD COLUMN evidence VARCHAR;  -- Splink's waterfall, as JSON
