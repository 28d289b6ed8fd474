"""The self-signed certificate the SmartServer ships with (generated, or loaded)."""

from __future__ import annotations

from dataclasses import dataclass
import datetime as dt
import ipaddress
from pathlib import Path
import ssl
import tempfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True, slots=True)
class CertificateBundle:
    """A PEM certificate, its key and the SHA-256 fingerprint of the DER form."""

    cert_pem: str
    key_pem: str

    @property
    def fingerprint(self) -> str:
        """Return ``AB:CD:...`` (upper-case, colon separated)."""
        cert = x509.load_pem_x509_certificate(self.cert_pem.encode())
        return cert.fingerprint(hashes.SHA256()).hex(":").upper()

    def server_context(self) -> ssl.SSLContext:
        """Return a server SSL context using this certificate."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.load_into(context)
        return context

    def load_into(self, context: ssl.SSLContext) -> None:
        """Make ``context`` present this certificate to connections made from now on."""
        with tempfile.TemporaryDirectory() as tmp:
            cert_path = Path(tmp, "cert.pem")
            key_path = Path(tmp, "key.pem")
            cert_path.write_text(self.cert_pem)
            key_path.write_text(self.key_pem)
            context.load_cert_chain(cert_path, key_path)

    def client_context(self) -> ssl.SSLContext:
        """Return a client context trusting exactly this certificate."""
        context = ssl.create_default_context(cadata=self.cert_pem)
        context.check_hostname = False
        return context


def generate_certificate(host: str = "127.0.0.1") -> CertificateBundle:
    """Create a fresh self-signed certificate (EC P-256: instant to generate)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "smartserver"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "SmartServer IoT simulator"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    alt_names: list[x509.GeneralName] = [x509.DNSName("localhost")]
    try:
        alt_names.append(x509.IPAddress(ipaddress.ip_address(host)))
    except ValueError:
        alt_names.append(x509.DNSName(host))
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return CertificateBundle(
        cert.public_bytes(serialization.Encoding.PEM).decode(),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
    )


def load_certificate(cert_file: str | Path, key_file: str | Path) -> CertificateBundle:
    """Load a certificate and key from PEM files."""
    return CertificateBundle(Path(cert_file).read_text(), Path(key_file).read_text())
