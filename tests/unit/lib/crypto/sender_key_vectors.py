#!/usr/bin/env python3
"""Independent computation of the sender-key known-answer vectors in
tests/data/sender_key/vectors.json, straight from docs/crypto.md ("Groups:
sender keys").

Written from the document, not from the C++ code, so that the vectors check
the document's derivation and byte layouts rather than the implementation
against itself (sender_key_vectors_test.cc reads the JSON). Needs
python3-cryptography (Ed25519, AES-GCM); HMAC and HKDF come from the standard
library. Deterministic: Ed25519 signatures (RFC 8032) involve no randomness.
Run: python3 tests/unit/lib/crypto/sender_key_vectors.py > tests/data/sender_key/vectors.json
"""
import hashlib
import hmac
import json
import struct

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
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


def pattern(start, n=32):
    return bytes((start + i) % 256 for i in range(n))


def stored_blob(magic, version, body):
    head = magic + bytes([version]) + body
    return head + hashlib.sha256(head).digest()


def chain_step(ck):
    """KDF_CK: (message key, next chain key)."""
    return hmac.new(ck, b"\x01", hashlib.sha256).digest(), hmac.new(ck, b"\x02", hashlib.sha256).digest()


group_id = pattern(0x10, 16)
key_id = 0xA1B2C3D4
chain_key0 = pattern(0x20)
signing_seed = pattern(0x60)
signer = Ed25519PrivateKey.from_private_bytes(signing_seed)
signing_public = signer.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
# What msgd is expected to pass: u8 username length || username || u64 BE epoch.
context = bytes([5]) + b"alice" + struct.pack(">Q", 7)
plaintexts = [b"hello, group", b"the second message", b""]

vector = {
    "comment": "Computed by tests/unit/lib/crypto/sender_key_vectors.py from docs/crypto.md; all byte strings in hex.",
    "group_id": group_id.hex(),
    "key_id": key_id,
    "chain_key": chain_key0.hex(),
    "signing_seed": signing_seed.hex(),
    "signing_public_key": signing_public.hex(),
    "context": context.hex(),
    "messages": [],
}

ck = chain_key0
message_keys = []
for iteration, plaintext in enumerate(plaintexts):
    mk, next_ck = chain_step(ck)
    keys = hkdf(mk, bytes(32), b"Sotto group message keys v1", 44)
    header = bytes([0x03]) + group_id + struct.pack(">II", key_id, iteration)
    body = header + AESGCM(keys[:32]).encrypt(keys[32:], plaintext, header + context)
    message = body + signer.sign(body)
    vector["messages"].append({
        "iteration": iteration,
        "chain_key": ck.hex(),
        "message_key": mk.hex(),
        "aes_key": keys[:32].hex(),
        "nonce": keys[32:].hex(),
        "plaintext": plaintext.hex(),
        "message": message.hex(),
    })
    message_keys.append(mk)
    ck = next_ck

# The distribution a sender at iteration 0 hands to a member.
vector["distribution"] = (bytes([0x04]) + group_id + struct.pack(">II", key_id, 0) + chain_key0 +
                          signing_public).hex()
# The sender's stored chain after the three messages.
vector["sender_state"] = stored_blob(b"SOGS", 1, group_id + struct.pack(">II", key_id, 3) + ck +
                                     signing_seed).hex()
# A member that started from the distribution and received only message 2:
# it is at iteration 3 and holds the keys of iterations 0 and 1.
vector["receiver_state"] = stored_blob(
    b"SOGR", 1, group_id + struct.pack(">II", key_id, 3) + ck + signing_public + struct.pack(">H", 2) +
    struct.pack(">I", 0) + message_keys[0] + struct.pack(">I", 1) + message_keys[1]).hex()

print(json.dumps(vector, indent=2))
