-- Example PostgreSQL schema for `persona-gen import-schema schemas/users.sql -f ddl -e users`.
-- Users with addresses and orders: enums, CHECKs, UNIQUE, DEFAULTs, NUMERIC money amounts,
-- TIMESTAMPTZ, UUID and SERIAL keys, VARCHAR lengths and foreign keys.

CREATE TYPE account_status AS ENUM ('pending', 'active', 'suspended', 'closed');
CREATE TYPE order_status AS ENUM ('cart', 'placed', 'paid', 'shipped', 'delivered', 'cancelled');

CREATE TABLE users (
    id            UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    email         VARCHAR(254) NOT NULL UNIQUE,
    username      VARCHAR(32)  NOT NULL UNIQUE CHECK (length(username) >= 3),
    first_name    VARCHAR(50)  NOT NULL,
    last_name     VARCHAR(50)  NOT NULL,
    phone         VARCHAR(20),
    birth_date    DATE,
    age           SMALLINT CHECK (age BETWEEN 13 AND 120),
    status        account_status NOT NULL DEFAULT 'pending',
    country_code  CHAR(2) NOT NULL DEFAULT 'US',
    loyalty_points INTEGER NOT NULL DEFAULT 0 CHECK (loyalty_points >= 0),
    marketing_opt_in BOOLEAN NOT NULL DEFAULT false,
    preferences   JSONB,
    tags          TEXT[],
    last_login_ip INET,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ
);

COMMENT ON COLUMN users.loyalty_points IS 'Points collected from paid orders';

CREATE TABLE addresses (
    id          SERIAL PRIMARY KEY,
    user_id     UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        VARCHAR(10) NOT NULL DEFAULT 'shipping' CHECK (kind IN ('shipping', 'billing')),
    street      VARCHAR(120) NOT NULL,
    city        VARCHAR(80)  NOT NULL,
    postal_code VARCHAR(10)  NOT NULL,
    country     VARCHAR(56)  NOT NULL,
    is_default  BOOLEAN NOT NULL DEFAULT false,
    UNIQUE (user_id, kind, street)
);

CREATE TABLE orders (
    id               BIGSERIAL PRIMARY KEY,
    order_number     VARCHAR(20) NOT NULL,
    user_id          UUID NOT NULL,
    shipping_address_id INTEGER REFERENCES addresses (id),
    status           order_status NOT NULL DEFAULT 'cart',
    item_count       INTEGER NOT NULL CHECK (item_count > 0),
    subtotal         NUMERIC(10, 2) NOT NULL CHECK (subtotal >= 0),
    discount         NUMERIC(10, 2) NOT NULL DEFAULT 0.00,
    currency         CHAR(3) NOT NULL DEFAULT 'USD',
    notes            TEXT,
    placed_at        TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    delivered_on     DATE,
    CONSTRAINT orders_discount_range CHECK (discount >= 0 AND discount <= 500)
);

ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE orders ADD CONSTRAINT orders_number_key UNIQUE (order_number);
CREATE INDEX orders_user_idx ON orders (user_id, placed_at);
