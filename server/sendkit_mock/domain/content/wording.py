"""The prose of the executive summary. Every number in it is read from the counts the section shows;
Faker, seeded for the report, only picks between phrasings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from faker import Faker

from ..world import Campaign
from .calendar import ReportWindow
from .mailboxes import MailboxHealth
from .stats import Stats, percent_change, rate


def summary(fake: Faker, label: str, window: ReportWindow, totals: Stats, before: Stats) -> str:
    when = _between(window)
    if totals.sent == 0:
        opening = _pick(fake, f"{label} sent no emails {when}.", f"No emails went out for {label} {when}.")
    else:
        rates = totals.rates()
        sent = _n(totals.sent, "email")
        lead = _pick(fake, f"{label} sent {sent} {when}", f"{when}, {label} sent {sent}")
        opening = (
            f"{lead}: {totals.delivered:,} were delivered ({rates.delivery}%), {totals.opened:,} opened "
            f"({rates.open}%) and {totals.replied:,} replied ({rates.reply}%), "
            f"{totals.positive_replied:,} of them positively."
        )
    return " ".join(_sentence(part) for part in (opening, _trend(fake, window, totals, before)) if part)


def best_campaign(fake: Faker, campaigns: Sequence[tuple[Campaign, Stats]]) -> str | None:
    if len(campaigns) < 2 or not any(stats.replied for _, stats in campaigns):
        return None
    campaign, stats = max(campaigns, key=lambda pair: pair[1].replied)
    reply = stats.rates().reply
    return _pick(
        fake,
        f"{campaign.name} drew the most replies: {stats.replied:,} ({reply}% reply rate).",
        f"{campaign.name} led on replies with {stats.replied:,} ({reply}% of delivered emails).",
    )


def best_step(fake: Faker, step: int, subject: str, reply_rate: str, replied: int) -> str:
    quoted, replies = f"\u201c{subject}\u201d", _n(replied, "reply")
    return _pick(
        fake,
        f"Step {step + 1} ({quoted}) had the best reply rate: {reply_rate}% from {replies}.",
        f"The strongest step was step {step + 1}, {quoted}, at {reply_rate}% ({replies}).",
    )


def open_rate(fake: Faker, totals: Stats, before: Stats) -> str | None:
    if not (totals.delivered and before.delivered):
        return None
    now, points = totals.rates().open, totals.rates().change_since(before.rates())["open"]
    if points == "0.0":
        return f"Open rate {now}%, unchanged from the previous period."
    direction = _pick(fake, "down", "lower by") if points.startswith("-") else _pick(fake, "up", "higher by")
    return f"Open rate {now}%, {direction} {points.lstrip('-')} points on the previous period."


def positive_share(totals: Stats) -> str | None:
    if not totals.replied:
        return None
    share = rate(totals.positive_replied, totals.replied)
    return f"{totals.positive_replied:,} of {_n(totals.replied, 'reply')} were positive ({share}%)."


def bounces(fake: Faker, totals: Stats) -> str | None:
    if not totals.sent:
        return None
    bounce = totals.rates().bounce
    if _tenths(bounce) > 30:
        return f"Bounce rate {bounce}% is above the 3% mark: check mailbox DNS records and list quality."
    return _pick(fake, f"Bounce rate stayed low at {bounce}%.", f"Bounces were under control at {bounce}%.")


def mailbox_alert(entry: MailboxHealth) -> str:
    problems = "; ".join(_lower_first(issue) for issue in entry.issues) or "low score"
    return f"{entry.mailbox.email} needs attention: health score {entry.score}/100 ({problems})."


def top_workspace(name: str, sent: int, total: int) -> str:
    return f"{name} sent {rate(sent, total)}% of all emails ({sent:,} of {total:,})."


def _trend(fake: Faker, window: ReportWindow, totals: Stats, before: Stats) -> str:
    previous = _length(window)
    if before.sent == 0:
        return f"nothing was sent in {previous}." if totals.sent else ""
    change = percent_change(totals.sent, before.sent) or "0.0"
    if change == "0.0":
        return f"volume held level with {previous} ({_n(before.sent, 'email')})."
    direction = _pick(fake, "down", "lower by") if change.startswith("-") else _pick(fake, "up", "higher by")
    return f"volume is {direction} {change.lstrip('-')}% on {previous} ({_n(before.sent, 'email')})."


def _between(window: ReportWindow) -> str:
    start, end, created = window.current.start, window.current.end, window.created
    first, last = start.date(), (end - timedelta(microseconds=1)).date()
    note = ""
    if created <= start:
        note = " (a period that has not started yet)"
    elif created < end:
        last, note = created.date(), " (the period is still running)"
    when = f"on {_day(first)}" if first == last else f"between {_day(first)} and {_day(last)}"
    return when + note


def _length(window: ReportWindow) -> str:
    length = window.current.end - window.current.start
    if length % timedelta(days=1):
        return "the previous period of the same length"
    return f"the previous {_n(length.days, 'day')}"


def _day(day: date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def _n(count: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") and noun[-2:-1] not in "aeiou" else noun + "s"
    return f"{count:,} {noun if count == 1 else plural}"


def _pick(fake: Faker, *phrasings: str) -> str:
    return str(fake.random_element(phrasings))


def _lower_first(text: str) -> str:
    """ "Mailbox status is error" -> "mailbox status is error", but "SPF record fails" stays."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _tenths(value: str) -> int:
    whole, _, tenth = value.partition(".")
    return int(whole) * 10 + int(tenth)
