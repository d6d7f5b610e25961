"""Renderers of the bilingual brief: ``markdown``, ``html``, ``docx`` (python-docx), one module a format.

Each takes a ``pipeline.brief.Brief`` and returns text (bytes for Word). They read the brief's fields and
never import ``pipeline.brief`` (which imports them): the dependency runs one way.
"""
