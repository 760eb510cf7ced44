#!/usr/bin/env python3
"""Writes the seed corpora of sender_key_message_fuzz and sender_key_state_fuzz
(tests/fuzz/corpus/<target>/) from the fixed chain of tests/fuzz/sender_key_fixture.h,
computed here from docs/crypto.md ("Groups: sender keys") without the C++ code.
The targets check that the seeds meant to decrypt do (pick_* and owner_signed_*
of the conversation), so the seeds also cross-check this program against
lib/crypto. Needs python3-cryptography. Run from anywhere:
    python3 tests/fuzz/make_sender_key_seeds.py
Deterministic: Ed25519 signatures (RFC 8032) involve no randomness.
"""
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")


def hkdf(ikm, salt, info, length):
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    out, block, i = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([i]), hashlib.sha256).digest()
        out += block
        i += 1
    return out[:length]


def counting(first, n):
    return bytes((first + i) % 256 for i in range(n))


def stored_blob(magic, version, body):
    head = magic + bytes([version]) + body
    return head + hashlib.sha256(head).digest()


# The fixed chain (sender_key_fixture.h).
GROUP_ID = counting(0xF0, 16)
KEY_ID = 0x00C0FFEE
CK0 = counting(0x00, 32)
SEED = counting(0x40, 32)
SIGNER = Ed25519PrivateKey.from_private_bytes(SEED)
SIGNING_PUBLIC = SIGNER.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
CONTEXT = bytes([5]) + b"alice" + struct.pack(">Q", 1)


def chain_keys(n):
    """(CK_i, mk_i) for i in 0..n-1, and CK_n."""
    ck, out = CK0, []
    for _ in range(n):
        mk = hmac.new(ck, b"\x01", hashlib.sha256).digest()
        out.append((ck, mk))
        ck = hmac.new(ck, b"\x02", hashlib.sha256).digest()
    return out, ck


def header(iteration):
    return bytes([0x03]) + GROUP_ID + struct.pack(">II", KEY_ID, iteration)


def signed_part(iteration, mk, plaintext):
    keys = hkdf(mk, bytes(32), b"Sotto group message keys v1", 44)
    h = header(iteration)
    return h + AESGCM(keys[:32]).encrypt(keys[32:], plaintext, h + CONTEXT)


def message(iteration, mk, plaintext):
    body = signed_part(iteration, mk, plaintext)
    return body + SIGNER.sign(body)


def distribution(iteration, ck):
    return bytes([0x04]) + GROUP_ID + struct.pack(">II", KEY_ID, iteration) + ck + SIGNING_PUBLIC


def receiver_state(next_iteration, ck, skipped):
    body = GROUP_ID + struct.pack(">II", KEY_ID, next_iteration) + ck + SIGNING_PUBLIC + struct.pack(">H", len(skipped))
    for iteration, mk in skipped:
        body += struct.pack(">I", iteration) + mk
    return stored_blob(b"SOGR", 1, body)


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


keys, _ = chain_keys(2001)
texts = [b"fuzz seed: c%d" % i for i in range(10)]
conversation = [message(i, keys[i][1], texts[i]) for i in range(10)]

# sender_key_message_fuzz. Part 1 (whole message to a fresh receiver):
m = "sender_key_message_fuzz"
write(m, "fresh_first_message", conversation[0])
write(m, "fresh_third_message", conversation[2])
# Part 2 (first byte picks a conversation message, the rest is an XOR mask):
for index, name in enumerate(["pick_skipped_key", "pick_next", "pick_three_ahead", "pick_replay_oldest",
                              "pick_replay_latest", "pick_skipped_between"]):
    write(m, name, bytes([index]))
write(m, "edit_next_signature_bit", bytes([1]) + bytes(len(conversation[6]) - 1) + b"\x01")
# Part 3 (signed parts, signed by the target with the chain's key):
write(m, "owner_signed_skipped_key", signed_part(1, keys[1][1], texts[1]))
write(m, "owner_signed_next", signed_part(6, keys[6][1], texts[6]))
write(m, "owner_signed_replay", signed_part(5, keys[5][1], texts[5]))
beyond = bytearray(signed_part(6, keys[6][1], texts[6]))
beyond[21:25] = struct.pack(">I", 6 + 1001)
write(m, "owner_signed_beyond_max_skip", bytes(beyond))
last = bytearray(signed_part(6, keys[6][1], texts[6]))
last[21:25] = b"\xff\xff\xff\xff"
write(m, "owner_signed_last_iteration", bytes(last))
bad_tag = bytearray(signed_part(7, keys[7][1], texts[7]))
bad_tag[-1] ^= 0x01
write(m, "owner_signed_bad_tag", bytes(bad_tag))

# sender_key_state_fuzz: the receiver of the conversation read 0, 2 and 5.
s = "sender_key_state_fuzz"
_, ck10 = chain_keys(10)
write(s, "chain_after_ten_messages", stored_blob(b"SOGS", 1, GROUP_ID + struct.pack(">II", KEY_ID, 10) + ck10 + SEED))
write(s, "receiver_of_conversation", receiver_state(6, keys[6][0], [(1, keys[1][1]), (3, keys[3][1]),
                                                                    (4, keys[4][1])]))
write(s, "receiver_fresh", receiver_state(0, CK0, []))
write(s, "receiver_skipped_not_increasing", receiver_state(6, keys[6][0], [(3, keys[3][1]), (1, keys[1][1])]))
write(s, "distribution_older", distribution(0, CK0))
write(s, "distribution_same_iteration", distribution(6, keys[6][0]))
write(s, "distribution_two_ahead", distribution(8, keys[8][0]))
write(s, "distribution_two_ahead_wrong_key", distribution(8, keys[9][0]))
write(s, "distribution_far_ahead", distribution(2000, keys[2000][0]))
