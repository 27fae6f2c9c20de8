"""Flask extensions, created unbound and attached in the app factory."""

from flask_caching import Cache

cache = Cache()
