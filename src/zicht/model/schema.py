"""The canonical model: the tables every source is mapped onto.

See docs/model.md for the meaning of each column. Identifiers of persons and households
are keyed pseudonyms (see zicht.privacy.pseudonym); no BSN, name or address is stored.
The DDL is plain SQL that DuckDB and PostgreSQL both accept.

The large fact tables carry no PRIMARY KEY: keeping an index up to date cost 2.5 of 6
seconds per million loaded rows, and ingest enforces each natural key itself (rule
``duplicate_row``, checked against the file and the table), which also lets it report
the duplicate instead of failing the load.
"""

from __future__ import annotations

from zicht.store import Store

LAWS = ("jeugd", "wmo", "pwet", "schuld", "wijkteam")
"""Law codes: Jeugdwet, Wmo 2015, Participatiewet, Wet gemeentelijke schuldhulpverlening;
``wijkteam`` marks a help request to the local team (seed 004; see docs/chain.md), whose
outcome is its product category: ``zelf``, ``voorliggend`` or ``maatwerk``."""

CHAIN_STEPS = (
    "melding",
    "onderzoek",
    "aanvraag",
    "verzoek_toewijzing",
    "beschikking",
    "toewijzing",
    "start_levering",
    "declaratie",
    "stop_levering",
    "eerste_gesprek",
)
"""Steps of the client chain, in their usual order."""

LEVELS = ("gemeente", "wijk", "buurt")

TABLES: dict[str, str] = {
    "area": """
        CREATE TABLE IF NOT EXISTS area (
            level VARCHAR NOT NULL,
            code VARCHAR NOT NULL,
            name VARCHAR NOT NULL,
            parent_code VARCHAR,
            gemeente_code VARCHAR NOT NULL,
            boundary_year INTEGER NOT NULL,
            geometry VARCHAR,
            load_id VARCHAR NOT NULL,
            PRIMARY KEY (code, boundary_year)
        )""",
    "person_period": """
        CREATE TABLE IF NOT EXISTS person_period (
            period INTEGER NOT NULL,
            person_id VARCHAR NOT NULL,
            birth_year INTEGER NOT NULL,
            sex VARCHAR NOT NULL,
            household_id VARCHAR NOT NULL,
            buurt_code VARCHAR NOT NULL,
            load_id VARCHAR NOT NULL
        )""",
    "provider": """
        CREATE TABLE IF NOT EXISTS provider (
            provider_code VARCHAR NOT NULL PRIMARY KEY,
            name VARCHAR NOT NULL,
            kind VARCHAR,
            load_id VARCHAR NOT NULL
        )""",
    "provision": """
        CREATE TABLE IF NOT EXISTS provision (
            provision_id VARCHAR NOT NULL,
            person_id VARCHAR NOT NULL,
            law VARCHAR NOT NULL,
            product_category VARCHAR,
            product_code VARCHAR,
            provider_code VARCHAR,
            referrer VARCHAR,
            start_date DATE NOT NULL,
            end_date DATE,
            volume DOUBLE PRECISION,
            unit VARCHAR,
            frequency VARCHAR,
            toewijzing_id VARCHAR,
            source VARCHAR NOT NULL,
            load_id VARCHAR NOT NULL
        )""",
    "toewijzing": """
        CREATE TABLE IF NOT EXISTS toewijzing (
            toewijzing_id VARCHAR NOT NULL,
            person_id VARCHAR NOT NULL,
            law VARCHAR NOT NULL,
            product_category VARCHAR,
            product_code VARCHAR,
            provider_code VARCHAR,
            start_date DATE NOT NULL,
            end_date DATE,
            volume DOUBLE PRECISION,
            unit VARCHAR,
            frequency VARCHAR,
            assigned_date DATE,
            source VARCHAR NOT NULL,
            load_id VARCHAR NOT NULL
        )""",
    "chain_event": """
        CREATE TABLE IF NOT EXISTS chain_event (
            person_id VARCHAR NOT NULL,
            law VARCHAR NOT NULL,
            step VARCHAR NOT NULL,
            event_date DATE NOT NULL,
            provision_id VARCHAR,
            toewijzing_id VARCHAR,
            provider_code VARCHAR,
            product_category VARCHAR,
            detail VARCHAR,
            source VARCHAR NOT NULL,
            load_id VARCHAR NOT NULL
        )""",
    "cost": """
        CREATE TABLE IF NOT EXISTS cost (
            declaratie_id VARCHAR NOT NULL,
            person_id VARCHAR NOT NULL,
            law VARCHAR NOT NULL,
            provider_code VARCHAR,
            product_code VARCHAR,
            toewijzing_id VARCHAR,
            period_start DATE NOT NULL,
            period_end DATE NOT NULL,
            amount DECIMAL(14, 2) NOT NULL,
            source VARCHAR NOT NULL,
            load_id VARCHAR NOT NULL
        )""",
    "message": """
        CREATE TABLE IF NOT EXISTS message (
            message_id VARCHAR NOT NULL,
            message_type VARCHAR NOT NULL,
            sender VARCHAR,
            receiver VARCHAR,
            dagtekening DATE,
            records INTEGER NOT NULL,
            load_id VARCHAR NOT NULL
        )""",
    "quarantine": """
        CREATE TABLE IF NOT EXISTS quarantine (
            load_id VARCHAR NOT NULL,
            source VARCHAR NOT NULL,
            file VARCHAR NOT NULL,
            row_number BIGINT NOT NULL,
            rule VARCHAR NOT NULL,
            message VARCHAR NOT NULL,
            record VARCHAR
        )""",
    "load_log": """
        CREATE TABLE IF NOT EXISTS load_log (
            load_id VARCHAR NOT NULL PRIMARY KEY,
            source VARCHAR NOT NULL,
            file VARCHAR NOT NULL,
            file_sha256 VARCHAR NOT NULL,
            target VARCHAR NOT NULL,
            rows_in BIGINT NOT NULL,
            accepted BIGINT NOT NULL,
            quarantined BIGINT NOT NULL,
            reasons VARCHAR NOT NULL,
            loaded_at TIMESTAMP WITH TIME ZONE NOT NULL
        )""",
}


def create_schema(store: Store) -> None:
    """Create every canonical table that does not exist yet."""
    for ddl in TABLES.values():
        store.execute(ddl)
