"""The read store's migrations, one module each: ``mNNNN_<what>.py`` defining ``MIGRATION``.

Forward only: never edit or renumber one that has shipped; add the next number instead. A migration
declares its tables as they are at that point, not by importing today's declarations, so it keeps
creating the same thing when replayed on an empty store.
"""
