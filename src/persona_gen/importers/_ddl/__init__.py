"""The parts of the SQL DDL importer (``persona_gen.importers.ddl`` is its front door)."""
