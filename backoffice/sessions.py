"""Database sessions that a request writes back only when it changed them.

``SESSION_SAVE_EVERY_REQUEST`` keeps a session alive for ``SESSION_COOKIE_AGE`` after the
last request, but Django's database backend does it by writing the whole session back as the
request read it. A request that changed nothing (a customer photo, a progress poll) and
finished after another one changed the session (a store chosen in the top bar) put the old
data back. Here such a request only moves the expiry date forward.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError


class SessionStore(db.SessionStore):
    def save(self, must_create=False):
        if must_create or self.modified or self.session_key is None:
            return super().save(must_create=must_create)
        touched = self.model.objects.filter(session_key=self.session_key).update(
            expire_date=self.get_expiry_date()
        )
        if not touched:  # signed out meanwhile: never bring the session back
            raise UpdateError
