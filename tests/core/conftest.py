"""The fake Tencent Cloud SMS gateway of the SMS tests: a real HTTP server on a free port."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings

SECRET_ID = "AKIDtestsecretid"
TEMPLATES = {
    "SMS_TEMPLATE_ACCEPTED": "1000001",
    "SMS_TEMPLATE_CORRECTION": "1000002",
    "SMS_TEMPLATE_REJECTED": "1000003",
    "SMS_TEMPLATE_NOTICE": "1000004",
    "SMS_TEMPLATE_CARD_ISSUED": "1000005",
    "SMS_TEMPLATE_CARD_EXPIRING": "1000006",
}


def sent_answer(phone: str) -> dict:
    return {
        "Response": {
            "SendStatusSet": [
                {
                    "SerialNo": "5000:1045710669157053657849499619",
                    "PhoneNumber": phone,
                    "Fee": 1,
                    "SessionContext": "",
                    "Code": "Ok",
                    "Message": "send success",
                    "IsoCode": "CN",
                }
            ],
            "RequestId": "a0aabda6-cf91-4f3e-a81f-9198114a2279",
        }
    }


def error_answer(code: str, message: str) -> dict:
    return {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "b2d4b1e6-0000-4e2e-9f7e-000000000001"}}


class FakeTencentGateway:
    """Records each request; answers from `answers` in turn (then success)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[tuple[int, dict | None]] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                payload = json.loads(body)
                gateway.requests.append({"headers": dict(self.headers), "body": payload})
                status, answer = gateway.answers.pop(0) if gateway.answers else (200, None)
                if answer is None and status == 200:
                    answer = sent_answer(payload["PhoneNumberSet"][0])
                data = json.dumps(answer).encode() if answer is not None else b"upstream failure"
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if answer is not None else "text/html")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def gateway():
    """The fake gateway, and the Tencent backend configured to send to it."""
    with FakeTencentGateway() as fake:
        with override_settings(
            SMS_BACKEND="core.sms.TencentCloudSmsBackend",
            TENCENTCLOUD_SECRET_ID=SECRET_ID,
            TENCENTCLOUD_SECRET_KEY="test-secret-key",  # noqa: S106 - the fake gateway checks no signature
            SMS_SDK_APP_ID="1400000001",
            SMS_SIGN_NAME="广州人社",
            SMS_REGION="ap-guangzhou",
            SMS_ENDPOINT=fake.url,
            **TEMPLATES,
        ):
            yield fake
