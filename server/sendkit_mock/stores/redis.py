"""The shared store: every session's state in one Redis, so several workers (on one host or many) serve one world.

It implements the domain's interfaces (`domain.stores`) with redis-py and changes nothing above them. Keys,
under a prefix (`sendkit-mock` unless the URL's `?prefix=` says otherwise), per session `s:<name>:`:

    <kind>            HASH  id -> record JSON (reports, recipients, webhooks)
    <kind>:order      ZSET  id by seq (eviction, `all`)       <kind>:seq  the last seq handed out
    <kind>:idx:<scope>[:<facet>]   ZSET  id by seq: a page is one range read, newest first, by seq
    reports:idx:<scope>[:<type>]:s:<status>  ZSET  id by seq, kept by the transitions (RedisReports)
    reports:tl, :st, :chg, :asof   what keeps those: timelines, statuses as of asof, the next moves
    announcements, deliveries      ZSET  due instant (us) -> "<arrival>|JSON"; `:leased` what is being done
    outbox, attempts, journal      LIST  capped with LTRIM in the same transaction as RPUSH
    counter:<name>    the id sequences (INCR)         clock  HASH mode, start, offset, frozen (us)
    lock:<name>, first:<name>      the guard's locks and once-only claims

and `sessions`, a ZSET of session names by last use (ms), for listing, capping and idle expiry.

What must be atomic across workers is one Lua call or one MULTI: an add with its indexes, a page with its
total, a due pop with its lease (so each announcement and each webhook attempt goes to one worker, and back
to the queue if that worker dies before `done`). A read-check-write of the domain (a duplicate e-mail, a
webhook's counters) holds the session's lock for it. Every Redis failure becomes `StoreUnavailable`: a 503
with Retry-After, never a 500; the connection pool reconnects by itself when Redis is back.
"""

from __future__ import annotations

import functools
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, ParamSpec, TypeVar
from urllib.parse import parse_qs, urlsplit, urlunsplit

import orjson
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from ..clock import ClockState, exact, instant, micros
from ..domain.auth import Scope
from ..domain.ids import journal_ids, numbered_id
from ..domain.lifecycle import HELD
from ..domain.recipients import Recipient
from ..domain.reports import Report
from ..domain.stores import COUNTERS, DueQueue, E, Page, SessionStores, T, UnknownCursor
from ..domain.webhooks import Job, Webhook
from ..errors import StoreUnavailable
from . import records
from .memo import current as current_memo

EVICTION_LOOKAHEAD = 256
DEFAULT = "default"  # the session that is never dropped (sessions.DEFAULT)
LEASE_MS = 30_000  # a popped announcement or attempt goes back to the queue if not done by then
TOUCH_SECONDS = 1.0
LOCK_SECONDS = 10.0  # a lock's holder that dies frees it after this long
LOCK_WAIT_SECONDS = 5.0
DOWN = "redis_store.down"  # in a request's memo once a call of that request failed
Client = Any  # a redis.Redis; its type hints give every reply the union of all replies, so it is Any here
P = ParamSpec("P")
R = TypeVar("R")


def unavailable(method: Callable[P, R]) -> Callable[P, R]:
    """Redis down, restarting or too slow: a 503 the client can retry, not a 500."""

    @functools.wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        memo = current_memo()
        if memo is not None and DOWN in memo:  # this request met the outage already: no second wait
            raise StoreUnavailable(memo[DOWN])
        try:
            return method(*args, **kwargs)
        except redis.RedisError as exc:
            message = (f"The mock's shared store is not reachable ({type(exc).__name__}); try again after "
                       "Retry-After seconds")
            if memo is not None:
                memo[DOWN] = message
            raise StoreUnavailable(message) from exc

    return call


def _dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:  # an integer past 64 bits (a journaled body may hold one): the standard library's JSON
        return json.dumps(value, separators=(",", ":")).encode()


_LONG_NUMBER = re.compile(rb"\d{19}")


def _loads(raw: bytes) -> Any:
    """orjson reads an integer past 64 bits as a float; the standard library keeps it whole."""
    return json.loads(raw) if _LONG_NUMBER.search(raw) else orjson.loads(raw)


# --- Lua: each runs whole on the server, so no other worker sees half of it ------------------------------

_ADD = """
-- KEYS: hash, order, seq, index...; ARGV: id, seq, json
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
local seq = tonumber(ARGV[2])
redis.call('ZADD', KEYS[2], seq, ARGV[1])
for i = 4, #KEYS do redis.call('ZADD', KEYS[i], seq, ARGV[1]) end
local last = tonumber(redis.call('GET', KEYS[3]) or '0')
if seq > last then redis.call('SET', KEYS[3], seq) end
return redis.call('HLEN', KEYS[1])
"""

_REMOVE = """
-- KEYS: hash, every sorted set naming it; ARGV: id, cap (0: remove whatever the count); 1 if removed
if tonumber(ARGV[2]) > 0 and redis.call('HLEN', KEYS[1]) <= tonumber(ARGV[2]) then return 0 end
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
for i = 2, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
return 1
"""

_REPLACE = """
-- KEYS: hash; ARGV: id, json: a record deleted meanwhile stays deleted
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
"""

_PAGE = """
-- KEYS: page index, scope index, hash; ARGV: cursor id or '', count; returns {total, json...} or {-1}
local ids
if ARGV[1] ~= '' then
  local seq = redis.call('ZSCORE', KEYS[2], ARGV[1])
  if not seq then return {-1} end
  ids = redis.call('ZRANGE', KEYS[1], '(' .. seq, '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, tonumber(ARGV[2]))
else
  ids = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1, 'REV')
end
local out = {redis.call('ZCARD', KEYS[1])}
if #ids > 0 then
  local found = redis.call('HMGET', KEYS[3], unpack(ids))
  for i = 1, #found do if found[i] then out[#out + 1] = found[i] end end
end
return out
"""

_SCOPE = """
-- KEYS: index, hash; ARGV: how many (none: all): the records of the index, oldest first
local n = tonumber(ARGV[1] or '0')
local ids = redis.call('ZRANGE', KEYS[1], 0, n > 0 and n - 1 or -1)
if #ids == 0 then return {} end
local found = redis.call('HMGET', KEYS[2], unpack(ids))
local out = {}
for i = 1, #found do if found[i] then out[#out + 1] = found[i] end end
return out
"""

# A report's status, kept in one more index per status (memory.py's InMemoryReportStore says why and how).
# <reports>:tl HASH id -> "starts|finishes|outcome|seq|scope index|type index"; :st HASH id -> its status as
# of :asof (us); :chg ZSET id by the next instant its status moves at. An index per status is the scope's or
# the type's index key and ":s:<status>".
_STATUS_LUA = """
local HELD = %d
local function status_at(t, f)
  if t < tonumber(f[1]) then return 'queued' elseif t < tonumber(f[2]) then return 'processing' end
  return f[3]
end
local function next_at(t, f)
  local starts, finishes = tonumber(f[1]), tonumber(f[2])
  if t < starts then return starts elseif t < finishes and finishes < HELD then return finishes end
  return nil
end
local function fields(text)
  local f = {}
  for part in string.gmatch(text, '[^|]+') do f[#f + 1] = part end
  return f
end
local function unfile(st, id, f)
  local old = redis.call('HGET', st, id)
  if old then
    redis.call('ZREM', f[5] .. ':s:' .. old, id)
    redis.call('ZREM', f[6] .. ':s:' .. old, id)
  end
end
local function file(st, chg, id, f, t)
  local status = status_at(t, f)
  redis.call('ZADD', f[5] .. ':s:' .. status, tonumber(f[4]), id)
  redis.call('ZADD', f[6] .. ':s:' .. status, tonumber(f[4]), id)
  redis.call('HSET', st, id, status)
  local at = next_at(t, f)
  if at then redis.call('ZADD', chg, at, id) else redis.call('ZREM', chg, id) end
end
"""

_FILE = _STATUS_LUA + """
-- KEYS: tl, st, chg, asof; ARGV: id, timeline fields: the report filed under its status as of asof
local t = tonumber(redis.call('GET', KEYS[4]) or '0')
local before = redis.call('HGET', KEYS[1], ARGV[1])
if before then unfile(KEYS[2], ARGV[1], fields(before)) end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
file(KEYS[2], KEYS[3], ARGV[1], fields(ARGV[2]), t)
return 1
"""

_CREATE = _STATUS_LUA + """
-- KEYS: hash, order, seq, tl, st, chg, asof, announcements, their arrivals; ARGV: per new report 9 values: id,
-- its json before and after its seq, scope index, type index, its timeline fields before and after its seq,
-- finish (us), announcement json. Each report given the next seq, stored, indexed, filed under its status and
-- queued to be announced, all at once; returns the first seq and how many reports are stored
local t = tonumber(redis.call('GET', KEYS[7]) or '0')
local count = #ARGV / 9
local last = redis.call('INCRBY', KEYS[3], count)
local first = last - count + 1
for i = 1, #ARGV, 9 do
  local id, seq = ARGV[i], first + (i - 1) / 9
  local text = string.format('%%d', seq)
  redis.call('HSET', KEYS[1], id, ARGV[i + 1] .. text .. ARGV[i + 2])
  redis.call('ZADD', KEYS[2], seq, id)
  redis.call('ZADD', ARGV[i + 3], seq, id)
  redis.call('ZADD', ARGV[i + 4], seq, id)
  local before = redis.call('HGET', KEYS[4], id)
  if before then unfile(KEYS[5], id, fields(before)) end
  local timeline = ARGV[i + 5] .. text .. ARGV[i + 6]
  redis.call('HSET', KEYS[4], id, timeline)
  file(KEYS[5], KEYS[6], id, fields(timeline), t)
  local n = redis.call('INCR', KEYS[9])
  redis.call('ZADD', KEYS[8], tonumber(ARGV[i + 7]), string.format('%%016x', n) .. '|' .. ARGV[i + 8])
end
return {first, redis.call('HLEN', KEYS[1])}
"""

_UNFILE = _STATUS_LUA + """
-- KEYS: tl, st, chg; ARGV: id
local before = redis.call('HGET', KEYS[1], ARGV[1])
if not before then return 0 end
unfile(KEYS[2], ARGV[1], fields(before))
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return 1
"""

_SETTLE = _STATUS_LUA + """
-- KEYS: tl, st, chg, asof; ARGV: now (us), at most how many moves: the index moved on to now (never back);
-- returns how many reports are still to move (a call moves at most ARGV[2]: Redis answers others between)
local t = math.max(tonumber(redis.call('GET', KEYS[4]) or '0'), tonumber(ARGV[1]))
redis.call('SET', KEYS[4], string.format('%%d', t))
local ids = redis.call('ZRANGE', KEYS[3], '-inf', t, 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(ids) do
  local text = redis.call('HGET', KEYS[1], id)
  if text then
    local f = fields(text)
    unfile(KEYS[2], id, f)
    file(KEYS[2], KEYS[3], id, f, t)
  else
    redis.call('ZREM', KEYS[3], id)
  end
end
return redis.call('ZCOUNT', KEYS[3], '-inf', t)
"""

_PUSH = """
-- KEYS: queue, arrivals; ARGV: due (us), json
local n = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[1], tonumber(ARGV[1]), string.format('%016x', n) .. '|' .. ARGV[2])
return n
"""

_POP_DUE = """
-- KEYS: queue, leased; ARGV: now (us), lease (ms): what is due, each leased to this caller until done
local t = redis.call('TIME')
local wall = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lost = redis.call('ZRANGE', KEYS[2], '-inf', wall, 'BYSCORE')
for _, member in ipairs(lost) do  -- its worker died before done: due again, at once
  redis.call('ZREM', KEYS[2], member)
  redis.call('ZADD', KEYS[1], 0, member)
end
local due = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE')
for _, member in ipairs(due) do
  redis.call('ZREM', KEYS[1], member)
  redis.call('ZADD', KEYS[2], wall + tonumber(ARGV[2]), member)
end
return due
"""

_DUE_SESSIONS = """
-- KEYS: the sessions ZSET; ARGV: the prefix, the base clock's now (us). The real-time sessions with
-- something due now: a report to announce, a webhook attempt (or one whose lease ran out), a recipient's
-- schedule. One call per round, so idle sessions cost the ticker nothing. (Keys are derived from the
-- names: one Redis, not a cluster.)
local t = redis.call('TIME')
local wall_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)  -- leases run on Redis' time
local base_us = tonumber(ARGV[2])
local out = {}
local function first_at_or_before(key, limit)
  local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return first[2] ~= nil and tonumber(first[2]) <= limit
end
for _, name in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local base = ARGV[1] .. ':s:' .. name .. ':'
  local clock = redis.call('HMGET', base .. 'clock', 'mode', 'offset')
  if clock[1] == 'real' then
    local now = base_us + tonumber(clock[2])
    if first_at_or_before(base .. 'announcements', now) or first_at_or_before(base .. 'deliveries', now)
        or first_at_or_before(base .. 'recipients:due', now)
        or first_at_or_before(base .. 'announcements:leased', wall_ms)
        or first_at_or_before(base .. 'deliveries:leased', wall_ms) then
      out[#out + 1] = name
    end
  end
end
return out
"""

_HIT = """
-- KEYS: a window; ARGV: its length (ms): one more request in it, the first starting its expiry
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
"""

_TOUCH = """
-- KEYS: the sessions ZSET; ARGV: a name: marked used now, by Redis' clock (one clock for every host); 1 if new
local t = redis.call('TIME')
return redis.call('ZADD', KEYS[1], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), ARGV[1])
"""

_IDLE = """
-- KEYS: the sessions ZSET; ARGV: idle time (ms): the names unused that long, by Redis' clock
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZRANGE', KEYS[1], '-inf', now - tonumber(ARGV[1]), 'BYSCORE')
"""

_INIT_CLOCK = """
-- KEYS: clock; ARGV: mode, start, offset, frozen: the first builder of a session sets its clock
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'mode', ARGV[1], 'start', ARGV[2], 'offset', ARGV[3], 'frozen', ARGV[4])
return 1
"""


@dataclass(frozen=True, slots=True)
class Codec(Generic[T]):
    encode: Callable[[T], dict[str, Any]]
    decode: Callable[[dict[str, Any]], T]


REPORTS: Codec[Report] = Codec(records.report_json, records.read_report)
RECIPIENTS: Codec[Recipient] = Codec(records.recipient_json, records.read_recipient)
WEBHOOKS: Codec[Webhook] = Codec(records.webhook_json, records.read_webhook)


class _Scripts:
    """The Lua above, registered once per client (EVALSHA; redis-py loads them again after a restart)."""

    def __init__(self, client: Client) -> None:
        self.add, self.remove, self.replace = (client.register_script(s) for s in (_ADD, _REMOVE, _REPLACE))
        self.page, self.scope = client.register_script(_PAGE), client.register_script(_SCOPE)
        self.push, self.pop_due = client.register_script(_PUSH), client.register_script(_POP_DUE)
        self.init_clock = client.register_script(_INIT_CLOCK)
        self.due_sessions = client.register_script(_DUE_SESSIONS)
        self.hit = client.register_script(_HIT)
        self.touch, self.idle = client.register_script(_TOUCH), client.register_script(_IDLE)
        held = micros(HELD)
        self.file, self.unfile, self.settle, self.create = (client.register_script(script % held)
                                                            for script in (_FILE, _UNFILE, _SETTLE, _CREATE))


def _never(_: object) -> bool:
    return False


class RedisRecords(Generic[T]):
    """Records of one kind of one session (domain.stores.Store)."""

    def __init__(self, client: Client, scripts: _Scripts, base: str, codec: Codec[T],
                 max_items: int | None = None, facet: Callable[[T], str] | None = None,
                 due: Callable[[T], datetime | None] | None = None) -> None:
        self._r, self._lua, self._codec = client, scripts, codec
        self._hash, self._order, self._seq = base, base + ":order", base + ":seq"
        self._idx = base + ":idx:"
        self.max_items, self._facet = max_items, facet
        self._due, self._due_key = due, base + ":due"  # by when a record wants the ticker (recipients' schedules)

    def _mark_due(self, item: T) -> None:
        when = self._due(item) if self._due else None
        if when is not None:
            self._r.zadd(self._due_key, {item.id: micros(when)})
        elif self._due:
            self._r.zrem(self._due_key, item.id)

    def _index(self, scope: Scope, facet: str | None = None) -> str:
        return f"{self._idx}{scope.kind}:{scope.id}" + (f":{facet}" if facet is not None else "")

    def _indexes(self, item: T) -> list[str]:
        """The record's indexes by seq: its scope's, and its facet's within the scope."""
        return [self._index(item.scope)] + ([self._index(item.scope, self._facet(item))] if self._facet else [])

    def _sets(self, item: T) -> list[str]:
        """Every sorted set that names the record, for a removal to take it out of each."""
        return [self._order, *self._indexes(item)] + ([self._due_key] if self._due else [])

    def _read(self, raw: bytes) -> T:
        return self._codec.decode(_loads(raw))

    @unavailable
    def next_seq(self, count: int = 1) -> int:
        return int(self._r.incrby(self._seq, count)) - count + 1

    @unavailable
    def add(self, item: T, evictable: Callable[[T], bool] = _never) -> list[T]:
        keys = [self._hash, self._order, self._seq, *self._indexes(item)]
        count = int(self._lua.add(keys=keys, args=[item.id, item.seq, _dumps(self._codec.encode(item))]))
        self._mark_due(item)
        return self._evict(count, evictable)

    def _evict(self, count: int, evictable: Callable[[T], bool]) -> list[T]:
        """Past the cap (`count` stored), the oldest evictable go until the store is under it again."""
        evicted: list[T] = []
        while self.max_items is not None and count > self.max_items:
            victim = self._victim(evictable)
            if victim is None:
                break
            if self._lua.remove(keys=[self._hash, *self._sets(victim)], args=[victim.id, self.max_items]):
                evicted.append(victim)
            count = int(self._r.hlen(self._hash))
        return evicted

    def _victim(self, evictable: Callable[[T], bool]) -> T | None:
        """The oldest evictable of the oldest EVICTION_LOOKAHEAD, else the oldest: nearly always the very
        oldest is finished, so one record is read, not 256."""
        found: list[T] = []
        for n in (1, 16, EVICTION_LOOKAHEAD):
            found = [self._read(raw) for raw in self._lua.scope(keys=[self._order, self._hash], args=[n])]
            victim = next((c for c in found if evictable(c)), None)
            if victim is not None or len(found) < n:
                return victim or (found[0] if found else None)
        return found[0] if found else None

    @unavailable
    def replace(self, item: T) -> None:
        if self._lua.replace(keys=[self._hash], args=[item.id, _dumps(self._codec.encode(item))]):
            self._mark_due(item)

    @unavailable
    def get(self, item_id: str) -> T | None:
        raw = self._r.hget(self._hash, item_id)
        return self._read(raw) if raw else None

    @unavailable
    def delete(self, item_id: str) -> T | None:
        item = self.get(item_id)
        if item is None:
            return None
        removed = self._lua.remove(keys=[self._hash, *self._sets(item)], args=[item.id, 0])
        return item if removed else None

    @unavailable
    def in_scope(self, scope: Scope) -> list[T]:
        return [self._read(raw) for raw in self._lua.scope(keys=[self._index(scope), self._hash])]

    @unavailable
    def all(self) -> list[T]:
        return sorted((self._read(raw) for raw in self._r.hvals(self._hash)), key=lambda r: r.seq)

    @unavailable
    def page(self, scope: Scope, *, cursor: str | None, limit: int, keep: Callable[[T], bool] | None = None,
             facet: str | None = None) -> Page[T]:
        index = self._index(scope, facet)
        if keep is None:
            found = self._lua.page(keys=[index, self._index(scope), self._hash], args=[cursor or "", limit + 1])
            if found[0] == -1:
                raise UnknownCursor(cursor)
            items = [self._read(raw) for raw in found[1:]]
            return Page(items=items[:limit], total=int(found[0]), has_more=len(items) > limit)
        newest_first = self._lua.scope(keys=[index, self._hash])[::-1]  # a filter no index covers: a scan
        kept = [r for r in map(self._read, newest_first) if keep(r)]
        start = 0
        if cursor is not None:
            after = self.get(cursor)
            if after is None or after.scope != scope:
                raise UnknownCursor(cursor)
            start = next((i for i, r in enumerate(kept) if r.seq < after.seq), len(kept))
        return Page(items=kept[start:start + limit], total=len(kept), has_more=len(kept) > start + limit)

    @unavailable
    def clear(self) -> None:
        keys = [self._hash, self._order, self._seq, self._due_key,
                *self._r.scan_iter(match=self._idx + "*", count=500)]
        self._r.unlink(*keys)

    @unavailable
    def __len__(self) -> int:
        return int(self._r.hlen(self._hash))


class RedisReports(RedisRecords[Report]):
    """Reports, with an index per status kept by the transitions, as the memory store's: the Lua above files
    a report under its status as of the index's instant, and a page on a status first moves the index on to
    the page's `now` (each report whose start or finish passed since), on the server, for every worker."""

    SETTLE_BATCH = 2_000  # moves per Lua call: a clock jump past 100,000 reports blocks Redis in slices

    def __init__(self, client: Client, scripts: _Scripts, base: str, max_items: int | None) -> None:
        super().__init__(client, scripts, base, REPORTS, max_items, facet=lambda report: report.report_type)
        self._tl, self._st, self._chg, self._asof = base + ":tl", base + ":st", base + ":chg", base + ":asof"

    def _fields(self, report: Report) -> str:
        t = report.timeline
        return "|".join((str(micros(t.starts)), str(micros(t.finishes)), t.outcome, str(report.seq),
                         self._index(report.scope), self._index(report.scope, report.report_type)))

    def _file(self, report: Report) -> None:
        self._lua.file(keys=[self._tl, self._st, self._chg, self._asof], args=[report.id, self._fields(report)])

    def _unfile(self, report_id: str) -> None:
        self._lua.unfile(keys=[self._tl, self._st, self._chg], args=[report_id])

    @unavailable
    def add(self, item: Report, evictable: Callable[[Report], bool] = _never) -> list[Report]:
        evicted = super().add(item, evictable)
        self._file(item)
        for victim in evicted:
            self._unfile(victim.id)
        return evicted

    @unavailable
    def add_new(self, reports: list[Report], evictable: Callable[[Report], bool],
                announcements: DueQueue[tuple[str, datetime]]) -> list[Report]:
        assert isinstance(announcements, RedisDueQueue) and announcements._r is self._r, \
            "a create is one Lua call: the reports and their announcements in the same Redis"
        args: list[str | int | bytes] = []
        for report in reports:  # each sent around its seq, which the script fills in
            unsequenced = report.sequenced(0)
            record, timeline = _dumps(self._codec.encode(unsequenced)), self._fields(unsequenced)
            record_head, record_tail = record.split(b'"seq":0', 1)  # the first: "id" comes before, and is hex
            t = report.timeline
            timeline_head = f"{micros(t.starts)}|{micros(t.finishes)}|{t.outcome}|"
            assert timeline.startswith(timeline_head + "0|")
            args += [report.id, record_head + b'"seq":', record_tail, self._index(report.scope),
                     self._index(report.scope, report.report_type), timeline_head, timeline[len(timeline_head) + 1:],
                     micros(t.finishes), _dumps(announcements._encode((report.id, t.finishes)))]
        keys = [self._hash, self._order, self._seq, self._tl, self._st, self._chg, self._asof,
                announcements._key, announcements._arrivals]
        first, count = self._lua.create(keys=keys, args=args)
        for victim in self._evict(int(count), evictable):
            self._unfile(victim.id)
        return [report.sequenced(int(first) + n) for n, report in enumerate(reports)]

    @unavailable
    def replace(self, item: Report) -> None:
        if self._lua.replace(keys=[self._hash], args=[item.id, _dumps(self._codec.encode(item))]):
            self._file(item)

    @unavailable
    def delete(self, item_id: str) -> Report | None:
        item = super().delete(item_id)
        if item is not None:
            self._unfile(item.id)
        return item

    @unavailable
    def page(self, scope: Scope, *, cursor: str | None, limit: int, keep: Callable[[Report], bool] | None = None,
             facet: str | None = None, status: str | None = None, now: datetime | None = None) -> Page[Report]:
        if status is None or now is None:
            return super().page(scope, cursor=cursor, limit=limit, keep=keep, facet=facet)
        keys = [self._tl, self._st, self._chg, self._asof]
        while self._lua.settle(keys=keys, args=[micros(now), self.SETTLE_BATCH]):
            pass
        index = self._index(scope, facet) + ":s:" + status
        found = self._lua.page(keys=[index, self._index(scope), self._hash], args=[cursor or "", limit + 1])
        if found[0] == -1:
            raise UnknownCursor(cursor)
        items = [self._read(raw) for raw in found[1:]]
        return Page(items=items[:limit], total=int(found[0]), has_more=len(items) > limit)

    @unavailable
    def clear(self) -> None:
        super().clear()
        self._r.unlink(self._tl, self._st, self._chg, self._asof)


class _Head:
    """What a request of a session reads first, kept in the request's memo (memo.py): the clock's state and
    the stubs, in one round trip, or none when this process's `_Heads` kept them from an earlier request."""

    CLOCK_FIELDS = ("mode", "start", "offset", "frozen")

    def __init__(self, client: Client, base: str, heads: _Heads) -> None:
        self._r, self.base, self.heads = client, base, heads
        self.clock, self.stubs = base + "clock", base + "stubs"

    def fetch(self, memo: dict[str, Any]) -> list[Any]:
        """The clock's fields; the stubs left in `memo` for their cell."""
        clock, memo[self.stubs] = self.heads.read(self)
        return list(clock)

    def read(self) -> tuple[list[Any], bytes | None]:
        pipe = self._r.pipeline(transaction=False)
        clock, stubs = pipe.hmget(self.clock, self.CLOCK_FIELDS).get(self.stubs).execute()
        return clock, stubs

    def changed(self, pipe: Any) -> Any:
        """Add to a write of the clock or the stubs: every process drops what it kept of this head."""
        self.heads.forget(self.base)
        return pipe.publish(self.heads.channel, self.base)


class _Heads:
    """The heads (_Head) of this process's sessions, kept from one request to the next and dropped when any
    worker changes a session's clock or stubs: each such write publishes the session on `channel`, and this
    process reads the messages, without waiting, before it uses what it kept. Redis sends the message to
    every subscriber before the writer has its answer, so it is in this process's socket before anyone can
    have heard of the change: a clock moved or a stub put through any worker is seen by the next request of
    every worker. Without the subscription (Redis restarted, the connection lost) nothing is kept."""

    MAX_KEPT = 4_096  # sessions (the store holds at most --max-sessions): past it, all are dropped and read again
    RETRY_SECONDS = 1.0  # a refused or lost subscription is tried again at most this often

    def __init__(self, client: Client, channel: str) -> None:
        self._r, self.channel = client, channel
        self._lock = threading.Lock()
        self._kept: dict[str, tuple[list[Any], bytes | None]] = {}
        self._epoch = 0  # moves on with every change heard of: a read that raced one is not kept
        self._pubsub: Any = None
        self._retry_at = 0.0

    def read(self, head: _Head) -> tuple[list[Any], bytes | None]:
        with self._lock:
            listening = self._listen()
            kept = self._kept.get(head.base) if listening else None
            epoch = self._epoch
        if kept is not None:
            return kept
        found = head.read()
        if listening:
            with self._lock:
                if self._epoch == epoch:
                    if len(self._kept) >= self.MAX_KEPT:
                        self._kept.clear()
                    self._kept[head.base] = found
        return found

    def forget(self, base: str) -> None:
        with self._lock:
            self._kept.pop(base, None)
            self._epoch += 1

    def _listen(self) -> bool:
        """Take in the changes heard of (under the lock); False when not subscribed: nothing may be kept."""
        if self._pubsub is None:
            if time.monotonic() < self._retry_at:
                return False
            self._retry_at = time.monotonic() + self.RETRY_SECONDS
            return self._subscribe()
        try:
            while (message := self._pubsub.get_message(timeout=0)) is not None:
                if message["type"] == "message":
                    self._kept.pop(message["data"].decode("utf-8", "replace"), None)  # (anyone may publish)
                    self._epoch += 1
            return True
        except (redis.RedisError, OSError):  # what was sent meanwhile is lost: nothing kept can be trusted
            self._close()
            return False

    def _subscribe(self) -> bool:
        pubsub = self._r.pubsub()
        try:
            pubsub.subscribe(self.channel)
            confirmed = pubsub.get_message(timeout=1.0)
        except (redis.RedisError, OSError):
            confirmed = None
        if not confirmed or confirmed["type"] != "subscribe":
            pubsub.close()
            return False
        self._pubsub = pubsub
        return True

    def _close(self) -> None:
        try:
            self._pubsub.close()
        except (redis.RedisError, OSError):
            pass
        self._pubsub = None
        self._kept.clear()
        self._epoch += 1


class RedisCounter:
    def __init__(self, client: Client, key: str) -> None:
        self._r, self._key = client, key

    @property
    @unavailable
    def value(self) -> int:
        return int(self._r.get(self._key) or 0)

    @unavailable
    def next(self, count: int = 1) -> int:
        return int(self._r.incrby(self._key, count))

    @unavailable
    def set(self, value: int) -> None:
        self._r.set(self._key, value)


class RedisLog(Generic[E]):
    """A capped log (domain.stores.Log): RPUSH and LTRIM in one transaction. With a counter, a NumberedLog:
    each numbered append takes the counter's next number in the same transaction, so the log's last entry is
    the counter's number and each before it one less; an entry is named from its number as it is read (no
    script copies its JSON: a 6 KB entry cost Redis 31 us through Lua, 3 us as a plain RPUSH)."""

    def __init__(self, client: Client, key: str, capacity: int, counter: str | None = None, name: str = "") -> None:
        self._r, self._key, self._capacity = client, key, max(capacity, 0)
        self._counter, self._name = counter, name

    @unavailable
    def append_numbered(self: RedisLog[dict[str, Any]], entry: dict[str, Any]) -> None:
        assert self._counter is not None, "a log numbers its entries only with a counter"
        if self._capacity:
            with self._r.pipeline(transaction=True) as tx:
                tx.incr(self._counter).rpush(self._key, _dumps(entry)).ltrim(self._key, -self._capacity, -1).execute()

    @property
    def capacity(self) -> int:
        return self._capacity

    @unavailable
    def append(self, entry: E) -> None:
        if self._capacity:
            with self._r.pipeline(transaction=True) as tx:
                tx.rpush(self._key, _dumps(entry)).ltrim(self._key, -self._capacity, -1).execute()

    @unavailable
    def all(self) -> list[E]:
        if self._counter is None:
            return [_loads(raw) for raw in self._r.lrange(self._key, 0, -1)]
        with self._r.pipeline(transaction=True) as tx:
            last, found = tx.get(self._counter).lrange(self._key, 0, -1).execute()
        entries = [_loads(raw) for raw in found]
        first = int(last or 0) - len(entries) + 1
        for n, entry in enumerate(entries, start=first):
            if entry.get("_id") is None:  # numbered as appended, or a state file's entry that named none
                entry["_id"] = numbered_id(self._name, n)
        return entries

    @unavailable
    def replace_all(self, entries: list[E]) -> None:
        with self._r.pipeline(transaction=True) as tx:
            tx.delete(self._key)
            kept = entries[-self._capacity:] if self._capacity else []
            if kept:
                tx.rpush(self._key, *map(_dumps, kept))
            tx.execute()

    @unavailable
    def clear(self) -> None:
        self._r.delete(self._key)


class RedisDueQueue(Generic[E]):
    """What waits for the session's clock (domain.stores.DueQueue). A pop hands each item to one caller
    and leases it: `done` settles it; one not done within LEASE_MS is due again for whoever pops next."""

    def __init__(self, client: Client, scripts: _Scripts, key: str, encode: Callable[[E], Any],
                 decode: Callable[[Any], E]) -> None:
        self._r, self._lua, self._key = client, scripts, key
        self._leased_key, self._arrivals = key + ":leased", key + ":arrivals"
        self._encode, self._decode = encode, decode
        self._mine: dict[bytes, bytes] = {}  # JSON of an item this process popped -> its member
        self._lock = threading.Lock()

    @unavailable
    def push(self, due: datetime, item: E) -> None:
        self._lua.push(keys=[self._key, self._arrivals], args=[micros(due), _dumps(self._encode(item))])

    @unavailable
    def pop_due(self, now: datetime) -> list[E]:
        members = self._lua.pop_due(keys=[self._key, self._leased_key], args=[micros(now), LEASE_MS])
        items = []
        for member in members:
            body = member.split(b"|", 1)[1]
            with self._lock:
                self._mine[body] = member
            items.append(self._decode(_loads(body)))
        return items

    @unavailable
    def next_due(self) -> datetime | None:
        first = self._r.zrange(self._key, 0, 0, withscores=True)
        return instant(int(first[0][1])) if first else None

    @unavailable
    def done(self, item: E) -> None:
        with self._lock:
            member = self._mine.pop(_dumps(self._encode(item)), None)
        if member is not None:
            self._r.zrem(self._leased_key, member)

    @unavailable
    def all(self) -> list[tuple[datetime, E]]:
        found = self._r.zrange(self._key, 0, -1, withscores=True)
        return [(instant(int(score)), self._decode(_loads(m.split(b"|", 1)[1]))) for m, score in found]

    @unavailable
    def clear(self) -> None:
        self._r.delete(self._key, self._leased_key, self._arrivals)


def _announcement(item: tuple[str, datetime]) -> dict[str, str]:
    return {"reportId": item[0], "due": exact(item[1])}


def _job(job: Job) -> dict[str, Any]:
    return records.job_json(instant(0), job)


def _read_job(raw: dict[str, Any]) -> Job:
    return records.read_job(raw)[1]


class RedisClockCell:
    """A session's clock state (clock.ClockCell), moved atomically (HINCRBY) by any worker."""

    def __init__(self, client: Client, scripts: _Scripts, key: str, head: _Head | None = None) -> None:
        self._r, self._lua, self._key, self._head = client, scripts, key, head
        self._last: ClockState | None = None

    @unavailable
    def init(self, state: ClockState) -> None:
        self._forget()
        pipe = self._r.pipeline(transaction=True)
        self._lua.init_clock(keys=[self._key], args=[state.mode, state.start_us, state.offset_us, state.frozen_us],
                             client=pipe)
        self._changed(pipe).execute()
        self._last = state

    @unavailable
    def read(self) -> ClockState:
        """Once per request (memo.py): a clock moved by another worker meanwhile is seen by the next one."""
        memo = current_memo()
        if memo is not None and self._key in memo:
            return memo[self._key]  # type: ignore[no-any-return]
        if memo is not None and self._head is not None:
            mode, start, offset, frozen = self._head.fetch(memo)
        else:
            mode, start, offset, frozen = self._r.hmget(self._key, _Head.CLOCK_FIELDS)
        if mode is None:  # the session was dropped under this view: it goes on from the time last seen
            assert self._last is not None
            self.init(self._last)
            return self._last
        self._last = ClockState(mode.decode(), int(start), int(offset), int(frozen))
        if memo is not None:
            memo[self._key] = self._last
        return self._last

    def _forget(self) -> None:
        memo = current_memo()
        if memo is not None:
            memo.pop(self._key, None)

    def _changed(self, pipe: Any) -> Any:
        return self._head.changed(pipe) if self._head is not None else pipe

    @unavailable
    def write(self, state: ClockState) -> None:
        self._forget()
        with self._r.pipeline(transaction=True) as tx:
            tx.hset(self._key, mapping={"mode": state.mode, "start": state.start_us, "offset": state.offset_us,
                                        "frozen": state.frozen_us})
            self._changed(tx).execute()

    @unavailable
    def shift(self, us: int) -> None:
        self._forget()
        with self._r.pipeline(transaction=True) as tx:
            self._changed(tx.hincrby(self._key, "offset", us).hincrby(self._key, "frozen", us)).execute()


class RedisWindows:
    """Rate-limit windows counted for every worker at once (simulation.behaviour.Windows)."""

    def __init__(self, scripts: _Scripts, base: str) -> None:
        self._lua, self._base = scripts, base

    @unavailable
    def hit(self, key: str, seconds: float) -> int:
        return int(self._lua.hit(keys=[self._base + key], args=[max(1, int(seconds * 1000))]))


class RedisStubs:
    """A session's stubs for every worker (simulation.stubs.StubStore): one JSON value, read on each API request
    (a stub put through one worker answers the next request of any), written under the session's lock."""

    def __init__(self, client: Client, head: _Head) -> None:
        self._r, self._key, self._head = client, head.stubs, head

    @unavailable
    def read(self) -> list[dict[str, Any]]:
        memo = current_memo()
        fetched: Any = memo.pop(self._key, False) if memo is not None else False  # the request's head read it
        raw: bytes | None = self._r.get(self._key) if fetched is False else fetched  # a second read: fresh
        return list(_loads(raw)) if raw else []

    @unavailable
    def write(self, stubs: list[dict[str, Any]]) -> None:
        memo = current_memo()
        if memo is not None:
            memo.pop(self._key, None)
        with self._r.pipeline(transaction=True) as tx:
            if stubs:
                tx.set(self._key, _dumps(stubs))
            else:
                tx.delete(self._key)
            self._head.changed(tx).execute()


class RedisSettings:
    """A session's own settings, read at most once a second per process: a change made through one worker
    reaches the others within that second."""

    def __init__(self, client: Client, key: str) -> None:
        self._r, self._key = client, key
        self._values: dict[str, Any] = {}
        self._raw: bytes | None = None
        self._read_at = -TOUCH_SECONDS

    @unavailable
    def read(self) -> dict[str, Any]:
        now = time.monotonic()
        if now - self._read_at >= TOUCH_SECONDS:
            raw = self._r.get(self._key)
            if raw != self._raw:
                self._raw, self._values = raw, (_loads(raw) if raw else {})
            self._read_at = now
        return self._values

    @unavailable
    def write(self, values: dict[str, Any]) -> None:
        raw = _dumps(values)
        self._r.set(self._key, raw)
        self._raw, self._values, self._read_at = raw, dict(values), time.monotonic()


class RedisGuard:
    """The session's locks (SET NX with a token and an expiry, redis-py's Lock), re-entrant per thread."""

    def __init__(self, client: Client, base: str) -> None:
        self._r, self._base = client, base
        self._held = threading.local()

    def lock(self, name: str) -> AbstractContextManager[object]:
        return self._locked(name)

    @contextmanager
    def _locked(self, name: str) -> Iterator[object]:
        depth: dict[str, int] = self._held.__dict__.setdefault("depth", {})
        if depth.get(name):
            depth[name] += 1
            try:
                yield self
            finally:
                depth[name] -= 1
            return
        lock = self._r.lock(self._base + "lock:" + name, timeout=LOCK_SECONDS, blocking_timeout=LOCK_WAIT_SECONDS,
                            thread_local=False)
        try:
            acquired = lock.acquire()
        except redis.RedisError as exc:
            raise StoreUnavailable("The mock's shared store is not reachable; try again after Retry-After "
                                   "seconds") from exc
        if not acquired:
            raise StoreUnavailable(f"The session is busy ({name}); try again after Retry-After seconds")
        depth[name] = 1
        try:
            yield self
        finally:
            depth[name] = 0
            try:
                lock.release()
            except redis.RedisError:
                pass  # expired or Redis gone: the lock frees itself

    @unavailable
    def first(self, name: str) -> bool:
        return bool(self._r.set(self._base + "first:" + name, 1, nx=True))


class RedisDirectory:
    """Sessions by last use (domain.stores.SessionDirectory): listed, capped and expired for every worker."""

    def __init__(self, client: Client, scripts: _Scripts, prefix: str, max_sessions: int,
                 idle_seconds: float) -> None:
        self._r, self._scripts, self._prefix, self._key = client, scripts, prefix, prefix + ":sessions"
        self.max_sessions, self.idle_seconds = max_sessions, idle_seconds
        self._touched: dict[str, float] = {}
        self.heads = _Heads(client, prefix + ":changed")  # what this process keeps of its sessions' heads

    def base(self, session: str) -> str:
        return f"{self._prefix}:s:{session}:"

    @unavailable
    def touch(self, session: str) -> bool:
        """At most once a second per session and process (a request reaches the sessions from three layers):
        a session dropped by another worker is noticed here within that second."""
        now = time.monotonic()
        if now - self._touched.get(session, -TOUCH_SECONDS) < TOUCH_SECONDS:
            return False
        self._touched[session] = now
        if len(self._touched) > 4 * self.max_sessions:
            self._touched.clear()
        return bool(self._scripts.touch(keys=[self._key], args=[session]))

    @unavailable
    def holds(self, session: str) -> bool:
        return self._r.zscore(self._key, session) is not None

    @unavailable
    def names(self) -> list[str]:
        return [name.decode() for name in self._r.zrange(self._key, 0, -1)]

    @unavailable
    def drop(self, session: str) -> None:
        self._touched.pop(session, None)
        self._r.zrem(self._key, session)
        self.clear(session)

    @unavailable
    def clear(self, session: str) -> None:
        """Delete every key of a session (its name may hold no glob character: web/session_names.NAME)."""
        batch: list[bytes] = []
        for key in self._r.scan_iter(match=self.base(session) + "*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                self._r.unlink(*batch)
                batch = []
        if batch:
            self._r.unlink(*batch)
        self.heads.forget(self.base(session))
        self._r.publish(self.heads.channel, self.base(session))

    @unavailable
    def due(self, now: datetime) -> list[str]:
        """The real-time sessions with something due at `now` (the base clock's), whoever made it due."""
        found = self._scripts.due_sessions(keys=[self._key], args=[self._prefix, micros(now)])
        return [n.decode() for n in found]

    @unavailable
    def claim_round(self, seconds: float) -> bool:
        return bool(self._r.set(self._prefix + ":ticker", 1, nx=True, px=max(1, int(seconds * 1000))))

    @unavailable
    def expire(self) -> list[str]:
        """Drop sessions idle past `idle_seconds`, then the least recently used beyond `max_sessions`;
        `default` stays whatever its age."""
        ordered = [n.decode() for n in self._r.zrange(self._key, 0, -1, withscores=False)]
        idle_ms = int(self.idle_seconds * 1000)
        idle = {n.decode() for n in self._scripts.idle(keys=[self._key], args=[idle_ms])} - {DEFAULT}
        rest = [n for n in ordered if n not in idle]
        surplus = max(0, len(rest) - self.max_sessions)
        dropped = [n for n in ordered if n in idle] + [n for n in rest if n != DEFAULT][:surplus]
        for name in dropped:
            self.drop(name)
        return dropped


@dataclass(frozen=True)
class RedisStores:
    """The shared store (domain.stores.StoresFactory): every session's state in one Redis."""

    client: Client
    prefix: str = "sendkit-mock"
    max_reports: int = 100_000
    journal_size: int = 1_000
    log_size: int = 10_000
    max_sessions: int = 1_000
    idle_seconds: float = 86_400.0

    @classmethod
    def connect(cls, url: str, **limits: Any) -> RedisStores:
        """A client for `url` (redis://HOST:PORT/DB[?prefix=NAME]) with short timeouts and one quick retry: a
        request never waits long on a Redis that is down; the pool reconnects on the next call."""
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        prefix = query.pop("prefix", ["sendkit-mock"])[0]
        rest = "&".join(f"{k}={v}" for k, values in query.items() for v in values)
        client = redis.Redis.from_url(
            urlunsplit(parts._replace(query=rest)), socket_timeout=2.0, socket_connect_timeout=1.0,
            # one quick retry on a broken connection (a pooled one from before a Redis restart), none on a
            # timeout: a Redis that hangs costs a request 2 s, then a 503
            retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)), health_check_interval=30)
        return cls(client, prefix, **limits)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_scripts", _Scripts(self.client))
        object.__setattr__(self, "_directory", RedisDirectory(self.client, self._scripts,  # type: ignore[attr-defined]
                                                              self.prefix, self.max_sessions, self.idle_seconds))

    @property
    def directory(self) -> RedisDirectory:
        return self._directory  # type: ignore[attr-defined, no-any-return]

    def queue(self, name: str, encode: Callable[[E], Any], decode: Callable[[Any], E]) -> RedisDueQueue[E]:
        """A due queue of its own under the prefix (for tests and tools; a session's are in its stores)."""
        return RedisDueQueue(self.client, self._scripts, f"{self.prefix}:q:{name}", encode, decode)  # type: ignore[attr-defined]

    @unavailable
    def ping(self) -> None:
        self.client.ping()

    def __call__(self, session: str, *, fresh: bool = True) -> SessionStores:
        base = self.directory.base(session)
        if fresh:
            self.directory.clear(session)
        r, lua = self.client, self._scripts  # type: ignore[attr-defined]
        head = _Head(r, base, self.directory.heads)
        counters = {name: RedisCounter(r, base + "counter:" + name) for name in COUNTERS}
        return SessionStores(
            reports=RedisReports(r, lua, base + "reports", self.max_reports),
            recipients=RedisRecords(r, lua, base + "recipients", RECIPIENTS,
                                    due=lambda recipient: recipient.next_scheduled_at),
            webhooks=RedisRecords(r, lua, base + "webhooks", WEBHOOKS),
            announcements=RedisDueQueue(r, lua, base + "announcements", _announcement, records.read_announcement),
            deliveries=RedisDueQueue(r, lua, base + "deliveries", _job, _read_job),
            outbox=RedisLog[dict[str, Any]](r, base + "outbox", self.log_size),
            attempts=RedisLog[dict[str, Any]](r, base + "attempts", self.log_size),
            journal=RedisLog[dict[str, Any]](r, base + "journal", self.journal_size, base + "counter:journal",
                                             journal_ids(session)),
            counters=counters,
            clock=RedisClockCell(r, lua, head.clock, head),
            guard=RedisGuard(r, base),
            windows=RedisWindows(lua, base + "window:"),
            settings=RedisSettings(r, base + "settings"),
            stubs=RedisStubs(r, head),
        )
