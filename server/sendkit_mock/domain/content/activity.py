"""The world's email activity: one stream per (campaign, mailbox), one daily series per sequence step.

Volumes are bounded by the world itself. A mailbox's `dailySendLimit` is shared among the campaigns that
send from it, and a stream's steps share its part, so a mailbox never sends more than its limit in a day.
A campaign's `leads` are shared among its mailboxes: a completed or paused campaign sends each step at
most once per lead; an active one works through at most its lead count of first emails per 30 days
(new leads keep arriving). A draft campaign has no stream. Streams are built on first use and kept.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate

from ..world import Campaign, Mailbox, World
from .profile import WORLD_DAY, CampaignProfile, campaign_profile, share_weight, through_mailbox
from .series import CYCLE, EPOCH, Counts, Levels, Series, binomial, draw_day
from .stats import Stats

POOL_DAYS = 30  # an active campaign contacts at most `leads` new people per this many days
LONGEST = 730  # days: how far back a finished campaign's first send may lie
SENDING = ("active", "paused", "completed", "archived")


@dataclass(frozen=True, slots=True)
class Stream:
    campaign_id: str
    mailbox_id: str
    steps: tuple[Series, ...]

    def totals(self, days: range) -> tuple[Stats, ...]:
        return tuple(as_stats(step.total(days)) for step in self.steps)

    def sent_on(self, day: int) -> int:
        return sum(step.on(day)[0] for step in self.steps)


def as_stats(counts: Counts) -> Stats:
    sent, bounced, opened, clicked, replied, positive, unsubscribed = counts
    return Stats(sent, sent - bounced, opened, clicked, replied, positive, bounced, unsubscribed)


class Activity:
    def __init__(self, world: World, seed: int | str) -> None:
        self._seed = seed
        self._capacity: dict[tuple[str, str], int] = {}
        self._mailboxes: dict[str, Mailbox] = {}
        for workspace in world.workspaces:
            self._mailboxes.update((m.id, m) for m in workspace.mailboxes)
            for mailbox in workspace.mailboxes:
                self._share_out(mailbox, [c for c in workspace.campaigns if mailbox.id in c.mailbox_ids])
        self._streams: dict[str, tuple[Stream, ...]] = {}

    def streams(self, campaign: Campaign) -> tuple[Stream, ...]:
        found = self._streams.get(campaign.id)
        if found is None:  # a race builds the same streams twice, harmlessly: they are pure
            found = self._streams[campaign.id] = tuple(self._build(campaign))
        return found

    def _share_out(self, mailbox: Mailbox, campaigns: list[Campaign]) -> None:
        senders = [c for c in campaigns if c.status in SENDING]
        weights = [share_weight(self._seed, c, mailbox) for c in senders]
        for campaign, weight in zip(senders, weights, strict=True):
            self._capacity[campaign.id, mailbox.id] = int(mailbox.daily_send_limit * weight / sum(weights))

    def _build(self, campaign: Campaign) -> Iterable[Stream]:
        mailboxes = [self._mailboxes[m] for m in campaign.mailbox_ids if (campaign.id, m) in self._capacity]
        if campaign.status not in SENDING or not mailboxes:
            return
        profile = campaign_profile(self._seed, campaign)
        levels = Levels(profile.key, (WORLD_DAY - LONGEST - 400 - EPOCH) // CYCLE)
        capacities = [self._capacity[campaign.id, m.id] for m in mailboxes]
        for mailbox, leads in zip(mailboxes, apportion(campaign.leads, capacities), strict=True):
            cap = self._capacity[campaign.id, mailbox.id]
            if campaign.status == "active":
                cap = min(cap, leads // POOL_DAYS)
            tables, key = self._tables(campaign, mailbox, profile, cap)
            steps = [Series(table, key, levels) for table in tables]
            yield Stream(campaign.id, mailbox.id, tuple(_schedule(campaign, profile, steps, leads)))

    def _tables(
        self, campaign: Campaign, mailbox: Mailbox, profile: CampaignProfile, cap: int
    ) -> tuple[list[list[Counts]], int]:
        """28 days of counts per step. A day's sends are drawn once and split among the steps, so
        the steps of a stream never send more together than the stream's daily capacity."""
        rng = random.Random(f"sendkit-mock/content/{self._seed}/stream/{campaign.id}/{mailbox.id}")
        odds = [through_mailbox(step_odds, mailbox) for step_odds in profile.odds]
        tables: list[list[Counts]] = [[] for _ in odds]
        for slot in range(CYCLE):
            sends = binomial(rng, cap, profile.pace) if slot % 7 < 5 else 0
            for table, step_sends, step_odds in zip(
                tables, split(rng, sends, profile.survival), odds, strict=True
            ):
                table.append(draw_day(rng, step_sends, step_odds))
        return tables, rng.getrandbits(64)


def split(rng: random.Random, total: int, weights: tuple[float, ...]) -> list[int]:
    """A multinomial draw: `total` shared among len(weights) parts with odds proportional to the weights."""
    parts, left, weight_left = [], total, sum(weights)
    for weight in weights[:-1]:
        part = binomial(rng, left, weight / weight_left) if weight_left > 0 else 0
        parts.append(part)
        left, weight_left = left - part, weight_left - weight
    return [*parts, left]


def apportion(total: int, weights: list[int]) -> list[int]:
    """`total` split in proportion to `weights` (equally if they are all 0), largest remainder first."""
    if not weights:
        return []
    weights = weights if any(weights) else [1] * len(weights)
    whole = sum(weights)
    shares = [total * w // whole for w in weights]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _schedule(
    campaign: Campaign, profile: CampaignProfile, steps: list[Series], leads: int
) -> Iterable[Series]:
    """Each step's sending window: when a lead got it is its first step's day plus the waits before it."""
    waits = [0] + [max(1, step.wait_days) for step in campaign.sequence[1:]]
    offsets = list(accumulate(waits))
    timing = profile.timing
    if campaign.status == "active":
        yield from (
            series.within(timing.launch + offset, None) for series, offset in zip(steps, offsets, strict=True)
        )
        return
    if campaign.status == "paused":
        first = steps[0].reach_back(timing.finish, int(leads * timing.share_done), LONGEST)
        ends = [timing.finish] * len(steps)
    else:
        last_first_send = timing.finish - offsets[-1]
        first = steps[0].reach_back(last_first_send, leads, LONGEST)
        ends = [last_first_send + offset for offset in offsets]
    for series, offset, end in zip(steps, offsets, ends, strict=True):
        start = min(first + offset, end)
        yield series.within(start, series.reach_forward(start, end, leads))
