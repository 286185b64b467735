"""`webhook`: POSTs the deployment as JSON to a URL, signed so the receiver can trust it.

The signature is GitHub's scheme: `X-Llmops-Signature: sha256=<hex HMAC-SHA256 of the raw
body>` keyed with a secret read from the environment variable named by `secret_env` (the
secret never sits in `llmops.toml`). Timeouts, connection errors and 5xx answers are retried
with exponential backoff; any other non-2xx answer fails at once (retrying won't fix a 4xx).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from collections.abc import Callable

import httpx

from llmops_tui.builtin_plugins.deploy_targets.common import (
    check_options,
    option_number,
    option_str,
    payload,
    tail,
)
from llmops_tui.domain.deploy import DeployOutcome, DeployRequest
from llmops_tui.plugin_api import DeployError

SIGNATURE_HEADER = "X-Llmops-Signature"


def sign(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


class WebhookTarget:
    name = "webhook"
    description = "POSTs a JSON body signed with HMAC-SHA256; timeouts, retries on 5xx"

    def __init__(self, sleep: Callable[[float], None] = time.sleep) -> None:
        self._sleep = sleep

    def deploy(self, request: DeployRequest) -> DeployOutcome:
        check_options(request, {"url", "secret_env", "timeout", "retries", "backoff"})
        url = option_str(request, "url")
        if not url.startswith(("http://", "https://")):
            raise DeployError(
                f"[environments.{request.environment}] options.url: expected http(s)://..."
            )
        secret_env = option_str(request, "secret_env")
        secret = os.environ.get(secret_env)
        if not secret:
            raise DeployError(f"webhook: ${secret_env} (options.secret_env) is not set")
        timeout = option_number(request, "timeout", 10)
        retries = int(option_number(request, "retries", 3))
        backoff = option_number(request, "backoff", 0.5)
        body = json.dumps(payload(request), sort_keys=True).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "llmops-tui",
            SIGNATURE_HEADER: sign(secret.encode(), body),
        }
        problem = ""
        with httpx.Client(timeout=timeout) as client:
            for attempt in range(retries + 1):
                if attempt:
                    self._sleep(backoff * 2 ** (attempt - 1))
                try:
                    response = client.post(url, content=body, headers=headers)
                except httpx.TimeoutException:
                    problem = f"no answer within {timeout:g}s"
                    continue
                except httpx.TransportError as error:
                    problem = f"cannot connect: {error}"
                    continue
                if response.is_success:
                    return DeployOutcome(f"POST {url}: {response.status_code}")
                problem = f"HTTP {response.status_code}: {tail(response.text, 1)}"
                if response.status_code < 500:
                    raise DeployError(f"webhook {url}: {problem}")
        raise DeployError(f"webhook {url}: {problem} (after {retries + 1} attempts)")
