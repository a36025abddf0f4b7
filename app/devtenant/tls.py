"""A local certificate authority and a server certificate for 127.0.0.1/localhost.

Clients trust `ca.pem` (MSAL and the Graph client pass it as `verify=`); nothing disables
certificate verification. Files are reused while they are valid and regenerated otherwise.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_FILE = "ca.pem"
CA_KEY_FILE = "ca-key.pem"
SERVER_CERT_FILE = "server.pem"
SERVER_KEY_FILE = "server-key.pem"
SERVER_NAMES = ("127.0.0.1", "::1", "localhost")
RENEW_BEFORE = dt.timedelta(days=2)


@dataclass(frozen=True)
class TlsFiles:
    ca: Path
    cert: Path
    key: Path


def ensure_tls_files(cert_dir: Path) -> TlsFiles:
    """Return the CA and server certificate in `cert_dir`, creating or renewing them as needed."""
    cert_dir.mkdir(parents=True, exist_ok=True)
    files = TlsFiles(cert_dir / CA_FILE, cert_dir / SERVER_CERT_FILE, cert_dir / SERVER_KEY_FILE)
    ca_cert, ca_key = _load_valid_ca(cert_dir)
    if ca_cert is None or ca_key is None:
        ca_cert, ca_key = _create_ca()
        write_private_key(cert_dir / CA_KEY_FILE, ca_key)
        files.ca.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    elif _server_cert_is_valid(files, ca_cert):
        return files
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = _create_server_cert(server_key, ca_cert, ca_key)
    write_private_key(files.key, server_key)
    files.cert.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    return files


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def write_private_key(path: Path, key: PrivateKeyTypes) -> None:
    """PEM (PKCS#8, unencrypted: a local dev key), readable by the owner only."""
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)


def _still_valid(cert: x509.Certificate) -> bool:
    now = _now()
    return cert.not_valid_before_utc <= now and cert.not_valid_after_utc - RENEW_BEFORE > now


def _load_valid_ca(
    cert_dir: Path,
) -> tuple[x509.Certificate | None, ec.EllipticCurvePrivateKey | None]:
    try:
        cert = x509.load_pem_x509_certificate((cert_dir / CA_FILE).read_bytes())
        key = serialization.load_pem_private_key((cert_dir / CA_KEY_FILE).read_bytes(), None)
    except (OSError, ValueError):
        return None, None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not _still_valid(cert):
        return None, None
    if cert.public_key().public_numbers() != key.public_key().public_numbers():
        return None, None
    return cert, key


def _server_cert_is_valid(files: TlsFiles, ca_cert: x509.Certificate) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(files.cert.read_bytes())
        key = serialization.load_pem_private_key(files.key.read_bytes(), None)
        cert.verify_directly_issued_by(ca_cert)
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, TypeError, InvalidSignature, x509.ExtensionNotFound):
        return False
    dns = set(names.get_values_for_type(x509.DNSName))
    ips = {str(ip) for ip in names.get_values_for_type(x509.IPAddress)}
    same_key = cert.public_key().public_numbers() == key.public_key().public_numbers()  # type: ignore[union-attr]
    return _still_valid(cert) and same_key and "localhost" in dns and "127.0.0.1" in ips


def _create_ca() -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "MyGov dev tenant"),
            x509.NameAttribute(NameOID.COMMON_NAME, "MyGov dev tenant local CA"),
        ]
    )
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _create_server_cert(
    key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey
) -> x509.Certificate:
    now = _now()
    alt_names: list[x509.GeneralName] = []
    for name in SERVER_NAMES:
        try:
            alt_names.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alt_names.append(x509.DNSName(name))
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=397))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
