"""Deploy, canary, promote and rollback: each one checked, applied by the environment's
target, and recorded in `deployments` with who, when, why and what it replaced.

The environment's state is read back from its history (`store.deployments.state`), so a
repeat is recognised before the target is called: deploying the release that already runs
records nothing and says so. A target that fails leaves the state as it was; the attempt is
recorded as `failed` with the reason. `rollback` without `--to` goes back to the release the
current one replaced (as `kubectl rollout undo`); during a canary it ends the canary.
Policies (`policies.py`) guard deploy and canary; rollback and promote are never refused by
them: going back must always be possible, and a canary was checked when it started.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from llmops_tui.config import CONFIG_NAME, ProjectConfig
from llmops_tui.deploy.config import DeployConfig, EnvironmentConfig
from llmops_tui.deploy.outcomes import (
    ActionResult,
    DeployFailedError,
    ReadonlyError,
    describe,
    utc_now,
    with_id,
)
from llmops_tui.deploy.policies import GateLookup, enforce, store_gate, violations
from llmops_tui.domain.deploy import (
    CanaryVerdict,
    DeployAction,
    Deployment,
    DeployRequest,
    DeployStatus,
    EnvironmentState,
    TrafficShare,
)
from llmops_tui.domain.versions import Release, version_tag
from llmops_tui.errors import LlmopsError
from llmops_tui.identity import current_user
from llmops_tui.plugin_api import DeployTarget
from llmops_tui.plugin_manager import Plugins, UnknownPluginObjectError
from llmops_tui.store import Store
from llmops_tui.versions.refs import resolve_release


@dataclass
class Lifecycle:
    store: Store
    project: ProjectConfig
    config: DeployConfig
    plugins: Plugins
    actor: str = field(default_factory=current_user)
    now: Callable[[], datetime] = utc_now
    """Injected by the demo (a history along its 30 days) and by tests."""
    gate: GateLookup | None = None
    """Whether a release passed the gate; default: `store.gates.latest`."""

    def state(self, environment: str) -> EnvironmentState:
        return self.store.deployments.state(self.config.environment(environment).name)

    def deploy(
        self,
        environment: str,
        ref: str | Release,
        *,
        force: bool = False,
        reason: str | None = None,
    ) -> ActionResult:
        env, target = self._begin("deploy", environment)
        release = self.resolve(ref)
        state = self.store.deployments.state(env.name)
        if state.canary_release is not None:
            raise LlmopsError(
                f"{env.name}: a canary of release {state.canary_release} is in progress "
                f"({state.canary_percent:g}%); promote or roll it back first"
            )
        if release.release_id == state.stable_release:
            return ActionResult(
                None, f"{env.name} already runs release {release.release_id}; nothing recorded"
            )
        overridden = self._policies(env, release.release_id, force=force, reason=reason)
        return self._apply(
            env,
            target,
            DeployAction.DEPLOY,
            release,
            (TrafficShare(release.release_id, 100.0),),
            previous=state.stable_release,
            reason=reason,
            overridden=overridden,
        )

    def canary(
        self,
        environment: str,
        ref: str | Release,
        percent: float,
        *,
        force: bool = False,
        reason: str | None = None,
        plan_id: str | None = None,
        step: int | None = None,
    ) -> ActionResult:
        env, target = self._begin("canary", environment)
        if not 0 < percent < 100:
            raise LlmopsError(
                f"--percent: expected more than 0 and less than 100, got {percent:g} "
                "(use `llmops promote` for all the traffic)"
            )
        release = self.resolve(ref)
        state = self.store.deployments.state(env.name)
        stable = state.stable_release
        if stable is None:
            raise LlmopsError(
                f"{env.name} runs no release yet: deploy one first "
                "(a canary needs a stable release to compare with)"
            )
        if release.release_id == stable:
            raise LlmopsError(f"release {stable} is already the stable release of {env.name}")
        overridden = None
        if state.canary_release is None:
            overridden = self._policies(env, release.release_id, force=force, reason=reason)
        elif state.canary_release != release.release_id:
            raise LlmopsError(
                f"{env.name}: a canary of release {state.canary_release} is in progress; "
                "promote or roll it back first"
            )
        elif state.canary_percent == percent:
            return ActionResult(
                None,
                f"{env.name} already sends {percent:g}% to release {release.release_id}; "
                "nothing recorded",
            )
        traffic = (TrafficShare(stable, 100.0 - percent), TrafficShare(release.release_id, percent))
        return self._apply(
            env,
            target,
            DeployAction.CANARY,
            release,
            traffic,
            previous=stable,
            reason=reason,
            overridden=overridden,
            canary_percent=percent,
            plan_id=plan_id,
            step=step,
        )

    def promote(
        self,
        environment: str,
        *,
        reason: str | None = None,
        plan_id: str | None = None,
        step: int | None = None,
    ) -> ActionResult:
        env, target = self._begin("promote", environment)
        state = self.store.deployments.state(env.name)
        if state.canary_release is None:
            runs = f" (it runs release {state.stable_release})" if state.stable_release else ""
            raise LlmopsError(f"nothing to promote: no canary in progress in {env.name}{runs}")
        release = self._stored(state.canary_release)
        return self._apply(
            env,
            target,
            DeployAction.PROMOTE,
            release,
            (TrafficShare(release.release_id, 100.0),),
            previous=state.stable_release,
            reason=reason,
            plan_id=plan_id,
            step=step,
        )

    def rollback(
        self,
        environment: str,
        *,
        to: str | Release | None = None,
        reason: str | None = None,
        plan_id: str | None = None,
        step: int | None = None,
    ) -> ActionResult:
        env, target = self._begin("rollback", environment)
        state = self.store.deployments.state(env.name)
        stable = state.stable_release
        history = self.store.deployments.stable_history(env.name)
        if stable is None:
            raise LlmopsError(f"nothing to roll back to: {env.name} has never been deployed")
        if to is None:
            if state.canary_release is not None:
                goal = stable  # end the canary: the stable release takes all the traffic
            elif len(history) < 2:
                raise LlmopsError(
                    f"nothing to roll back to: {env.name} has only ever run release {stable}"
                )
            else:
                goal = history[1]
        else:
            goal = self.resolve(to).release_id
            if goal not in history:
                raise LlmopsError(
                    f"release {goal} never ran in {env.name}: roll back only to a release "
                    f"that did (use `llmops deploy` for a new one)"
                )
        if goal == stable and state.canary_release is None:
            return ActionResult(None, f"{env.name} already runs release {goal}; nothing recorded")
        release = self._stored(goal)
        replaced = state.canary_release if goal == stable else stable
        return self._apply(
            env,
            target,
            DeployAction.ROLLBACK,
            release,
            (TrafficShare(goal, 100.0),),
            previous=replaced,
            reason=reason,
            plan_id=plan_id,
            step=step,
        )

    def record_analysis(
        self,
        environment: str,
        *,
        canary_release: str,
        baseline_release: str,
        percent: float | None,
        verdict: CanaryVerdict,
        detail: str,
        plan_id: str | None,
        step: int | None,
    ) -> Deployment:
        """A canary analysis (a plan's step, or a watched canary's check), recorded with its
        verdict; it changes no traffic."""
        env = self.config.environment(environment)
        deployment = self._row(
            env,
            DeployAction.ANALYSIS,
            DeployStatus.SUCCEEDED,
            release_id=canary_release,
            previous=baseline_release,
            canary_percent=percent,
            detail=detail,
            reason=None,
            forced=False,
            plan_id=plan_id,
            step=step,
            verdict=verdict,
        )
        self.store.deployments.record(deployment)
        return deployment

    def _begin(self, action: str, environment: str) -> tuple[EnvironmentConfig, DeployTarget]:
        if self.store.readonly:
            raise ReadonlyError(f"--readonly: {action} {environment} refused; nothing was changed")
        env = self.config.environment(environment)
        try:
            target = self.plugins.deploy_targets.get(env.target)
        except UnknownPluginObjectError as error:
            where = self.project.root / CONFIG_NAME
            raise LlmopsError(
                f"{where}: [environments.{env.name}] target: {error}", hint=error.hint
            ) from None
        return env, target

    def resolve(self, ref: str | Release) -> Release:
        """A REF (`HEAD~1`, a release id, a label) as a release, saved to the store."""
        release = (
            ref if isinstance(ref, Release) else resolve_release(self.store, self.project, ref)
        )
        self.store.releases.save(release, now=self.now().astimezone(UTC).replace(tzinfo=None))
        return release

    def _stored(self, release_id: str) -> Release:
        return self.store.releases.get(release_id) or Release(release_id, None, None, ())

    def check_policies(
        self, environment: str, release_id: str, *, force: bool = False, reason: str | None = None
    ) -> str | None:
        """Raise `PolicyError` unless `release_id` may go to `environment` (or `force` with a
        reason overrides it); returns what was overridden."""
        return self._policies(
            self.config.environment(environment), release_id, force=force, reason=reason
        )

    def _policies(
        self, env: EnvironmentConfig, release_id: str, *, force: bool, reason: str | None
    ) -> str | None:
        if force and not reason:
            raise LlmopsError("--force needs --reason: say why the policy is overridden")
        gate = self.gate or store_gate(self.store)
        found = violations(self.store, env, release_id, gate)
        return enforce(found, environment=env.name, force=force, reason=reason)

    def _apply(
        self,
        env: EnvironmentConfig,
        target: DeployTarget,
        action: DeployAction,
        release: Release,
        traffic: tuple[TrafficShare, ...],
        *,
        previous: str | None,
        reason: str | None,
        overridden: str | None = None,
        canary_percent: float | None = None,
        plan_id: str | None = None,
        step: int | None = None,
    ) -> ActionResult:
        request = DeployRequest(
            environment=env.name,
            release=release,
            traffic=traffic,
            options=env.options,
            project_root=self.project.root,
            action=action.value,
            actor=self.actor,
            reason=reason,
            artifacts={f"{e.kind.value}/{e.name}": version_tag(e.number) for e in release.entries},
        )
        row = functools.partial(
            self._row,
            env,
            action,
            release_id=release.release_id,
            previous=previous,
            canary_percent=canary_percent,
            reason=reason,
            forced=overridden is not None,
            plan_id=plan_id,
            step=step,
        )
        try:
            outcome = target.deploy(request)
        except Exception as error:  # a plugin's bug fails the deployment like a DeployError
            problem = str(error) if isinstance(error, LlmopsError) else repr(error)
            self.store.deployments.record(row(DeployStatus.FAILED, detail=problem))
            raise DeployFailedError(
                f"{env.name}: {action.value} of release {release.release_id} failed: {problem}; "
                f"{env.name} is unchanged (recorded as failed)"
            ) from None
        detail = outcome.detail + (f" (forced over: {overridden})" if overridden else "")
        deployment = row(DeployStatus.SUCCEEDED, detail=detail)
        self.store.deployments.record(deployment)
        warnings = self.plugins.notify("release_deployed", request=request, outcome=outcome)
        return ActionResult(deployment, describe(deployment, outcome), tuple(warnings))

    def _row(
        self,
        env: EnvironmentConfig,
        action: DeployAction,
        status: DeployStatus,
        *,
        release_id: str,
        previous: str | None,
        canary_percent: float | None,
        detail: str,
        reason: str | None,
        forced: bool,
        plan_id: str | None = None,
        step: int | None = None,
        verdict: CanaryVerdict | None = None,
    ) -> Deployment:
        return with_id(
            Deployment(
                deployment_id="",  # named by `with_id` from its contents
                environment=env.name,
                action=action,
                status=status,
                release_id=release_id,
                previous_release_id=previous,
                canary_percent=canary_percent,
                target=env.target,
                detail=detail,
                actor=self.actor,
                reason=reason,
                forced=forced,
                created_at=self.now().astimezone(UTC),
                plan_id=plan_id,
                step=step,
                verdict=verdict,
            )
        )


__all__ = ["ActionResult", "DeployFailedError", "Lifecycle", "ReadonlyError", "utc_now"]
