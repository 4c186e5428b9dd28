-- Written for persona-gen's corpus (not taken from a package): the shapes of real schemas
-- whose own scripts are GPL-licensed and so are not copied here. Bacula's catalog and
-- FreeRADIUS write unquoted mixed-case names (CREATE TABLE Job (JobId ...)), which
-- PostgreSQL folds to lower case; MediaWiki's page table has a two-column UNIQUE index
-- (page_namespace, page_title).

CREATE TABLE Pool (
    PoolId      serial PRIMARY KEY,
    Name        text NOT NULL UNIQUE,
    "MaxVolumes" integer NOT NULL DEFAULT 0 CHECK ("MaxVolumes" >= 0)
);

CREATE TABLE Job (
    JobId       serial PRIMARY KEY,
    Job         text NOT NULL,
    Name        text NOT NULL,
    Level       char(1) NOT NULL CHECK (Level IN ('F', 'I', 'D')),
    PoolId      integer REFERENCES Pool (PoolId),
    StartTime   timestamp without time zone,
    UNIQUE (Level, Name)
);

CREATE TABLE page (
    page_id          SERIAL NOT NULL,
    page_namespace   SMALLINT NOT NULL CHECK (page_namespace BETWEEN 0 AND 15),
    page_title       VARCHAR(255) NOT NULL,
    page_is_redirect SMALLINT DEFAULT 0 NOT NULL CHECK (page_is_redirect IN (0, 1)),
    page_len         INT NOT NULL,
    PRIMARY KEY (page_id)
);
CREATE UNIQUE INDEX page_name_title ON page (page_namespace, page_title);

CREATE TABLE seat (
    seat_id  serial PRIMARY KEY,
    row_no   smallint NOT NULL CHECK (row_no BETWEEN 1 AND 8),
    seat_no  smallint NOT NULL CHECK (seat_no BETWEEN 1 AND 12),
    JobId    integer REFERENCES Job (JobId)
);
CREATE UNIQUE INDEX seat_row_seat ON seat (row_no, seat_no);
