"""The release manager's room: release archives, the static site and the README figure.

These modules read built tables and write archives, pages and figures. They may use
:mod:`caucasus_events.build`, never the reverse (the layers contract in ``pyproject.toml``).
"""
