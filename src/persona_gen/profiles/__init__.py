"""Profiles: project-owned bindings of personas, datasets and (optionally) an entity."""
