"""The provider's options, checked once per call, and the URL and headers they make.

One set of options covers every OpenAI-compatible server: OpenAI itself (the default
`base_url`), a local server (Ollama `http://localhost:11434/v1`, vLLM, llama.cpp server,
which need no key), a LiteLLM proxy, and Azure OpenAI, whose URL names a *deployment*, takes
an `api-version` query parameter and an `api-key` header instead of a bearer token.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from llmops_tui.plugin_api import ProviderError

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_KEY_ENV = "OPENAI_API_KEY"
KNOWN = {
    "base_url",
    "api_key_env",
    "timeout",
    "max_retries",
    "azure_api_version",
    "azure_deployment",
    "headers",
    "retry_backoff",
    "max_retry_wait",
}


@dataclass(frozen=True, slots=True)
class Settings:
    url: str
    headers: Mapping[str, str]
    query: Mapping[str, str]
    timeout: float
    max_retries: int
    retry_backoff: float
    """Seconds before the first retry; doubled for each next one."""
    max_retry_wait: float
    """A server's `Retry-After` is honoured up to this many seconds."""


def settings(options: Mapping[str, Any], model: str) -> Settings:
    """Validate `options` and build the endpoint, headers and retry policy.

    Raises:
        ProviderError: an unknown or ill-typed option, or a missing API key for a remote
            server (never retryable: the configuration has to change).
    """
    unknown = sorted(set(options) - KNOWN)
    if unknown:
        raise ProviderError(
            f"openai: unknown option {unknown[0]!r}; expected one of {', '.join(sorted(KNOWN))}"
        )
    base_url = _text(options, "base_url", DEFAULT_BASE_URL).rstrip("/")
    if urlsplit(base_url).scheme not in ("http", "https"):
        raise ProviderError(f"openai: option base_url: expected an http(s) URL, got {base_url!r}")
    headers = {"Content-Type": "application/json", **_headers(options)}
    azure_version = options.get("azure_api_version")
    key_env = _text(options, "api_key_env", DEFAULT_KEY_ENV)
    key = os.environ.get(key_env, "")
    if not key and not is_local(base_url):
        raise ProviderError(
            f"openai: ${key_env} is not set (needed for {base_url}); export it, or name "
            "another variable with the provider option api_key_env"
        )
    query: dict[str, str] = {}
    if azure_version is not None:
        if not isinstance(azure_version, str) or not azure_version:
            raise ProviderError(
                f"openai: option azure_api_version: expected a string such as "
                f"'2024-10-21', got {azure_version!r}"
            )
        deployment = _text(options, "azure_deployment", model)
        if "/openai/deployments/" in base_url:
            url = f"{base_url}/chat/completions"
        else:
            url = f"{base_url}/openai/deployments/{deployment}/chat/completions"
        query["api-version"] = azure_version
        if key:
            headers["api-key"] = key
    else:
        url = f"{base_url}/chat/completions"
        if key:
            headers["Authorization"] = f"Bearer {key}"
    return Settings(
        url=url,
        headers=headers,
        query=query,
        timeout=_number(options, "timeout", 60.0, minimum=0.001),
        max_retries=int(_number(options, "max_retries", 2, minimum=0, integer=True)),
        retry_backoff=_number(options, "retry_backoff", 1.0, minimum=0),
        max_retry_wait=_number(options, "max_retry_wait", 60.0, minimum=0),
    )


def is_local(base_url: str) -> bool:
    """A server on this machine or a private network (Ollama, vLLM...), which needs no key."""
    host = urlsplit(base_url).hostname or ""
    if host == "localhost" or host.endswith((".localhost", ".local")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private


def _text(options: Mapping[str, Any], key: str, default: str) -> str:
    value = options.get(key, default)
    if not isinstance(value, str) or not value:
        raise ProviderError(f"openai: option {key}: expected a non-empty string, got {value!r}")
    return value


def _number(
    options: Mapping[str, Any], key: str, default: float, *, minimum: float, integer: bool = False
) -> float:
    value = options.get(key, default)
    kinds = int if integer else int | float
    if isinstance(value, bool) or not isinstance(value, kinds) or value < minimum:
        what = "an integer" if integer else "a number"
        raise ProviderError(
            f"openai: option {key}: expected {what} of at least {minimum:g}, got {value!r}"
        )
    return float(value)


def _headers(options: Mapping[str, Any]) -> dict[str, str]:
    value = options.get("headers", {})
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ProviderError(f"openai: option headers: expected a table of strings, got {value!r}")
    return dict(value)
