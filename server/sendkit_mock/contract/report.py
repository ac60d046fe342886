"""A contract run as people read it (a summary by operation and one verdict line) and as CI reads it (JUnit
XML: a test case per operation, with its time; a failure lists every failed check of that operation)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from xml.sax.saxutils import escape

from .options import CheckOptions
from .reproduce import KEY_VARIABLE
from .verdict import Drift, OperationResult, RunResult, Verdict

MESSAGE_LINES = 12
STATE_WORDS = {"ok": "ok", "drift": "DRIFT", "error": "ERROR", "not checked": "NOT CHECKED"}


def summary(result: RunResult, options: CheckOptions) -> str:
    rate = result.rate_limit or "none"
    lines = [f"sendkit-mock contract: {options.spec.name} against {options.base_url} (rate limit: {rate})",
             f"  {result.cases} cases on {len(result.operations)} operations in {result.seconds:.1f} s; "
             f"{len(result.checked)} of {len(result.operations)} operations checked"]
    if result.fatal:
        lines.append(f"  the run went wrong: {result.fatal}")
    width = max((len(label) for label in result.operations), default=0)
    for label, operation in result.operations.items() if result.verdict is not Verdict.NOT_RUN else ():
        lines.extend(_operation_lines(label, operation, width, result.stopped))
    if result.skipped:
        lines.append("  left out:")
        lines.extend(f"    {why}" for why in result.skipped)
    if result.stopped:
        lines.append(f"  stopped early after {result.cases} cases: {result.stopped}")
    if any(o.drifts for o in result.operations.values()):
        lines.append(f"  the reproductions read the key from ${KEY_VARIABLE}: export {KEY_VARIABLE}=<your key>")
    if options.platform_key and not options.workspace_id:
        lines.append("  note: a platform key without --workspace-id is refused (400) on every workspace call")
    lines.append(verdict_line(result, options))
    return scrub("\n".join(lines), options.api_key)


def scrub(text: str, api_key: str) -> str:
    """The text with the key, wherever a message quoted it, read from the environment instead."""
    return text.replace(api_key, f"${KEY_VARIABLE}") if api_key else text


def verdict_line(result: RunResult, options: CheckOptions) -> str:
    verdict, total, spec = result.verdict, len(result.operations), options.spec.name
    unchecked = [o.label for o in result.operations.values() if o.state == "not checked"]
    erred = [o.label for o in result.operations.values() if o.state == "error"]
    if verdict is Verdict.MATCH:
        return f"MATCH: all {total} operations in scope checked ({result.cases} cases), none differs from {spec}"
    if verdict is Verdict.KEY_REFUSED:
        return (f"KEY REFUSED: {result.refused}; nothing behind the key was checked "
                "(is --api-key right and current? a platform key also needs --workspace-id)")
    if verdict is Verdict.NOT_RUN:
        return f"NOT RUN: {result.fatal}: nothing was checked"
    if verdict is Verdict.DRIFT:
        also = [f"{len(unchecked)} not checked"] * bool(unchecked) + [f"{len(erred)} went wrong"] * bool(erred)
        also += [f"interrupted after {result.cases} cases"] * result.interrupted
        return (f"DRIFT: {result.count('drift')} of {total} operations differ from {spec}"
                + "".join(f"; {part}" for part in also) + (" (and the run went wrong)" if result.fatal else ""))
    if not result.operations:
        return "INCOMPLETE: no operation in scope: nothing was checked"
    parts = [f"interrupted after {result.cases} cases"] * result.interrupted
    if unchecked:
        parts.append(f"{len(unchecked)} of {total} operations not checked ({', '.join(unchecked)})")
    if erred:
        parts.append(f"{len(erred)} went wrong ({', '.join(erred)})")
    if result.fatal:
        parts.append(f"the run went wrong: {result.fatal}")
    return "INCOMPLETE: " + "; ".join(parts) + f"; no drift in the {total - len(unchecked) - len(erred)} checked"


def _operation_lines(label: str, operation: OperationResult, width: int, stopped: str | None) -> list[str]:
    found = (f"  {len(operation.drifts)} failed check(s)" if operation.drifts else "") + (
        f"  {len(operation.errors)} error(s)" if operation.errors else "")
    share = "  (its share of --max-cases ran out)" if operation.capped else ""
    lines = [f"  {STATE_WORDS[operation.state]:<11} {label:<{width}}  {operation.cases:>4} cases{found}{share}"]
    if not operation.checked:
        lines.append(f"              not checked: {operation.why_not_checked(stopped)}")
    for drift in operation.drifts.values():
        lines.extend("        " + line for line in _drift_lines(drift))
    lines.extend(f"        error: {error}" for error in operation.errors)
    return lines


def _drift_lines(drift: Drift) -> list[str]:
    message = drift.message.strip().splitlines()
    if len(message) > MESSAGE_LINES:
        message = message[:MESSAGE_LINES] + [f"... ({len(message) - MESSAGE_LINES} more lines)"]
    answered = f" (answered {drift.status})" if drift.status is not None else ""
    return ([f"{drift.check}: {drift.title}{answered}"] + ["  " + line for line in message]
            + ["  reproduce with:"] + ["    " + line for line in drift.curl.strip().splitlines()])


def junit_xml(result: RunResult, options: CheckOptions, path: Path) -> None:
    """A test case per operation in scope (a <failure> listing every failed check, an <error> when it was not
    checked or went wrong), <skipped> for the operations left out, and an <error> case for a refused key or a
    run that went wrong as a whole."""
    operations = result.operations.values()
    run_errors = [(name, kind, text) for name, kind, text in (
        ("the API key", "key-refused", result.refused), ("the run", "fatal", result.fatal)) if text]
    suites = ET.Element("testsuites")
    suite = ET.SubElement(suites, "testsuite", name="sendkit-mock contract", hostname=options.base_url,
                          tests=str(len(result.operations) + len(result.skipped) + len(run_errors)),
                          failures=str(result.count("drift")),
                          errors=str(sum(o.state in ("error", "not checked") for o in operations) + len(run_errors)),
                          skipped=str(len(result.skipped)), time=f"{result.seconds:.3f}")
    for label, operation in result.operations.items():
        case = ET.SubElement(suite, "testcase", classname="contract", name=label, time=f"{operation.seconds:.3f}")
        _outcome(case, operation, result.stopped)
        statuses = ", ".join(f"{n} x {status}" for status, n in sorted(operation.statuses.items()))
        ET.SubElement(case, "system-out").text = f"{operation.cases} cases" + (f": {statuses}" if statuses else "")
    for why in result.skipped:
        label, _, reason = why.partition(": ")
        case = ET.SubElement(suite, "testcase", classname="contract", name=label, time="0.000")
        ET.SubElement(case, "skipped", message=reason)
    for name, kind, text in run_errors:
        case = ET.SubElement(suite, "testcase", classname="contract", name=name, time="0.000")
        ET.SubElement(case, "error", type=kind, message=text[:200]).text = text
    ET.indent(suites)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = ET.tostring(suites, encoding="unicode", xml_declaration=True)
    for spelled in {options.api_key, escape(options.api_key), escape(options.api_key, {'"': "&quot;"})}:
        text = scrub(text, spelled)
    path.write_text(text, encoding="utf-8")


def _outcome(case: ET.Element, operation: OperationResult, stopped: str | None) -> None:
    if operation.drifts:
        checks = sorted({drift.check for drift in operation.drifts.values()})
        failure = ET.SubElement(case, "failure", type="drift",
                                message=f"{len(operation.drifts)} failed check(s): {', '.join(checks)}")
        failure.text = "\n\n".join("\n".join(_drift_lines(drift)) for drift in operation.drifts.values())
    if operation.errors:
        ET.SubElement(case, "error", type="error", message=operation.errors[0].splitlines()[0][:200]).text = \
            "\n".join(operation.errors)
    elif not operation.checked:
        why = operation.why_not_checked(stopped)
        ET.SubElement(case, "error", type="not-checked", message=f"not checked: {why}"[:200]).text = why
