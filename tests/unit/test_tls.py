import os
import ssl
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509

from sendkit_mock.clock import ManualClock
from sendkit_mock.runtime.tls import RENEW_DAYS, SERVER_DAYS, TlsError, local_ca, local_certificate, own_certificate

from ..conftest import START


def served_names(certificate_file: Path, ca_file: Path) -> None:
    """The certificate loads as a server's and verifies against the CA for each of the names it promises."""
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(certificate_file)
    client = ssl.create_default_context(cafile=str(ca_file))
    for name in ("localhost", "127.0.0.1", "::1"):
        a, b = ssl.MemoryBIO(), ssl.MemoryBIO()
        c, d = ssl.MemoryBIO(), ssl.MemoryBIO()
        outgoing = client.wrap_bio(a, b, server_hostname=name)
        incoming = server.wrap_bio(c, d, server_side=True)
        for _ in range(10):  # the handshake, bytes carried by hand between the two ends
            for end in (outgoing, incoming):
                try:
                    end.do_handshake()
                except ssl.SSLWantReadError:
                    pass
            c.write(b.read())
            a.write(d.read())
        assert outgoing.getpeercert()["subject"], name


def test_one_ca_is_made_and_its_certificate_serves_every_local_name(tmp_path: Path) -> None:
    clock = ManualClock(START)
    certificate = local_certificate(tmp_path / "tls", clock)
    assert certificate.ca_file == local_ca(tmp_path / "tls", clock)
    served_names(certificate.cert_file, certificate.ca_file)
    assert {p.name for p in (tmp_path / "tls").iterdir()} == {"ca.pem", "ca-key.pem", "localhost.pem"}


def test_the_server_certificate_is_kept_then_issued_again_when_old_under_the_same_ca(tmp_path: Path) -> None:
    clock = ManualClock(START)
    first = local_certificate(tmp_path / "tls", clock)
    issued, ca = first.cert_file.read_bytes(), first.ca_file.read_bytes() if first.ca_file else b""
    clock.advance(timedelta(days=RENEW_DAYS - 1).total_seconds())
    os.utime(first.cert_file, (START.timestamp(), START.timestamp()))
    assert local_certificate(tmp_path / "tls", clock).cert_file.read_bytes() == issued
    clock.advance(timedelta(days=2).total_seconds())
    again = local_certificate(tmp_path / "tls", clock)
    assert again.cert_file.read_bytes() != issued and again.ca_file and again.ca_file.read_bytes() == ca
    leaf = x509.load_pem_x509_certificates(again.cert_file.read_bytes())[0]  # the key comes first, then the chain
    authority = x509.load_pem_x509_certificate(ca)
    leaf.verify_directly_issued_by(authority)
    assert leaf.not_valid_after_utc == (clock.now() + timedelta(days=SERVER_DAYS)).replace(microsecond=0)


def test_mocks_started_together_agree_on_one_ca(tmp_path: Path) -> None:
    found: list[bytes] = []
    barrier = threading.Barrier(6)

    def start() -> None:
        barrier.wait()
        found.append(local_ca(tmp_path / "tls").read_bytes())

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 6 and len(set(found)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["tls"]  # no half-built directory left behind


def test_a_ca_missing_its_key_is_named_not_replaced(tmp_path: Path) -> None:
    local_ca(tmp_path / "tls")
    (tmp_path / "tls" / "ca-key.pem").unlink()
    with pytest.raises(TlsError, match=r"lacks ca-key.pem: remove that directory"):
        local_certificate(tmp_path / "tls")


def test_the_users_certificate_is_checked_file_by_file_then_as_a_pair(tmp_path: Path) -> None:
    local = local_certificate(tmp_path / "tls")
    own = own_certificate(local.cert_file, local.key_file)
    assert own.ca_file is None
    encrypted = tmp_path / "encrypted.pem"
    encrypted.write_text("-----BEGIN ENCRYPTED PRIVATE KEY-----\nxx\n-----END ENCRYPTED PRIVATE KEY-----\n")
    with pytest.raises(TlsError, match=rf"--tls-key {encrypted}: the key is encrypted"):
        own_certificate(local.cert_file, encrypted)
    with pytest.raises(TlsError, match=rf"--tls-cert {tmp_path}: a directory"):
        own_certificate(tmp_path, local.key_file)
