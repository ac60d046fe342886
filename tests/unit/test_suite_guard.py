"""The project's own suite stops, rather than quietly runs fewer tests, when two tests share a node id.

pytest 9.2 gave every per-operation Schemathesis test of one function the same node id; pytest-xdist, which
schedules by node id, then ran 4 of the contract suite's 128 and reported a pass. tests/conftest.py refuses
such a collection, in one process and under `-n`.
"""

from __future__ import annotations

import pytest

from ..tooling import ROOT

TWINS = """
import pytest

class Twin(pytest.Item):
    def runtest(self):
        pass

class Twins(pytest.File):
    def collect(self):
        for n in range(2):
            yield Twin.from_parent(self, name=f"case{n}", nodeid=f"{self.nodeid}::case")

def pytest_collect_file(file_path, parent):
    if file_path.suffix == ".twins":
        return Twins.from_parent(parent, path=file_path)
"""


@pytest.mark.parametrize("processes", [[], ["-n", "2"]], ids=["one-process", "xdist"])
def test_two_tests_with_one_node_id_stop_the_run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
                                                 processes: list[str]) -> None:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeconftest(TWINS)
    pytester.makefile(".twins", a="two tests, one id")
    result = pytester.runpytest_subprocess("-p", "tests.conftest", "-p", "no:cacheprovider", *processes)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "several tests share a node id (1 such ids, e.g. a.twins::case)" in result.stdout.str() + result.stderr.str()
    assert "passed" not in result.stdout.str()


def test_the_same_tests_with_their_own_ids_run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeconftest(TWINS.replace('nodeid=f"{self.nodeid}::case"', 'nodeid=f"{self.nodeid}::case{n}"'))
    pytester.makefile(".twins", a="two tests, two ids")
    result = pytester.runpytest_subprocess("-p", "tests.conftest", "-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=2)
