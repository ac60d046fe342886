import json

from sendkit_mock.session.journal import ANSWER_LIMIT, ANSWER_TEXT, Journal, answer_text, body_of, kept
from sendkit_mock.stores.memory import InMemoryLog


def entry(answer: bytes, **fields: object) -> dict[str, object]:
    return {"method": "GET", "path": "/v1/reports", "query": {}, "headers": {}, "body": None, "status": 200,
            "durationMs": 1.0, "violations": [], ANSWER_TEXT: answer_text(answer), **fields}


def test_an_answer_is_shown_as_json_when_it_is_json_and_as_text_when_not() -> None:
    journal = Journal(InMemoryLog(10))
    journal.log.append(entry(b'{"data": {"id": 1}}'))
    journal.log.append(entry(b"plain words"))
    journal.log.append(entry(b""))
    empty, text, parsed = journal.newest_first()
    assert parsed["answer"] == {"data": {"id": 1}} and text["answer"] == "plain words" and empty["answer"] is None
    assert all(ANSWER_TEXT not in shown for shown in (empty, text, parsed))


def test_a_long_answer_is_cut_and_says_so_without_losing_its_start() -> None:
    long = json.dumps({"data": ["é" * 100] * 400}).encode()  # multi-byte characters: cut on characters
    journal = Journal(InMemoryLog(10))
    journal.log.append(entry(long))
    (shown,) = journal.newest_first()
    assert isinstance(shown["answer"], str)
    assert shown["answer"].endswith(f"… (cut at {ANSWER_LIMIT} characters)")
    assert shown["answer"][:ANSWER_LIMIT] == long.decode()[:ANSWER_LIMIT]


def test_pages_and_near_misses_show_answers_and_a_state_file_round_trip_keeps_them() -> None:
    journal = Journal(InMemoryLog(10))
    journal.log.append(entry(b'{"n": 1}'))
    items, total, more = journal.page(cursor=None, limit=5)
    assert total == 1 and not more and items[0]["answer"] == {"n": 1}
    count, near = journal.count({"method": "POST"})
    assert count == 0 and near[0]["request"]["answer"] == {"n": 1}
    again = Journal(InMemoryLog(10))
    again.restore([kept(e) for e in journal.newest_first()])
    assert again.newest_first() == journal.newest_first()


def test_a_request_body_cut_at_its_limit_stays_text() -> None:
    assert body_of(b'{"a": 1}') == {"a": 1}
    assert isinstance(body_of(b'{"a": "' + b"x" * 70_000 + b'"}'), str)
