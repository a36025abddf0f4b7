"""A self-signed app certificate, as IT would upload to the app registration."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class AppCertificate:
    key_pem: str
    certificate_pem: str
    thumbprint: str  # SHA-1, hex: what Entra shows and ENTRA_CLIENT_CERT_THUMBPRINT holds


def make_app_certificate() -> AppCertificate:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mygov-app")])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return AppCertificate(
        key_pem, certificate.public_bytes(serialization.Encoding.PEM).decode(),
        certificate.fingerprint(hashes.SHA1()).hex(),
    )
