"""Files that background jobs write or read (exports, uploaded imports) are kept for
``JOB_FILES_KEPT_FOR``. Each app registers a function removing its own expired files; the
next job of a kind removes that kind's, and ``manage.py remove_expired_files`` all."""

removers = {}  # kind of file -> function() -> how many files it removed


def register(kind, remover):
    removers[kind] = remover
