"""Built-in deploy targets, registered through the same hook a third-party target uses.

- `file`: writes `deploy/<env>.json` (release, artifact versions, traffic split) atomically;
- `git-tag`: moves a tag such as `deploy/production` to the release's commit;
- `command`: runs a configured argv (no shell) with the release in environment variables;
- `webhook`: POSTs a JSON body signed with HMAC-SHA256, with a timeout and retries.
"""

from __future__ import annotations

from collections.abc import Callable

from llmops_tui.builtin_plugins.deploy_targets.command import CommandTarget
from llmops_tui.builtin_plugins.deploy_targets.file import FileTarget
from llmops_tui.builtin_plugins.deploy_targets.git_tag import GitTagTarget
from llmops_tui.builtin_plugins.deploy_targets.webhook import WebhookTarget
from llmops_tui.plugin_api import hookimpl


@hookimpl
def register_deploy_targets(register: Callable[[object], None]) -> None:
    for target in (FileTarget(), GitTagTarget(), CommandTarget(), WebhookTarget()):
        register(target)
