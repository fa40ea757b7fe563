-- A proposed pair whose cluster (the pairs that chain to it) holds two people who
-- cannot be one: twins (one household, one birth date, names one character apart) or
-- two birth dates no clerk's fault explains.
ALTER TABLE registry_duplicates ADD COLUMN contradiction VARCHAR;
