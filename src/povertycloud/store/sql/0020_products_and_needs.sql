-- Migration 20: sales of poor households' products (电商扶贫, 消费扶贫; assistance/
-- products.py) and help from society (社会扶贫; assistance/needs.py).
-- A product is sold by a household or a cooperative; the households behind it share its
-- income (product_households, shares summing to 1). Orders take from what is available;
-- a delivered order's amount is the sellers' income, attributed by share.
CREATE TABLE products (
    product_id BIGINT NOT NULL,
    county_code VARCHAR NOT NULL,
    village_code VARCHAR NOT NULL,
    seller VARCHAR NOT NULL,          -- the household's or the cooperative's name
    seller_kind VARCHAR NOT NULL,     -- household or cooperative
    name VARCHAR NOT NULL,
    category VARCHAR NOT NULL,        -- grain, vegetables, fruit, tea, meat, eggs, honey,
                                      -- mushrooms, herbs, handicrafts, other
    unit VARCHAR NOT NULL,            -- kg, box, piece...
    price_fen BIGINT NOT NULL,        -- each unit
    available BIGINT NOT NULL,        -- units not yet ordered
    season VARCHAR,                   -- the months it is sold, e.g. 9-11
    certificates VARCHAR,             -- quality certificates, ';'-separated
    description VARCHAR,
    photo VARCHAR,                    -- the photo's SHA-256 (photos)
    listed_by VARCHAR NOT NULL,
    listed_at TIMESTAMP NOT NULL,
    active BOOLEAN NOT NULL,
    PRIMARY KEY (product_id)
);
CREATE TABLE product_households (
    product_id BIGINT NOT NULL,
    household_id BIGINT NOT NULL,
    share DOUBLE NOT NULL,
    PRIMARY KEY (product_id, household_id)
);
CREATE TABLE orders (
    order_id BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    buyer VARCHAR NOT NULL,
    buyer_kind VARCHAR NOT NULL,      -- canteen, company, government, individual, other
    contact VARCHAR,
    quantity BIGINT NOT NULL,
    price_fen BIGINT NOT NULL,        -- each unit, as it was when ordered
    amount_fen BIGINT NOT NULL,
    ordered_at TIMESTAMP NOT NULL,
    channel VARCHAR NOT NULL,         -- portal or office
    status VARCHAR NOT NULL,          -- ordered, delivered or cancelled
    delivered_on DATE,
    recorded_by VARCHAR,
    PRIMARY KEY (order_id)
);
CREATE SEQUENCE product_ids START 1;
CREATE SEQUENCE order_ids START 1;

-- A need published for a household or a village, without ID numbers or health details;
-- helpers (companies, NGOs, individuals) registered on the portal pledge against it; the
-- village confirms delivery with evidence.
CREATE TABLE needs (
    need_id BIGINT NOT NULL,
    village_code VARCHAR NOT NULL,
    household_id BIGINT,              -- NULL: the village's need
    kind VARCHAR NOT NULL,            -- equipment, tuition, seedlings, livestock, job,
                                      -- housing, other
    title VARCHAR NOT NULL,
    description VARCHAR NOT NULL,
    value_fen BIGINT NOT NULL,        -- what meeting it is worth
    published_by VARCHAR NOT NULL,
    published_at TIMESTAMP NOT NULL,
    status VARCHAR NOT NULL,          -- open, pledged, met, withdrawn
    PRIMARY KEY (need_id)
);
CREATE TABLE helpers (
    helper_id BIGINT NOT NULL,
    kind VARCHAR NOT NULL,            -- company, ngo, individual
    name VARCHAR NOT NULL,
    contact VARCHAR NOT NULL,
    registered_at TIMESTAMP NOT NULL,
    PRIMARY KEY (helper_id)
);
CREATE TABLE pledges (
    pledge_id BIGINT NOT NULL,
    need_id BIGINT NOT NULL,
    helper_id BIGINT NOT NULL,
    value_fen BIGINT NOT NULL,
    what VARCHAR NOT NULL,            -- what the helper gives
    pledged_at TIMESTAMP NOT NULL,
    status VARCHAR NOT NULL,          -- pledged, delivered, withdrawn
    delivered_on DATE,
    confirmed_by VARCHAR,             -- the village officer who confirmed it
    confirmed_at TIMESTAMP,
    evidence VARCHAR,                 -- a photo's SHA-256 (photos), or a note
    PRIMARY KEY (pledge_id)
);
CREATE SEQUENCE need_ids START 1;
CREATE SEQUENCE helper_ids START 1;
CREATE SEQUENCE pledge_ids START 1;
