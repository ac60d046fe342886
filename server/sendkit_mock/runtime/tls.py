"""HTTPS: the certificate the mock serves, from a local CA it keeps, or the user's own.

The local CA is made once (trustme, on cryptography) in the user's data directory, `tls/` under
`sendkit-mock`'s (platformdirs; `--data-dir` or SENDKIT_MOCK_DATA_DIR elsewhere): `ca.pem` is what a client
trusts, `ca-key.pem` signs, and `localhost.pem` is the server's key and chain for localhost, 127.0.0.1 and ::1.
The three are written in a directory of their own and renamed into place at once, so mocks started together
(pytest-xdist, several workers) agree on one CA. A start with the CA in place reads no certificate and imports
no cryptography: the server certificate is issued again only when it is missing or older than RENEW_DAYS (it
is valid for SERVER_DAYS, within what macOS accepts from a private CA).
"""

from __future__ import annotations

import os
import secrets
import shutil
import ssl
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..clock import Clock, SystemClock
from ..errors import need

NAMES = ("localhost", "127.0.0.1", "::1")
CA_FILE, CA_KEY_FILE, SERVER_FILE = "ca.pem", "ca-key.pem", "localhost.pem"
SERVER_DAYS = 800  # macOS refuses a server certificate valid for more than 825 days, from any CA
RENEW_DAYS = 700
# How long a stop waits for the requests in flight: an idle TLS connection is closed only once its client
# answers the close, one that never reads (an idle pooled connection) would hold a server's stop for asyncio's
# 30 s, and a page that polls (the dashboard) sends request after request on its connection while it closes.
STOP_SECONDS = 3

if TYPE_CHECKING:
    import trustme

    from ..settings import Settings


class TlsError(ValueError):
    """A certificate or key that cannot be served; the message names the file."""


@dataclass(frozen=True, slots=True)
class Certificate:
    """What uvicorn serves: a PEM certificate chain and its key (one file may hold both), and the CA a client
    should trust (None for the user's own certificate: its CA is theirs)."""

    cert_file: Path
    key_file: Path
    ca_file: Path | None

    def uvicorn_options(self) -> dict[str, Any]:
        """uvicorn.Config's arguments for an HTTPS listener serving this certificate."""
        return {"ssl_certfile": str(self.cert_file), "ssl_keyfile": str(self.key_file)}


def certificate_for(settings: Settings) -> Certificate | None:
    """What an HTTPS listener serves: the user's certificate, or the local CA's; None when all is HTTP."""
    if all(scheme == "http" for scheme, _ in settings.listeners):
        return None
    if settings.tls_cert is not None and settings.tls_key is not None:
        return own_certificate(settings.tls_cert, settings.tls_key)
    need("tls", "trustme", "platformdirs")
    return local_certificate(ca_directory(settings.data_dir))


def ca_directory(data_dir: Path | None) -> Path:
    """Where the local CA lives: `tls/` in the given data directory, else in the user's."""
    if data_dir is None:
        import platformdirs

        data_dir = platformdirs.user_data_path("sendkit-mock", appauthor=False)
    return data_dir / "tls"


def local_ca(directory: Path, clock: Clock | None = None) -> Path:
    """The local CA's certificate (made, with a server certificate, when missing): the file clients trust."""
    if not (directory / CA_FILE).is_file():
        _create(directory, clock or SystemClock())
    missing = [name for name in (CA_FILE, CA_KEY_FILE) if not (directory / name).is_file()]
    if missing:
        raise TlsError(f"the local CA in {directory} lacks {', '.join(missing)}: remove that directory and "
                       "start again to make a new CA (clients that trusted the old one must trust the new)")
    return directory / CA_FILE


def local_certificate(directory: Path, clock: Clock | None = None) -> Certificate:
    """The server certificate for NAMES from the local CA, issued again when missing or old."""
    clock = clock or SystemClock()
    ca = local_ca(directory, clock)
    server = directory / SERVER_FILE
    try:
        age_days = (clock.now().timestamp() - server.stat().st_mtime) / 86_400
    except FileNotFoundError:
        age_days = float("inf")
    if age_days > RENEW_DAYS:
        _write(server, _issue(directory, clock), private=True)
    return Certificate(server, server, ca)


def own_certificate(cert_file: Path, key_file: Path) -> Certificate:
    """The user's certificate and key, checked as the server will load them: each file, then the pair."""
    for flag, path, marker in (("--tls-cert", cert_file, b"-----BEGIN CERTIFICATE-----"),
                               ("--tls-key", key_file, b"PRIVATE KEY-----")):
        try:
            text = path.read_bytes()
        except FileNotFoundError:
            raise TlsError(f"{flag} {path}: no such file") from None
        except IsADirectoryError:
            raise TlsError(f"{flag} {path}: a directory, not a PEM file") from None
        except OSError as exc:
            raise TlsError(f"{flag} {path}: cannot be read ({exc.strerror})") from None
        if marker not in text:
            raise TlsError(f"{flag} {path}: no PEM {'certificate' if flag == '--tls-cert' else 'private key'} in it")
        if flag == "--tls-key" and b"ENCRYPTED" in text:
            raise TlsError(f"--tls-key {path}: the key is encrypted; give the server an unencrypted copy "
                           "(openssl pkey -in KEY -out KEY.plain)")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(cert_file, key_file)
    except ssl.SSLError as exc:
        if "KEY_VALUES_MISMATCH" in str(exc) or exc.reason == "KEY_VALUES_MISMATCH":
            raise TlsError(f"--tls-key {key_file} is not the key of --tls-cert {cert_file}") from None
        raise TlsError(f"--tls-cert {cert_file} with --tls-key {key_file}: {exc.reason or exc}") from None
    return Certificate(cert_file, key_file, None)


def trust_hints(ca_file: Path) -> str:
    """How each common client is told to trust the CA, on one line."""
    return (f"SSL_CERT_FILE={ca_file} (Go, Ruby, OpenSSL) | NODE_EXTRA_CA_CERTS={ca_file} | "
            f"REQUESTS_CA_BUNDLE={ca_file} | curl --cacert {ca_file}")


def _create(directory: Path, clock: Clock) -> None:
    import trustme

    directory.parent.mkdir(parents=True, exist_ok=True)
    building = directory.parent / f".{directory.name}-{secrets.token_hex(6)}"
    building.mkdir(mode=0o700)
    try:
        ca = trustme.CA(organization_name="sendkit-mock",
                        organization_unit_name="local CA for the mock's HTTPS on this machine")
        _write(building / CA_FILE, ca.cert_pem.bytes())
        _write(building / CA_KEY_FILE, ca.private_key_pem.bytes(), private=True)
        _write(building / SERVER_FILE, _leaf(ca, clock), private=True)
        try:
            os.rename(building, directory)  # at once; another process that got there first wins
        except OSError:
            if not (directory / CA_FILE).is_file():
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)


def _issue(directory: Path, clock: Clock) -> bytes:
    import trustme

    ca = trustme.CA.from_pem((directory / CA_FILE).read_bytes(), (directory / CA_KEY_FILE).read_bytes())
    return _leaf(ca, clock)


def _leaf(ca: trustme.CA, clock: Clock) -> bytes:
    now = clock.now().replace(tzinfo=None)  # cryptography reads a naive datetime as UTC
    leaf = ca.issue_cert(*NAMES, common_name="localhost", organization_name="sendkit-mock",
                         not_before=now - timedelta(days=1), not_after=now + timedelta(days=SERVER_DAYS))
    return leaf.private_key_and_cert_chain_pem.bytes()


def _write(path: Path, content: bytes, private: bool = False) -> None:
    """Written whole or not at all: a server reading the file meanwhile sees the old one or the new one."""
    partial = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(descriptor, "wb") as out:
        out.write(content)
    os.replace(partial, path)
