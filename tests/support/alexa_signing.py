"""A private certificate authority that signs requests the way Alexa does, for tests and the load bench.

Alexa signs every request body with the key of a certificate for ``echo-api.amazon.com`` and
names the PEM chain in ``SignatureCertChainUrl``. Here a throwaway root, intermediate and leaf are
generated with ``cryptography`` so the real verifier can be exercised end to end: the root is handed
to the verifier by constructor injection, never trusted by default.
"""
from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ALEXA_SAN = "echo-api.amazon.com"
_KEY_SIZE = 2048


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=_KEY_SIZE)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Signing"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


@dataclass
class Issued:
    cert: x509.Certificate
    key: rsa.RSAPrivateKey

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def _issue(subject: str, key: rsa.RSAPrivateKey, issuer: Issued | None, *, ca: bool,
           not_before: dt.datetime, not_after: dt.datetime, san: str | list[str] | None = None,
           path_length: int | None = None) -> Issued:
    issuer_name = issuer.cert.subject if issuer else _name(subject)
    signing_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length if ca else None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                          encipher_only=False, decipher_only=False), critical=True)
    else:
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                          encipher_only=False, decipher_only=False), critical=True)
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False)
        names = [san] if isinstance(san, str) else san or [ALEXA_SAN]
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(name) for name in names]),
                                        critical=False)
    return Issued(builder.sign(signing_key, hashes.SHA256()), key)


@dataclass
class SigningAuthority:
    """Root, intermediate and a signing leaf; ``chain_pem`` is what the chain URL serves."""

    root: Issued
    intermediate: Issued
    leaf: Issued

    @classmethod
    def create(cls, *, leaf_san: str = ALEXA_SAN, leaf_not_before: dt.datetime | None = None,
               leaf_not_after: dt.datetime | None = None) -> SigningAuthority:
        now = _now()
        root_key, intermediate_key = _key(), _key()
        root = _issue("Test Root CA", root_key, None, ca=True, not_before=now - dt.timedelta(days=30),
                      not_after=now + dt.timedelta(days=3650), path_length=1)
        intermediate = _issue("Test Intermediate CA", intermediate_key, root, ca=True,
                              not_before=now - dt.timedelta(days=30), not_after=now + dt.timedelta(days=1825),
                              path_length=0)
        authority = cls(root, intermediate, root)
        authority.leaf = authority.issue_leaf(san=leaf_san, not_before=leaf_not_before, not_after=leaf_not_after)
        return authority

    def issue_leaf(self, *, san: str | list[str] = ALEXA_SAN, not_before: dt.datetime | None = None,
                   not_after: dt.datetime | None = None) -> Issued:
        now = _now()
        subject = san if isinstance(san, str) else san[0]
        return _issue(subject, _key(), self.intermediate, ca=False,
                      not_before=not_before or now - dt.timedelta(days=1),
                      not_after=not_after or now + dt.timedelta(days=90), san=san)

    def chain_pem(self, leaf: Issued | None = None) -> bytes:
        """Leaf first, then the intermediate: the order Alexa's published chain files use."""
        return (leaf or self.leaf).pem + self.intermediate.pem

    @property
    def root_pem(self) -> bytes:
        return self.root.pem


def sign(body: bytes, key: rsa.RSAPrivateKey, algorithm: hashes.HashAlgorithm | None = None) -> str:
    """The base64 ``Signature-256`` header value: RSA PKCS#1 v1.5 over the raw body."""
    signature = key.sign(body, padding.PKCS1v15(), algorithm or hashes.SHA256())
    return base64.b64encode(signature).decode("ascii")
