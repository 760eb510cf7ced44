#!/usr/bin/env python3
"""Independent computation of the known-answer vectors in x3dh_test.cc,
ratchet_kdf_test.cc and the stored-form tests, straight from docs/crypto.md.

Written separately from the C++ code so that the vectors check the document,
not the implementation against itself. Needs python3-cryptography (for
X25519, Ed25519 and AES-GCM); HKDF and HMAC come from the standard library.
Run: python3 tests/unit/lib/crypto/session_vectors.py
"""
import hashlib
import hmac
import struct

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def hkdf(ikm, salt, info, length):
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    out, block, i = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([i]), hashlib.sha256).digest()
        out += block
        i += 1
    return out[:length]


def raw(pub):
    return pub.public_bytes(Encoding.Raw, PublicFormat.Raw)


def x25519_pub(priv):
    return raw(X25519PrivateKey.from_private_bytes(priv).public_key())


def dh(priv, pub):
    return X25519PrivateKey.from_private_bytes(priv).exchange(X25519PublicKey.from_public_bytes(pub))


def pattern(start):
    return bytes((start + i) % 256 for i in range(32))


class Identity:
    def __init__(self, seed, dh_priv):
        self.seed, self.dh_priv = seed, dh_priv
        self.signer = Ed25519PrivateKey.from_private_bytes(seed)
        self.signing_key = raw(self.signer.public_key())
        self.dh_key = x25519_pub(dh_priv)
        self.signature = self.signer.sign(self.dh_key)


def stored_blob(magic, version, body):
    head = magic + bytes([version]) + body
    return head + hashlib.sha256(head).digest()


def ad_part(name, ident):
    return bytes([len(name)]) + name + ident.signing_key + ident.dh_key


alice = Identity(pattern(0x01), pattern(0x21))
bob = Identity(pattern(0x41), pattern(0x61))
spk_priv, opk_priv, ek_priv = pattern(0x81), pattern(0xA1), pattern(0xC1)
spk_pub, opk_pub, ek_pub = x25519_pub(spk_priv), x25519_pub(opk_priv), x25519_pub(ek_priv)

print("alice signing key  ", alice.signing_key.hex())
print("alice identity blob", stored_blob(b"SOID", 1, alice.seed + alice.dh_priv).hex())

F = b"\xff" * 32
dh1 = dh(alice.dh_priv, spk_pub)
dh2 = dh(ek_priv, bob.dh_key)
dh3 = dh(ek_priv, spk_pub)
dh4 = dh(ek_priv, opk_pub)
sk3 = hkdf(F + dh1 + dh2 + dh3, bytes(32), b"Sotto X3DH v1", 32)
sk4 = hkdf(F + dh1 + dh2 + dh3 + dh4, bytes(32), b"Sotto X3DH v1", 32)
ad = ad_part(b"alice", alice) + ad_part(b"bob", bob)
print("SK without OPK     ", sk3.hex())
print("SK with OPK        ", sk4.hex())
print("AD                 ", ad.hex())

# KDF_RK, KDF_CK and the message cipher key on fixed inputs.
rk, dh_out, ck, mk = pattern(0x10), pattern(0x30), pattern(0x50), pattern(0x70)
root = hkdf(dh_out, rk, b"Sotto ratchet root v1", 64)
print("KDF_RK root key    ", root[:32].hex())
print("KDF_RK chain key   ", root[32:].hex())
print("KDF_CK message key ", hmac.new(ck, b"\x01", hashlib.sha256).hexdigest())
print("KDF_CK chain key   ", hmac.new(ck, b"\x02", hashlib.sha256).hexdigest())
print("message cipher key ", hkdf(mk, bytes(32), b"Sotto message keys v1", 44).hex())

# Alice's first ratchet message to Bob (with the OPK), with a fixed ratchet key.
dhs_priv = pattern(0xE1)
dhs_pub = x25519_pub(dhs_priv)
root = hkdf(dh(dhs_priv, spk_pub), sk4, b"Sotto ratchet root v1", 64)
cks = root[32:]
mk0 = hmac.new(cks, b"\x01", hashlib.sha256).digest()
keys = hkdf(mk0, bytes(32), b"Sotto message keys v1", 44)
header = bytes([1]) + dhs_pub + struct.pack(">II", 0, 0)
plaintext = b"hello bob, this is alice"
message = header + AESGCM(keys[:32]).encrypt(keys[32:], plaintext, ad + header)
print("first message      ", message.hex())

initial = (bytes([2]) + alice.signing_key + alice.dh_key + alice.signature + ek_pub + struct.pack(">I", 7) +
           b"\x01" + struct.pack(">I", 9) + struct.pack(">I", len(message)) + message)
print("initial message    ", initial.hex())

# A ratchet state with every optional field present (see ratchet_state_codec_test.cc):
# version 2, where each skipped key ends with the time it was stored (u64
# seconds since the epoch), and the same state in version 1, which has no times.
head = (struct.pack(">H", 3) + b"\xaa\xbb\xcc" + pattern(0x01) + pattern(0x21) + b"\x07" + pattern(0x41) +
        pattern(0x61) + pattern(0x81) + struct.pack(">III", 5, 6, 4) + b"\x01" + pattern(0xA1) +
        struct.pack(">H", 2))
skipped = [(pattern(0x41), 2, pattern(0xC1), 1717200000), (pattern(0x41), 3, pattern(0xE1), 1717200001)]
body_v2 = head + b"".join(k + struct.pack(">I", n) + mk + struct.pack(">Q", t) for k, n, mk, t in skipped)
body_v1 = head + b"".join(k + struct.pack(">I", n) + mk for k, n, mk, _ in skipped)
print("ratchet state      ", stored_blob(b"SORS", 2, body_v2).hex())
print("ratchet state v1   ", stored_blob(b"SORS", 1, body_v1).hex())
