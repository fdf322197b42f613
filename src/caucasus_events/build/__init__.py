"""The maintainer's room: from raw/ to checked tables.

Nothing here is imported when a data user loads a table. The modules read raw/
(:mod:`.yamlio`, :mod:`.rawdata`), run the per-article stage (:mod:`.stage`, locally or on
Dask with :mod:`.daskengine`), assemble and serialize the tables (:mod:`.assemble`,
:mod:`.serialize`), check them (:mod:`.models`, :mod:`.validate`, :mod:`.lint`) and commit the
outputs (:mod:`.output`); :mod:`.pipeline` ties these steps together. The annotators' tools
(:mod:`.addtext`, :mod:`.search`), the agreement between coders (:mod:`.agreement`) and the
generated documentation (:mod:`.docgen`, :mod:`.readme`) live here too, since they read raw/
or the models.

The import contract in ``pyproject.toml`` (``lint-imports``) keeps the consumer modules of
the top-level package from importing this room.
"""
