#include "lib/wire/frame_body.h"

namespace sotto::wire {

std::string_view body_name(Frame::BodyCase body) {
  switch (body) {
    case Frame::kHello:
      return "hello";
    case Frame::kHelloOk:
      return "hello_ok";
    case Frame::kError:
      return "error";
    case Frame::kOk:
      return "ok";
    case Frame::kRegister:
      return "register";
    case Frame::kLogin:
      return "login";
    case Frame::kToken:
      return "token";
    case Frame::kResume:
      return "resume";
    case Frame::kLogout:
      return "logout";
    case Frame::kPublishPrekeys:
      return "publish_prekeys";
    case Frame::kPrekeyStatus:
      return "prekey_status";
    case Frame::kFetchBundle:
      return "fetch_bundle";
    case Frame::kBundle:
      return "bundle";
    case Frame::kSend:
      return "send";
    case Frame::kSendAck:
      return "send_ack";
    case Frame::kDeliver:
      return "deliver";
    case Frame::kDeliverAck:
      return "deliver_ack";
    case Frame::kPresence:
      return "presence";
    case Frame::kPresenceStatus:
      return "presence_status";
    case Frame::kBlobBegin:
      return "blob_begin";
    case Frame::kBlobChunk:
      return "blob_chunk";
    case Frame::kBlobEnd:
      return "blob_end";
    case Frame::kBlobStatus:
      return "blob_status";
    case Frame::kBlobGet:
      return "blob_get";
    case Frame::kBlobData:
      return "blob_data";
    case Frame::kBlobRelease:
      return "blob_release";
    case Frame::kPing:
      return "ping";
    case Frame::kPong:
      return "pong";
    case Frame::BODY_NOT_SET:
      return "unset";
  }
  return "unknown";
}

bool is_client_request(Frame::BodyCase body) {
  switch (body) {
    case Frame::kHello:
    case Frame::kRegister:
    case Frame::kLogin:
    case Frame::kResume:
    case Frame::kLogout:
    case Frame::kPublishPrekeys:
    case Frame::kFetchBundle:
    case Frame::kSend:
    case Frame::kDeliverAck:
    case Frame::kPresence:
    case Frame::kBlobBegin:
    case Frame::kBlobChunk:
    case Frame::kBlobEnd:
    case Frame::kBlobGet:
    case Frame::kBlobRelease:
    case Frame::kPing:
      return true;
    default:
      return false;
  }
}

}  // namespace sotto::wire
