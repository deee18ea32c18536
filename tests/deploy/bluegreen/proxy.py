"""An HTTP proxy in front of the moto server: records every AWS call, injects throttling, lets the lifecycle
helper answer what moto lacks. The command under test talks to it through ``AWS_ENDPOINT_URL``.

Injected behaviour that AWS documents and moto never shows: ``throttle`` (a ThrottlingException),
``missing_tasks`` (DescribeTasks answering MISSING for a task just started, ECS being eventually
consistent), ``lost_answers`` (a call that reached the service, whose answer is a 500), ``denied``
(operations the caller may not call: an AccessDeniedException, which botocore does not retry).

``policy``: the caller's identity policy (the deploy role's, from the synthesized template), enforced on
every call before anything else, as AWS authorizes a request before acting on it: each call becomes the
authorizations AWS makes for it (tests/support/iam_requests.py, parameter-dependent ones included) and a
call any of them is refused answers AccessDenied in its API's protocol; ``denials`` records which."""

from __future__ import annotations

import http.client
import json
import re
import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from tests.deploy.bluegreen.lifecycle import DeploymentLifecycle
from tests.support.iam_policy import Request, first_denied
from tests.support.iam_requests import Account, UnmodelledOperationError, api_requests

_SCOPE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request")
READ_PREFIXES = ("Describe", "Get", "List", "BatchGet")


@dataclass(frozen=True)
class Call:
    service: str
    operation: str
    params: dict[str, Any]
    status: int

    @property
    def is_write(self) -> bool:
        return not self.operation.startswith(READ_PREFIXES)


class AwsProxy:
    def __init__(self, *, upstream: str, lifecycle: DeploymentLifecycle, account: Account | None = None) -> None:
        self.upstream = upstream.removeprefix("http://")
        self.lifecycle = lifecycle
        self.account = account
        self.policy: list[dict] | None = None
        self.denials: list[tuple[str, Request]] = []
        self.calls: list[Call] = []
        self.throttle: Counter[str] = Counter()
        self.missing_tasks = 0
        self.lost_answers: Counter[str] = Counter()
        self.denied: set[str] = set()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> AwsProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        self.calls.clear()
        self.throttle.clear()
        self.missing_tasks = 0
        self.lost_answers.clear()
        self.denied.clear()
        self.policy = None
        self.denials.clear()

    def operations(self, *, service: str | None = None) -> list[str]:
        return [c.operation for c in self.calls if service in (None, c.service) and c.status < 400]

    def writes(self) -> list[str]:
        return [c.operation for c in self.calls if c.is_write and c.status < 400]

    def _handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict, bytes]:
        service, operation, params = _identify(headers, body)
        if operation in self.denied:
            refused: Request | None = Request(f"{service}:{operation}")
        else:
            refused = self._unauthorized(service, operation, params)
        if refused:
            status, answer_headers, answer = _access_denied(service, refused, headers)
            self.calls.append(Call(service, operation, params, status))
            return status, answer_headers, answer
        with self._lock:
            throttled = self.throttle[operation] > 0
            if self.throttle[operation] > 0:
                self.throttle[operation] -= 1
            missing = operation == "DescribeTasks" and self.missing_tasks > 0
            if missing:
                self.missing_tasks -= 1
            lost = self.lost_answers[operation] > 0
            if lost:
                self.lost_answers[operation] -= 1
            answered_here = self.lifecycle.answers(service, operation, params)
            refusal = None if throttled or missing else self.lifecycle.refusal(service, operation, params)
            if not (throttled or missing or refusal):
                self.lifecycle.before(service, operation, params)
        if throttled or missing or refusal:
            if throttled:
                status, payload = 400, {"__type": "ThrottlingException", "message": "Rate exceeded"}
            elif missing:
                status, payload = (
                    200,
                    {"tasks": [], "failures": [{"arn": a, "reason": "MISSING"} for a in params["tasks"]]},
                )
            else:
                status, payload = refusal
            self.calls.append(Call(service, operation, params, status))
            return status, {"Content-Type": "application/x-amz-json-1.1"}, json.dumps(payload).encode()
        if answered_here:
            with self._lock:
                status, payload = self.lifecycle.answer(operation, params)
            self.calls.append(Call(service, operation, params, status))
            return status, {"Content-Type": "application/x-amz-json-1.1"}, json.dumps(payload).encode()
        connection = http.client.HTTPConnection(self.upstream, timeout=30)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read()
        response_headers = {
            k: v for k, v in response.getheaders() if k.lower() not in {"content-length", "transfer-encoding"}
        }
        connection.close()
        # moto labels its JSON answers "text": the lifecycle decides by operation which ones it completes.
        if response.status == 200 and self.lifecycle.completes(service, operation):
            with self._lock:
                answer = json.dumps(
                    self.lifecycle.after(service, operation, params, json.loads(answer or b"{}"))
                ).encode()
        if lost:
            # The call took effect upstream; the caller only sees a server error, in its API's protocol.
            self.calls.append(Call(service, operation, params, 500))
            return 500, *_internal_failure(json_protocol="x-amz-target" in {k.lower() for k in headers})
        self.calls.append(Call(service, operation, params, response.status))
        return response.status, response_headers, answer

    def _unauthorized(self, service: str, operation: str, params: dict[str, Any]) -> Request | None:
        if self.policy is None or self.account is None:
            return None
        try:
            requests = api_requests(self.account, service, operation, params)
        except UnmodelledOperationError as error:
            refused = Request(f"{service}:{operation}", reason=str(error))
        else:
            refused = first_denied(self.policy, requests)
        if refused:
            self.denials.append((operation, refused))
        return refused

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, headers, answer = proxy._handle(self.command, self.path, dict(self.headers), body)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_GET = do_POST = do_PUT = do_DELETE = _serve  # noqa: N815

            def log_message(self, format, *args):
                pass

        return Handler


def _access_denied(service: str, refused: Request, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """AccessDenied as each protocol answers it: JSON APIs a 400 AccessDeniedException, EC2 a 403
    UnauthorizedOperation, the other query APIs a 403 AccessDenied ErrorResponse."""
    message = (
        f"User: arn:aws:sts::123456789012:assumed-role/deploy/bluegreen is not authorized to perform: "
        f"{refused.action} on resource: {refused.resource} because no identity-based policy allows the "
        f"{refused.action} action"
    )
    if "x-amz-target" in {k.lower() for k in headers}:
        payload = {"__type": "AccessDeniedException", "message": message}
        return 400, {"Content-Type": "application/x-amz-json-1.1"}, json.dumps(payload).encode()
    if service == "ec2":
        error = f"<Error><Code>UnauthorizedOperation</Code><Message>{message}</Message></Error>"
        return 403, {"Content-Type": "text/xml"}, f"<Response><Errors>{error}</Errors></Response>".encode()
    error = f"<Error><Type>Sender</Type><Code>AccessDenied</Code><Message>{message}</Message></Error>"
    return 403, {"Content-Type": "text/xml"}, f"<ErrorResponse>{error}</ErrorResponse>".encode()


def _internal_failure(*, json_protocol: bool) -> tuple[dict[str, str], bytes]:
    message = "We encountered an internal error."
    if json_protocol:
        payload = {"__type": "InternalFailure", "message": message}
        return {"Content-Type": "application/x-amz-json-1.1"}, json.dumps(payload).encode()
    # EC2's query protocol answers errors in XML.
    xml = f"<Response><Errors><Error><Code>InternalError</Code><Message>{message}</Message></Error></Errors></Response>"
    return {"Content-Type": "text/xml"}, xml.encode()


def _identify(headers: dict[str, str], body: bytes) -> tuple[str, str, dict[str, Any]]:
    """Service from the SigV4 credential scope; operation from X-Amz-Target (JSON APIs) or Action (query APIs)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    scope = _SCOPE.search(lowered.get("authorization", ""))
    service = scope.group(1) if scope else "?"
    if target := lowered.get("x-amz-target"):
        return service, target.rsplit(".", 1)[-1], json.loads(body or b"{}")
    form = {k: v[0] for k, v in parse_qs(body.decode(errors="replace")).items()}
    return service, form.get("Action", "?"), form
