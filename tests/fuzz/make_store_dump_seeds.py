#!/usr/bin/env python3
"""Writes the seed corpus of store_dump_fuzz (tests/fuzz/corpus/store_dump_fuzz/)
from the format described in relayd/store/store_dump.h, without the C++ code,
so the seeds also cross-check the codec: store_dump_test.cc reads every seed
and writes it back byte for byte. Run from anywhere:
    python3 tests/fuzz/make_store_dump_seeds.py
"""
import hashlib
import os
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus", "store_dump_fuzz")


def u8(v):
    return struct.pack(">B", v)


def u32(v):
    return struct.pack(">I", v)


def u64(v):
    return struct.pack(">Q", v)


def i64(v):
    return struct.pack(">q", v)


def field(data):  # bytes(lo..hi): u32 length, then the bytes
    data = data.encode() if isinstance(data, str) else data
    return u32(len(data)) + data


def record(kind, body):
    return u8(kind) + u32(len(body)) + body


def dump(records):
    data = b"SOTTODMP" + u32(1) + b"".join(records)
    data += u8(0) + u32(40) + u64(len(records))
    return data + hashlib.sha256(data).digest()


def user(name, key):
    return record(1, field(name) + field("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$" + name) +
                  field(bytes([key]) * 32) + field(bytes([key + 1]) * 32) + field(bytes([key + 2]) * 64) +
                  i64(1700000000000))


def token(digest_byte, name, device, expires):
    return record(2, bytes([digest_byte]) * 32 + field(name) + field(device) + i64(expires))


def invite(digest_byte, expires):
    return record(3, bytes([digest_byte]) * 32 + i64(expires))


def signed_prekey(name, prekey_id):
    return record(4, field(name) + u32(prekey_id) + field(b"\x50" * 32) + field(b"\x51" * 64))


def one_time_prekey(name, prekey_id):
    return record(5, field(name) + u32(prekey_id) + field(bytes([prekey_id & 0xFF]) * 32))


def delivery(delivery_id, recipient, sender, message_byte, envelope):
    return record(6, i64(delivery_id) + field(recipient) + field(sender) + bytes([message_byte]) * 16 +
                  i64(1700000000000) + i64(1700086400000) + field(envelope))


def blob(blob_id, owner, size, received, complete, restricted, readers):
    return record(7, field(blob_id) + field(owner) + u64(size) + b"\x33" * 32 + u64(received) + u8(complete) +
                  u8(restricted) + i64(1700086400000) + u32(len(readers)) + b"".join(field(r) for r in readers))


def sequence(last):
    return record(8, i64(last))


SEEDS = {
    "valid_empty_store.bin": [sequence(0)],
    "valid_every_record_type.bin": [
        user("alice", 1), user("bob", 4),
        token(1, "alice", "laptop", 1700003600000), token(2, "bob", "", -1),
        invite(9, 1700003600000),
        signed_prekey("alice", 7),
        one_time_prekey("alice", 1), one_time_prekey("alice", 2),
        delivery(3, "bob", "alice", 0x41, b"sealed envelope"),
        blob("b7f3c2a19d8e4f6a0b1c2d3e4f5a6b7c", "alice", 10, 10, 1, 1, ["bob"]),
        blob("uploading", "bob", 900, 256, 0, 0, []),
        sequence(5),
    ],
    "valid_fan_out.bin": [
        user("alice", 1), user("bob", 4), user("carol", 7),
        delivery(10, "bob", "alice", 0x42, b"\x00" * 300),
        delivery(11, "carol", "alice", 0x42, b"\x00" * 300),
        delivery(12, "alice", "carol", 0x43, b"\xff"),
        sequence(12),
    ],
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, records in SEEDS.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(dump(records))


if __name__ == "__main__":
    main()
