"""Id tokens as Identity Platform makes them: RS256 JWTs signed by a key the server makes once, its
public half served as a JWKS; and the unsigned tokens of the Firebase Auth emulator.

PyJWT is imported by the first call that needs it: with ``cryptography`` it was 8% of importing
the package."""

from __future__ import annotations

import hashlib
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

ISSUER_PREFIX = "https://securetoken.google.com/"
STANDARD_CLAIMS = ("iss", "aud", "exp", "iat", "sub", "uid")


class Signer:
    """One RSA key for the server's lifetime, made when first needed (it takes tens of milliseconds)."""

    def __init__(self) -> None:
        self._key: RSAPrivateKey | None = None
        self._kid = ""
        self._lock = threading.Lock()

    def _ready(self) -> RSAPrivateKey:
        with self._lock:
            if self._key is None:
                from cryptography.hazmat.primitives import serialization
                from cryptography.hazmat.primitives.asymmetric import rsa

                key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
                der = key.public_key().public_bytes(
                    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
                )
                self._kid = hashlib.sha1(der).hexdigest()
                self._key = key
            return self._key

    @property
    def kid(self) -> str:
        self._ready()
        return self._kid

    def jwks(self) -> dict[str, Any]:
        """The public key as a JSON Web Key Set."""
        import jwt

        public = jwt.algorithms.RSAAlgorithm.to_jwk(self._ready().public_key(), as_dict=True)
        return {
            "keys": [
                {
                    "kty": "RSA",
                    "alg": "RS256",
                    "use": "sig",
                    "kid": self.kid,
                    "n": public["n"],
                    "e": public["e"],
                }
            ]
        }

    def sign(self, claims: dict[str, Any]) -> str:
        """``claims`` as an RS256 JWT with this key's ``kid``."""
        key = self._ready()
        import jwt

        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": self._kid, "typ": "JWT"})

    def verify(self, token: str) -> dict[str, Any] | None:
        """The claims of a token this key signed, or None (times are checked by the caller's clock)."""
        if self._key is None:
            return None
        import jwt

        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != "RS256" or header.get("kid") != self._kid:
                return None
            return dict(
                jwt.decode(token, self._ready().public_key(), algorithms=["RS256"], options=_NO_CHECKS)
            )
        except jwt.PyJWTError:
            return None


_NO_CHECKS: Any = {"verify_exp": False, "verify_iat": False, "verify_nbf": False, "verify_aud": False}


def unsigned_claims(token: str) -> dict[str, Any] | None:
    """The claims of an emulator token (``alg: none``, empty signature), or None for anything else."""
    import jwt

    try:
        if jwt.get_unverified_header(token).get("alg") != "none" or not token.endswith("."):
            return None
        return dict(jwt.decode(token, options={"verify_signature": False}))
    except jwt.PyJWTError:
        return None


def algorithm(token: str) -> str | None:
    """The ``alg`` a token's header names, or None when it is not a JWT."""
    import jwt

    try:
        alg = jwt.get_unverified_header(token).get("alg")
    except jwt.PyJWTError:
        return None
    return alg if isinstance(alg, str) else None
