"""MkDocs plugins of this site, registered in pyproject.toml (``mkdocs.plugins``).

Only plugins live here: the build's other code is in scripts/, the engine in
backprop_core/.
"""
