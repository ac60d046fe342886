"""Where a webhook may point: the guard against server-side request forgery. Pure: the resolver is passed in.

A webhook makes the mock call whatever URL a caller registered. With the mock on a loopback address only
the machine's own users can register one, and every destination stays allowed. Beyond loopback, only the
destinations of `--webhook-allow` are: host names (`hooks.example.com`), suffix patterns (`*.example.com`)
and CIDR ranges (`10.20.0.0/16`). Whatever the address, link-local and cloud metadata addresses
(169.254.0.0/16, fe80::/10, fd00:ec2::254) and the mock's own listening address are always refused.

A URL is checked when it is registered or changed (a 400 naming `url`) and again when an attempt is made,
on the addresses its host resolves to then: a name that has come to resolve inward is refused, and the
attempt is logged as refused. The sender connects to the address that was checked.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str], list[str]]

NEVER = tuple(ipaddress.ip_network(n) for n in ("169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128"))
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


class DestinationError(ValueError):
    """A `--webhook-allow` entry that is neither a host name, a `*.` pattern nor a CIDR range."""


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class Checked:
    """A destination found allowed: the address to connect to (None: the host is connected to by name)."""

    address: str | None


class Refused(ValueError):
    """Why a URL may not be called; its text is what the client and the attempt log read."""


class Destinations:
    def __init__(self, allow: Sequence[str] = (), *, everywhere: bool = True,
                 own: Iterable[tuple[str, int]] = (), resolve: Resolver) -> None:
        self.everywhere = everywhere  # the mock is on loopback: every destination but the refused ones
        self.names: list[str] = []
        self.suffixes: list[str] = []
        self.networks: list[Network] = []
        for entry in (e.strip() for e in allow):
            if not entry:
                continue
            if "/" in entry:
                try:
                    self.networks.append(ipaddress.ip_network(entry, strict=False))
                except ValueError:
                    raise DestinationError(f"--webhook-allow {entry!r} is not a CIDR range") from None
            elif entry.startswith("*.") and _is_name(entry[2:]):
                self.suffixes.append(entry[1:].lower())
            elif _is_address(entry):
                self.networks.append(ipaddress.ip_network(entry.strip("[]")))
            elif _is_name(entry):
                self.names.append(entry.lower())
            else:
                raise DestinationError(f"--webhook-allow {entry!r} is not a host name, *.pattern or CIDR range")
        self.own = {(_normal(host), port) for host, port in own}
        self.resolve = resolve

    @property
    def rules(self) -> list[str]:
        return self.names + ["*" + s for s in self.suffixes] + [str(n) for n in self.networks]

    def check(self, url: str, *, resolve: bool = False) -> Checked:
        """The URL allowed (with the address to use), or Refused. `resolve`: at delivery, the host's
        addresses now; at registration only a name that no rule names is resolved."""
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:  # a port that is no number, a bracketed host that is no IPv6 address
            if self.everywhere and not resolve:
                return Checked(None)  # on loopback, registered as before; an attempt to call it is refused
            raise Refused("The URL's host or port cannot be read") from None
        if not host:
            raise Refused("The URL has no host")
        host = _literal(host)  # 2852039166, 0xa9fea9fe, 0251.0376.0251.0376, 169.254.169.254. are addresses
        literal = _is_address(host)
        by_name = not literal and (host in self.names or any(host.endswith(s) for s in self.suffixes))
        if literal:
            addresses = [host]
        elif host in LOOPBACK_NAMES:
            addresses = ["127.0.0.1"]
        elif resolve or not (self.everywhere or by_name):
            addresses = self.resolve(host)
            if not addresses:
                raise Refused(f"{host} does not resolve")
        else:
            addresses = []
        for address in addresses:
            self._refuse_address(address, port, host)
        if not (self.everywhere or by_name):
            outside = [a for a in addresses if not any(embedded(ipaddress.ip_address(a)) in n for n in self.networks
                                                       if n.version == embedded(ipaddress.ip_address(a)).version)]
            if outside:
                allowed = ", ".join(self.rules) or "none"
                raise Refused(f"{host} is not an allowed webhook destination (--webhook-allow: {allowed})")
        return Checked(addresses[0] if addresses and resolve else None)

    def _refuse_address(self, address: str, port: int, host: str) -> None:
        ip = embedded(ipaddress.ip_address(address))  # ::ffff:127.0.0.1 is 127.0.0.1 to the kernel
        what = host if host == address else f"{host} ({address})"
        if any(ip.version == n.version and ip in n for n in NEVER):
            raise Refused(f"{what} is a link-local or cloud metadata address, which webhooks never reach")
        if (str(ip), port) in self.own or (ip.is_loopback and ("loopback", port) in self.own) \
                or (ip.is_unspecified and any(p == port for _, p in self.own)) \
                or (("any", port) in self.own and bound_here(ip)):
            raise Refused(f"{what}:{port} is the mock itself")


NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")


def embedded(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The IPv4 address an IPv6 one carries (mapped ::ffff:a.b.c.d, compatible ::a.b.c.d, 6to4 2002::/16,
    Teredo), which is where a connection to it goes; else the address itself."""
    if isinstance(ip, ipaddress.IPv4Address):
        return ip
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in NAT64 or ip in IPV4_TRANSLATED:  # 64:ff9b::a.b.c.d and ::ffff:0:a.b.c.d: translated to IPv4
        return ipaddress.IPv4Address(ip.packed[12:])
    if ip.packed[:12] == bytes(12) and int(ip) > 1:  # ::a.b.c.d, deprecated but still routed by some stacks
        return ipaddress.IPv4Address(ip.packed[12:])
    return ip


def _literal(host: str) -> str:
    """A host as the address it spells, when it spells one the way inet_aton reads it (decimal, hex, octal,
    short forms) or with a trailing dot; else the host as given."""
    bare = host[:-1] if host.endswith(".") else host
    if _is_address(bare):
        return bare
    if bare and all(part and (part.isascii() and part.isalnum()) for part in bare.split(".")) \
            and bare.split(".")[-1][:1].isdigit():
        try:
            return socket.inet_ntoa(socket.inet_aton(bare))
        except OSError:
            return host
    return host


def own_addresses(host: str, *ports: int) -> list[tuple[str, int]]:
    """What the mock listens on: its host at each of its ports (plain and HTTPS); on loopback or every
    interface, loopback at those ports; on every interface, every address of this machine at them."""
    out = [(host, port) for port in ports]
    if is_loopback(host) or host in ("0.0.0.0", "::", ""):
        out += [("loopback", port) for port in ports]
    if host in ("0.0.0.0", "::", ""):
        out += [("any", port) for port in ports]
    return out


def bound_here(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether the address is one of this machine's: the kernel lets a socket bind only to those."""
    family = socket.AF_INET if ip.version == 4 else socket.AF_INET6
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((str(ip), 0))
    except OSError:
        return False
    return True


def _normal(host: str) -> str:
    host = host.strip("[]").lower()
    try:
        return str(embedded(ipaddress.ip_address(host)))
    except ValueError:
        return host


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return False
    return True


def _is_name(text: str) -> bool:
    labels = text.rstrip(".").split(".")
    return all(label and len(label) <= 63 and label.replace("-", "").isalnum() for label in labels)
