"""Where webhooks may point (domain/destinations.py): everywhere on loopback but the never-reached addresses
and the mock itself; beyond loopback only --webhook-allow; checked again on the address a name resolves to."""

import pytest

from sendkit_mock.domain.destinations import DestinationError, Destinations, Refused, own_addresses
from sendkit_mock.settings import Settings, SettingsError

NAMES = {"hooks.example.com": ["203.0.113.7"], "ci.internal.example": ["10.1.2.3"], "inward.example.org": ["10.9.9.9"]}


def resolve(host: str) -> list[str]:
    return NAMES.get(host, [])


LOCAL = Destinations(everywhere=True, own=own_addresses("127.0.0.1", 4010), resolve=resolve)
SHARED = Destinations(["hooks.example.com", "*.internal.example", "192.168.0.0/16", "fd12::/16"],
                      everywhere=False, own=own_addresses("0.0.0.0", 4010), resolve=resolve)


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/hooks", "https://hooks.example.com/x", "http://10.0.0.1/",
                                 "http://[::1]:8080/", "http://localhost:4011/"])
def test_on_loopback_every_destination_is_allowed(url: str) -> None:
    LOCAL.check(url)


@pytest.mark.parametrize(("url", "reason"), [
    ("http://169.254.169.254/latest/meta-data", "link-local or cloud metadata"),
    ("http://[fd00:ec2::254]/", "link-local or cloud metadata"),
    ("http://[fe80::1]/", "link-local or cloud metadata"),
    ("http://127.0.0.1:4010/v1/reports", "is the mock itself"),
    ("http://localhost:4010/", "is the mock itself"),
    ("http://[::1]:4010/", "is the mock itself"),
])
def test_never_reached_addresses_and_the_mock_itself_are_refused_even_on_loopback(url: str, reason: str) -> None:
    for destinations in (LOCAL, SHARED):
        with pytest.raises(Refused, match=reason):
            destinations.check(url)


@pytest.mark.parametrize(("url", "ok"), [
    ("https://hooks.example.com/sendkit", True),  # a name rule
    ("http://ci.internal.example:8080/", True),  # a *. pattern
    ("http://internal.example/", False),  # the pattern is for names under it
    ("http://192.168.4.20/", True), ("http://[fd12::1]/", True),  # CIDR ranges
    ("http://10.0.0.1/", False), ("http://evil.example.net/", False),  # elsewhere; a name that does not resolve
    ("http://inward.example.org/", False),  # resolves outside every range
])
def test_beyond_loopback_only_the_allowed_destinations_are(url: str, ok: bool) -> None:
    if ok:
        SHARED.check(url)
    else:
        with pytest.raises(Refused):
            SHARED.check(url)


@pytest.mark.parametrize("url", ["http://hooks.example.com:\U0010324c/x", "http://[not-v6]/", "http://h:99999/"])
def test_a_url_whose_host_or_port_cannot_be_read_is_refused_beyond_loopback_and_never_called(url: str) -> None:
    LOCAL.check(url)  # on loopback it registers, as any schema-valid URL does
    for destinations, resolve in ((LOCAL, True), (SHARED, False), (SHARED, True)):
        with pytest.raises(Refused, match="host"):
            destinations.check(url, resolve=resolve)


def test_the_refusal_says_what_is_allowed() -> None:
    with pytest.raises(Refused, match=r"10\.0\.0\.1 is not an allowed webhook destination \(--webhook-allow: "
                                      r"hooks\.example\.com, \*\.internal\.example, 192\.168\.0\.0/16, fd12::/16\)"):
        SHARED.check("http://10.0.0.1/")


def test_at_delivery_the_name_is_resolved_again_and_the_address_checked_is_the_one_used() -> None:
    names = {"hooks.example.com": ["203.0.113.7"]}
    destinations = Destinations(["hooks.example.com"], everywhere=False, resolve=lambda h: names.get(h, []))
    assert destinations.check("http://hooks.example.com/x").address is None  # registration: by its name
    assert destinations.check("http://hooks.example.com/x", resolve=True).address == "203.0.113.7"
    names["hooks.example.com"] = ["169.254.169.254"]  # the name has come to point inward
    with pytest.raises(Refused, match=r"hooks\.example\.com \(169\.254\.169\.254\) is a link-local"):
        destinations.check("http://hooks.example.com/x", resolve=True)


@pytest.mark.parametrize("entry", ["10.0.0.0/33", "not a host", "*.", "exa mple.com"])
def test_a_bad_allow_entry_is_refused_naming_it(entry: str) -> None:
    with pytest.raises(DestinationError, match="--webhook-allow"):
        Destinations([entry], resolve=resolve)
    with pytest.raises(SettingsError, match="--webhook-allow"):
        Settings(webhook_allow=entry)


def test_beyond_loopback_the_control_plane_needs_a_token_or_an_explicit_opening() -> None:
    with pytest.raises(SettingsError, match=r"--host 0\.0\.0\.0 can be reached from other machines.*--admin-token"):
        Settings(host="0.0.0.0")
    assert Settings(host="0.0.0.0", admin_token="s3cret").admin_token == "s3cret"
    assert Settings(host="0.0.0.0", open_control_plane=True).open_control_plane
    assert Settings(host="::1").loopback and Settings(host="localhost").loopback


@pytest.mark.parametrize(("url", "reason"), [
    ("http://[::ffff:169.254.169.254]/", "link-local or cloud metadata"),  # IPv4-mapped
    ("http://[::ffff:a9fe:a9fe]/", "link-local or cloud metadata"),
    ("http://[::169.254.169.254]/", "link-local or cloud metadata"),  # IPv4-compatible
    ("http://[2002:a9fe:a9fe::1]/", "link-local or cloud metadata"),  # 6to4
    ("http://2852039166/", "link-local or cloud metadata"),  # decimal
    ("http://0xa9fea9fe/", "link-local or cloud metadata"),  # hex
    ("http://0251.0376.0251.0376/", "link-local or cloud metadata"),  # octal
    ("http://169.254.169.254./", "link-local or cloud metadata"),  # a trailing dot
    ("http://[::ffff:127.0.0.1]:4010/__mock/reset", "is the mock itself"),
    ("http://2130706433:4010/__mock/state", "is the mock itself"),  # 127.0.0.1 in decimal
    ("http://127.1:4010/", "is the mock itself"),
    ("http://0:4010/", "is the mock itself"),
])
def test_every_spelling_of_a_refused_address_is_refused_at_registration(url: str, reason: str) -> None:
    """A mapped IPv6 literal registered, was delivered, and reset another session through the control plane;
    numeric spellings registered and were refused only at delivery."""
    for destinations in (LOCAL, SHARED):
        with pytest.raises(Refused, match=reason):
            destinations.check(url)


def test_the_https_listener_is_the_mock_itself_too() -> None:
    settings = Settings(port=4010, tls_port=4443)
    destinations = settings.destinations(resolve)
    for url in ("https://127.0.0.1:4443/__mock/reset", "http://localhost:4443/", "http://127.0.0.1:4010/"):
        with pytest.raises(Refused, match="is the mock itself"):
            destinations.check(url)
    destinations.check("http://127.0.0.1:4444/hooks")


def test_on_every_interface_each_address_of_this_machine_is_the_mock_itself() -> None:
    everywhere = Destinations(["0.0.0.0/0"], everywhere=False, own=own_addresses("0.0.0.0", 4010), resolve=resolve)
    with pytest.raises(Refused, match="is the mock itself"):
        everywhere.check("http://127.0.0.2:4010/__mock/reset", resolve=True)  # 127/8 is this machine's
    everywhere.check("http://198.51.100.7:4010/hooks", resolve=True)  # TEST-NET-2: no address of this machine


@pytest.mark.parametrize("url", ["http://[64:ff9b::a9fe:a9fe]/", "http://[::ffff:0:a9fe:a9fe]/"])
def test_translated_ipv6_spellings_of_the_metadata_address_are_refused(url: str) -> None:
    with pytest.raises(Refused, match="link-local or cloud metadata"):
        LOCAL.check(url)
