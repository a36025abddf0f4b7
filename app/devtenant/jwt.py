"""RS256 JSON Web Tokens signed with the tenant's key, published in its JWKS with a `kid`."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from app.devtenant.tls import write_private_key

SIGNING_KEY_FILE = "token-signing-key.pem"


class InvalidToken(ValueError):
    """The token is malformed or its signature does not verify."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _int_b64(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


class SigningKey:
    """The tenant's token-signing key; kept in `cert_dir` so tokens survive a restart."""

    def __init__(self, cert_dir: Path | None) -> None:
        self.private_key = self._load_or_create(cert_dir)
        numbers = self.private_key.public_key().public_numbers()
        self.jwk = {"kty": "RSA", "use": "sig", "n": _int_b64(numbers.n), "e": _int_b64(numbers.e)}
        der = self.private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.kid = b64url(hashlib.sha1(der).digest())  # Entra's kid/x5t are SHA-1 thumbprints too

    @staticmethod
    def _load_or_create(cert_dir: Path | None) -> rsa.RSAPrivateKey:
        path = cert_dir / SIGNING_KEY_FILE if cert_dir else None
        if path and path.exists():
            key = serialization.load_pem_private_key(path.read_bytes(), None)
            if isinstance(key, rsa.RSAPrivateKey):
                return key
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_private_key(path, key)
        return key

    def jwks(self, issuer: str) -> dict[str, Any]:
        return {"keys": [{**self.jwk, "kid": self.kid, "x5t": self.kid, "issuer": issuer}]}

    def sign(self, claims: dict[str, Any]) -> str:
        header = {"typ": "JWT", "alg": "RS256", "kid": self.kid}
        signing_input = ".".join(
            b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
        )
        signature = self.private_key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{b64url(signature)}"

    def verify(self, token: str) -> dict[str, Any]:
        """Claims of a token this key signed; raises InvalidToken otherwise (no time checks here)."""
        header, claims = unverified_parts(token)
        if header.get("alg") != "RS256" or header.get("kid") != self.kid:
            raise InvalidToken("unknown signing key")
        signing_input, _, signature = token.rpartition(".")
        try:
            self.private_key.public_key().verify(
                b64url_decode(signature), signing_input.encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except (InvalidSignature, ValueError) as error:
            raise InvalidToken("signature does not verify") from error
        return claims


def unverified_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("not a JWS compact token")
    try:
        return json.loads(b64url_decode(parts[0])), json.loads(b64url_decode(parts[1]))
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidToken("malformed token") from error
