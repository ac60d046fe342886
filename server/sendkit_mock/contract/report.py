"""A contract run as people read it (a summary by operation) and as CI reads it (JUnit XML)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from .runner import CheckOptions, Drift, RunResult

MESSAGE_LINES = 12


def summary(result: RunResult, options: CheckOptions) -> str:
    lines = [f"sendkit-mock contract: {options.spec.name} against {options.base_url}: "
             f"{result.cases} cases on {len(result.operations)} operations in {result.seconds:.1f} s"]
    if result.fatal:
        lines.append(f"  the run went wrong: {result.fatal}")
    width = max((len(label) for label in result.operations), default=0)
    for label, operation in result.operations.items():
        verdict = "ok   " if operation.ok else "DRIFT"
        found = (f"  {len(operation.drifts)} failed check(s)" if operation.drifts else "") + (
            f"  {len(operation.errors)} error(s)" if operation.errors else "")
        lines.append(f"  {verdict} {label:<{width}}  {operation.cases:>4} cases{found}")
        for drift in operation.drifts.values():
            lines.extend("        " + line for line in _drift_lines(drift))
        for error in operation.errors:
            lines.append(f"        error: {error}")
    if result.skipped:
        lines.append("  left out:")
        lines.extend(f"    {why}" for why in result.skipped)
    if result.stopped:
        lines.append(f"  stopped early: {result.stopped}")
    if options.platform_key and not options.workspace_id:
        lines.append("  note: a platform key without --workspace-id is refused (400) on every workspace call")
    failing = [o for o in result.operations.values() if not o.ok]
    if result.fatal and not result.operations:
        lines.append("NOT RUN: nothing was checked")
    elif result.matched:
        lines.append(f"MATCH: every operation conforms to {options.spec.name}")
    else:
        lines.append(f"DRIFT: {len(failing)} of {len(result.operations)} operations differ from {options.spec.name}"
                     + (" (and the run went wrong)" if result.fatal else ""))
    return "\n".join(lines)


def _drift_lines(drift: Drift) -> list[str]:
    message = drift.message.strip().splitlines()
    if len(message) > MESSAGE_LINES:
        message = message[:MESSAGE_LINES] + [f"... ({len(message) - MESSAGE_LINES} more lines)"]
    answered = f" (answered {drift.status})" if drift.status is not None else ""
    return ([f"{drift.check}: {drift.title}{answered}"] + ["  " + line for line in message]
            + ["  reproduce with:"] + ["    " + line for line in drift.curl.strip().splitlines()])


def junit_xml(result: RunResult, options: CheckOptions, path: Path) -> None:
    """One test case per operation: a <failure> per failed check, an <error> per error, <skipped> for the
    operations left out."""
    drifts = sum(len(o.drifts) > 0 for o in result.operations.values())
    errors = sum(len(o.errors) > 0 for o in result.operations.values()) + (1 if result.fatal else 0)
    suites = ET.Element("testsuites")
    suite = ET.SubElement(suites, "testsuite", name="sendkit-mock contract", hostname=options.base_url,
                          tests=str(len(result.operations) + len(result.skipped) + (1 if result.fatal else 0)),
                          failures=str(drifts), errors=str(errors), skipped=str(len(result.skipped)),
                          time=f"{result.seconds:.3f}")
    for label, operation in result.operations.items():
        case = ET.SubElement(suite, "testcase", classname="contract", name=label)
        for drift in operation.drifts.values():
            failure = ET.SubElement(case, "failure", type=drift.check, message=drift.title)
            failure.text = "\n".join(_drift_lines(drift))
        for error in operation.errors:
            ET.SubElement(case, "error", type="error", message=error.splitlines()[0][:200]).text = error
        ET.SubElement(case, "system-out").text = f"{operation.cases} cases"
    for why in result.skipped:
        label, _, reason = why.partition(": ")
        ET.SubElement(ET.SubElement(suite, "testcase", classname="contract", name=label), "skipped", message=reason)
    if result.fatal:
        case = ET.SubElement(suite, "testcase", classname="contract", name="the run")
        ET.SubElement(case, "error", type="fatal", message=result.fatal[:200]).text = result.fatal
    ET.indent(suites)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)
