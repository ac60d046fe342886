"""Report content: what a ready report's `data` holds, generated from the world and the seed.

factory    ContentFactory(world, seed)(report) -> data; the sections a report enables, cached
coverage   which workspaces, campaigns and mailboxes a report covers
calendar   which days a period counts (none after the report was created)
activity   per (campaign, mailbox) streams of daily counts, bounded by leads and mailbox limits
series     one step's daily counts, summed over any span in constant time
profile    each campaign's odds, pace and history, drawn from the seed
measure    a report's counts over one span, per stream
stats      counts and their rates (one-decimal strings, half-up)
summary, campaigns, mailboxes, wording    the three sections and the summary's prose
"""

from __future__ import annotations

from .factory import ContentFactory

__all__ = ["ContentFactory"]
