"""What a report covers: its workspaces, campaigns and mailboxes.

A `campaign` report covers its campaigns and the mailboxes they send from; a `workspace` report every
campaign and mailbox of its workspace; an `organizational` report (no workspace) every workspace its
user owns.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..reports import Report
from ..world import Campaign, Mailbox, Workspace, World


@dataclass(frozen=True, slots=True)
class Coverage:
    report_type: str
    label: str  # how prose names the scope: a campaign, a workspace, or the owner's workspaces
    workspaces: tuple[Workspace, ...]
    campaigns: tuple[tuple[Workspace, Campaign], ...]
    mailboxes: tuple[tuple[Workspace, Mailbox], ...]

    @property
    def campaign_ids(self) -> frozenset[str]:
        return frozenset(c.id for _, c in self.campaigns)


def coverage_of(world: World, report: Report) -> Coverage:
    if report.workspace_id is None:
        return _organizational(world, report)
    workspace = world.workspace(report.workspace_id)
    if workspace is None:  # the world is fixed, so a stored report always names a known workspace
        return Coverage(report.report_type, "", (), (), ())
    if report.report_type == "campaign":
        campaigns = tuple(
            workspace.campaigns_by_id[c] for c in report.campaign_ids if c in workspace.campaigns_by_id
        )
        used = {m for c in campaigns for m in c.mailbox_ids}
        mailboxes = tuple((workspace, m) for m in workspace.mailboxes if m.id in used)
        label = " and ".join(c.name for c in campaigns)
        return Coverage("campaign", label, (workspace,), tuple((workspace, c) for c in campaigns), mailboxes)
    return Coverage(
        report.report_type,
        workspace.name,
        (workspace,),
        tuple((workspace, c) for c in workspace.campaigns),
        tuple((workspace, m) for m in workspace.mailboxes),
    )


def _organizational(world: World, report: Report) -> Coverage:
    workspaces = world.owned_by(report.user_id)
    user = world.user(report.user_id)
    noun = "workspace" if len(workspaces) == 1 else "workspaces"
    owner = f"{user.name}'s" if user else "your"
    return Coverage(
        "organizational",
        f"{owner} {len(workspaces)} {noun}",
        workspaces,
        tuple((w, c) for w in workspaces for c in w.campaigns),
        tuple((w, m) for w in workspaces for m in w.mailboxes),
    )
