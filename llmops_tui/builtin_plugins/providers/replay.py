"""`replay`: answers with what production answered to the same input.

The runner sets `request.recorded` to `store.recordings.lookup`, which finds a recorded span
of the same model with the same system and last user message; its output, latency, usage
and cost are returned as they were recorded. Nothing recorded is a non-retryable error of
that case (retrying can't make a recording appear), so the run goes on with the others.
"""

from __future__ import annotations

from llmops_tui.plugin_api import ProviderError, ProviderRequest, ProviderResponse

SHOWN = 60


class ReplayProvider:
    name = "replay"
    description = "answers from recorded production spans with the same model and input"

    def complete(self, request: ProviderRequest) -> ProviderResponse:
        if request.recorded is None:
            raise ProviderError(
                "replay: no recordings to answer from (replay runs inside `llmops eval run`, "
                "which looks answers up in the project's database)"
            )
        response = request.recorded(request)
        if response is None:
            users = [m.content for m in request.messages if m.role == "user"]
            asked = _short(users[-1]) if users else "(no user message)"
            raise ProviderError(
                f"replay: no recorded span of model {request.model!r} answers {asked}; "
                "ingest production traces with that input, or use another provider"
            )
        return response


def _short(text: str) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= SHOWN else text[: SHOWN - 1] + "…")
