"""What a run will do, decided before any model is called: the release's prompt, model and
dataset versions, the provider, the judges, and the `suite_hash` naming all of it.

A problem here (an unknown suite, a prompt the release lacks, a provider no plugin
registers) stops the command with one line: nothing has been run yet. Problems of one case
(a missing variable) belong to that case and are the runner's business.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import orjson

from llmops_tui.config import ProjectConfig
from llmops_tui.domain.evals import JudgeSpec
from llmops_tui.domain.versions import WORKING, ArtifactKind, Release, ReleaseEntry, VersionText
from llmops_tui.errors import ConfigError, LlmopsError
from llmops_tui.evals.config import EvalsConfig, SuiteConfig, load_evals
from llmops_tui.evals.dataset import Dataset, load_dataset
from llmops_tui.evals.render import model_settings
from llmops_tui.plugin_manager import Plugins
from llmops_tui.store import Store
from llmops_tui.versions.refs import resolve_release, resolve_version
from llmops_tui.versions.sync import sync


@dataclass(frozen=True, slots=True)
class EvalPlan:
    suite: str
    release: Release
    release_ref: str
    dataset: Dataset
    dataset_hash: str
    prompt: VersionText
    model: str
    params: Mapping[str, Any]
    provider: str
    options: Mapping[str, Any]
    judges: tuple[JudgeSpec, ...]
    """The suite's judges; cases may add their own (`dataset.judges`)."""
    repeat: int
    concurrency: int
    max_retries: int
    backoff_seconds: float
    vars: Mapping[str, Any] = field(default_factory=dict)
    suite_hash: str = ""

    def case_judges(self, case_id: str) -> tuple[JudgeSpec, ...]:
        return self.judges + self.dataset.judges.get(case_id, ())


def plan_eval(
    store: Store,
    project: ProjectConfig,
    plugins: Plugins,
    *,
    release_ref: str,
    suite: str | None,
    dataset: str | None,
    provider: str | None,
    repeat: int | None,
    concurrency: int | None,
    now: datetime,
) -> EvalPlan:
    config = load_evals(project)
    chosen = _choose_suite(config, suite, dataset)
    release = resolve_release(store, project, release_ref)
    wanted = [(ArtifactKind.PROMPT, chosen.prompt), (ArtifactKind.DATASET, chosen.dataset)]
    if chosen.model:
        wanted.append((ArtifactKind.MODEL, chosen.model))
    if not all(_registered(store, release, kind, name) for kind, name in wanted):
        # A fresh checkout (CI) or new commits: register versions, then look again.
        sync(project, store, now=now.replace(tzinfo=None))
        release = resolve_release(store, project, release_ref)
    prompt = _text(store, release, ArtifactKind.PROMPT, chosen.prompt)
    data_text = _dataset_text(store, release, chosen.dataset, dataset)
    loaded = load_dataset(
        data_text.version.name, data_text.version.number, data_text.version.path, data_text.text
    )
    settings = None
    if chosen.model:
        model_text = _text(store, release, ArtifactKind.MODEL, chosen.model)
        settings = model_settings(model_text.version.path, model_text.text)
    provider_name = _provider(
        config, chosen, provider, settings.provider if settings else None, plugins
    )
    plugins.providers.get(provider_name)  # fail now, one line, when no plugin registers it
    for spec in chosen.judges:
        plugins.judges.get(spec.type)
    if not chosen.judges:
        unjudged = [c.case_id for c in loaded.cases if c.case_id not in loaded.judges]
        if unjudged:
            raise ConfigError(
                f"suite {chosen.name!r} has no judges and case {unjudged[0]!r} declares none",
                hint=f"add `judges = [...]` to [evals.suites.{chosen.name}]",
            )
    plan = EvalPlan(
        suite=chosen.name,
        release=release,
        release_ref=release_ref,
        dataset=loaded,
        dataset_hash=data_text.version.content_hash,
        prompt=prompt,
        model=settings.model if settings else provider_name,
        params=settings.params if settings else {},
        provider=provider_name,
        options=dict(config.providers.get(provider_name, {})),
        judges=chosen.judges,
        repeat=repeat or chosen.repeat or config.repeat,
        concurrency=concurrency or config.concurrency,
        max_retries=config.max_retries,
        backoff_seconds=config.backoff_seconds,
        vars=chosen.vars,
    )
    return _with_hash(plan)


def _with_hash(plan: EvalPlan) -> EvalPlan:
    """Everything that decides the results, hashed: same hash, same run (reused/resumed)."""
    identity = {
        "release": plan.release.release_id,
        "dataset": [plan.dataset.name, plan.dataset_hash],
        "prompt": [plan.prompt.version.name, plan.prompt.version.content_hash],
        "provider": plan.provider,
        "model": plan.model,
        "params": plan.params,
        "options": plan.options,
        "judges": [[j.name, j.type, j.options] for j in plan.judges],
        "vars": plan.vars,
        "repeat": plan.repeat,
    }
    digest = hashlib.sha256(
        orjson.dumps(identity, option=orjson.OPT_SORT_KEYS, default=str)
    ).hexdigest()[:16]
    return replace(plan, suite_hash=digest)


def _choose_suite(config: EvalsConfig, suite: str | None, dataset: str | None) -> SuiteConfig:
    if suite is not None:
        return config.suite(suite)
    if not config.suites:
        raise ConfigError(
            "llmops.toml: no [evals.suites.<name>]: a suite names the dataset, prompt, model "
            "and judges to run",
            hint="see the Evals section of the README",
        )
    if dataset is not None:
        name = dataset.partition("@")[0]
        matching = [s for s in config.suites.values() if s.dataset == name]
        if len(matching) == 1:
            return matching[0]
    if len(config.suites) == 1:
        return next(iter(config.suites.values()))
    known = ", ".join(sorted(config.suites))
    raise ConfigError(f"several suites ({known}): say which with --suite")


def _provider(
    config: EvalsConfig,
    suite: SuiteConfig,
    flag: str | None,
    from_model: str | None,
    plugins: Plugins,
) -> str:
    if flag:
        return flag
    if suite.provider:
        return suite.provider
    if from_model and from_model in plugins.providers.names():
        return from_model
    if config.provider:
        return config.provider
    raise ConfigError(
        f"suite {suite.name!r}: no provider: pass --provider, or set `provider` in "
        "[evals] or the suite",
        hint="`llmops plugins` lists the providers loaded",
    )


def _entry(release: Release, kind: ArtifactKind, name: str) -> ReleaseEntry | None:
    for entry in release.entries:
        if entry.kind is kind and entry.name == name:
            return entry
    return None


def _stored(store: Store, entry: ReleaseEntry) -> VersionText | None:
    """The registered version with exactly the release's content (an entry whose content
    the registry doesn't know yet is numbered 0, which may be another `working` text)."""
    if not store.exists():
        return None
    try:
        found = store.versions.text(entry.kind, entry.name, entry.number)
    except KeyError:
        return None
    return found if found.version.content_hash == entry.content_hash else None


def _registered(store: Store, release: Release, kind: ArtifactKind, name: str) -> bool:
    """Whether the registry has this content under its own version: a committed content
    still numbered `working` (committed since the last sync) is not, yet."""
    entry = _entry(release, kind, name)
    if entry is None or (entry.number == WORKING and release.commit is not None):
        return False
    return _stored(store, entry) is not None


def _text(store: Store, release: Release, kind: ArtifactKind, name: str) -> VersionText:
    entry = _entry(release, kind, name)
    where = release.ref or release.release_id
    if entry is None:
        raise LlmopsError(
            f"release {where} has no {kind.value} {name!r}",
            hint="`llmops versions list` shows the artifacts; check the suite in llmops.toml",
        )
    found = _stored(store, entry)
    if found is None:
        tag = "working" if entry.number == WORKING else f"v{entry.number}"
        raise LlmopsError(
            f"{kind.value} {name}@{tag} of release {where} is not registered",
            hint="run `llmops versions sync`",
        )
    return found


def _dataset_text(
    store: Store, release: Release, suite_dataset: str, flag: str | None
) -> VersionText:
    if flag is None:
        return _text(store, release, ArtifactKind.DATASET, suite_dataset)
    name = flag.partition("@")[0]
    if "@" not in flag and _entry(release, ArtifactKind.DATASET, name) is not None:
        return _text(store, release, ArtifactKind.DATASET, name)
    version = resolve_version(store, flag)
    if version.kind is not ArtifactKind.DATASET:
        raise LlmopsError(f"{flag}: a {version.kind.value}, not a dataset")
    return store.versions.text(version.kind, version.name, version.number)
