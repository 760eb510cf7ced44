#!/usr/bin/env bash
# Regenerates the seed corpora of frame_decoder_fuzz and request_validator_fuzz
# from the text-format frames below, with protoc --encode (independent of our
# codec, so the seeds also cross-check it: tests/unit/lib/wire/fuzz_seeds_test.cc
# decodes every valid_* seed). Run from anywhere; needs protoc.
#   request_validator_fuzz/  one serialized Frame per file (no length prefix)
#   frame_decoder_fuzz/      byte streams: 4-byte big-endian length + Frame, repeated
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
corpus="$root/tests/fuzz/corpus"
validator="$corpus/request_validator_fuzz"
decoder="$corpus/frame_decoder_fuzz"
mkdir -p "$validator" "$decoder"

encode() {  # text-format Frame on stdin -> serialized Frame on stdout
  protoc --proto_path="$root" --encode=sotto.wire.Frame lib/wire/relay.proto
}

be32() {  # the 4-byte big-endian length of a file
  local n
  n=$(stat -c %s "$1")
  printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $((n >> 24 & 255)) $((n >> 16 & 255)) $((n >> 8 & 255)) $((n & 255)))"
}

frame() {  # frame NAME TEXT: writes request_validator_fuzz/NAME.bin
  printf '%s\n' "$2" | (cd "$root" && encode) >"$validator/$1.bin"
}

# 32, 64 and 16 bytes of a fixed pattern, as text-format escapes.
key32='\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037\040'
sig64="$key32$key32"
id16='\101\102\103\104\105\106\107\110\111\112\113\114\115\116\117\120'
sha32="$key32"
blob='b7f3c2a19d8e4f6a0b1c2d3e4f5a6b7c'

frame valid_hello 'request_id: 1 hello { protocol_version: 1 client: "msgd/0.1.0" }'
frame valid_register "request_id: 2 register { username: \"Alice\" password: \"correct horse battery staple\" identity { signing_key: \"$key32\" dh_key: \"$key32\" signature: \"$sig64\" } invite_code: \"k3xq7m2p9w4t6z8b\" device_name: \"laptop\" }"
frame valid_login 'request_id: 3 login { username: "alice" password: "correct horse battery staple" device_name: "desktop" }'
frame valid_resume "request_id: 4 resume { token: \"$key32\" }"
frame valid_logout 'request_id: 5 logout { }'
frame valid_publish_prekeys "request_id: 6 publish_prekeys { signed_prekey { id: 1 public_key: \"$key32\" signature: \"$sig64\" } one_time_prekeys { id: 100 public_key: \"$key32\" } one_time_prekeys { id: 101 public_key: \"$key32\" } }"
frame valid_fetch_bundle 'request_id: 7 fetch_bundle { username: "bob" }'
frame valid_send "request_id: 8 send { message_id: \"$id16\" recipients: \"bob\" recipients: \"carol\" envelope: \"opaque ciphertext bytes\" ttl_seconds: 3600 }"
frame valid_deliver_ack 'request_id: 9 deliver_ack { delivery_ids: 42 delivery_ids: 43 }'
frame valid_presence 'request_id: 10 presence { usernames: "bob" usernames: "carol" }'
frame valid_blob_begin "request_id: 11 blob_begin { size: 300000 sha256: \"$sha32\" }"
frame valid_blob_chunk "request_id: 12 blob_chunk { blob_id: \"$blob\" offset: 0 data: \"chunk of ciphertext\" }"
frame valid_blob_end "request_id: 13 blob_end { blob_id: \"$blob\" }"
frame valid_blob_get "request_id: 14 blob_get { blob_id: \"$blob\" offset: 0 max_length: 262144 }"
frame valid_ping 'request_id: 15 ping { }'
frame valid_blob_end_readers "request_id: 19 blob_end { blob_id: \"$blob\" readers: \"bob\" readers: \"Carol\" }"
frame valid_blob_release "request_id: 20 blob_release { blob_id: \"$blob\" }"
# Refused ones, so mutations start near both sides of each rule.
frame server_deliver "request_id: 0 deliver { delivery_id: 42 message_id: \"$id16\" sender: \"alice\" envelope: \"x\" }"
frame send_short_message_id 'request_id: 16 send { message_id: "short" recipients: "bob" envelope: "x" }'
frame blob_end_repeated_reader "request_id: 21 blob_end { blob_id: \"$blob\" readers: \"bob\" readers: \"BOB\" }"
frame blob_release_bad_id 'request_id: 22 blob_release { blob_id: "../relay.db" }'
frame register_bad_username "request_id: 17 register { username: \"../root\" password: \"password1\" identity { signing_key: \"$key32\" dh_key: \"$key32\" signature: \"$sig64\" } }"

# Decoder streams built from the frames above.
stream() {  # stream NAME FRAME...: writes frame_decoder_fuzz/NAME.bin
  local out="$decoder/$1.bin"
  shift
  : >"$out"
  for f in "$@"; do
    be32 "$validator/$f.bin" >>"$out"
    cat "$validator/$f.bin" >>"$out"
  done
}
stream valid_hello valid_hello
stream valid_session valid_hello valid_login valid_publish_prekeys valid_send valid_deliver_ack valid_ping
stream valid_blob_upload valid_blob_begin valid_blob_chunk valid_blob_end valid_blob_get
stream valid_blob_shared valid_blob_begin valid_blob_chunk valid_blob_end_readers valid_blob_get valid_blob_release
printf '\xff\xff\xff\xff' >"$decoder/huge_length.bin"
printf '\x00\x00\x00\x00' >"$decoder/zero_length.bin"
printf '\x00\x00\x00\x05\x08\x01\x9a\x06\x00' >"$decoder/unknown_body.bin"
echo "seeds written to $validator and $decoder"
