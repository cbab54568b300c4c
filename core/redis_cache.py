"""Django's Redis cache, with one client object per connection pool instead of one per call.

django.core.cache.backends.redis builds a new redis.Redis for every operation; with redis-py 8
that copies ~1,500 response callbacks each time, a noticeable share of a page that reads a few
cache keys. A redis.Redis client is thread-safe and holds no per-call state, so keep it.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class PortalRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
