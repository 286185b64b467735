"""`echo`: answers with the last user message, instantly and for free.

For checking a suite's wiring (templates render, judges run) without a model; usage is zero
so nothing is priced.
"""

from __future__ import annotations

from llmops_tui.plugin_api import ProviderRequest, ProviderResponse


class EchoProvider:
    name = "echo"
    description = "answers with the last user message (no model, zero usage)"

    def complete(self, request: ProviderRequest) -> ProviderResponse:
        users = [m.content for m in request.messages if m.role == "user"]
        return ProviderResponse(
            text=users[-1] if users else "",
            latency_ms=0.0,
            model=request.model,
            input_tokens=0,
            output_tokens=0,
            cost_usd=0.0,
        )
