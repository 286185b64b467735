"""Version registry benchmark: `versions sync` on a big history, and linking 1M spans.

    python bench/versions.py                 # 3 runs each (make bench)
    python bench/versions.py --runs 1        # quick check

Targets (issue 4): a sync of a repository with 5,000 commits touching 200 artifacts takes
≤ 10 s the first time and ≤ 0.5 s when nothing changed; linking 1M spans takes ≤ 5 s.

- The repository is generated with `git fast-import` (seeded; cached in bench/.data/): 200
  artifacts (110 prompts in Markdown and YAML, 40 model configs, 25 retrieval configs, 25
  JSONL datasets), then 4,999 commits each editing one or two of them, with reverts to
  earlier contents, renames and deletions along the way.
- Sync times are `sync()` in-process on a fresh database (first scan) and on the synced one
  (nothing changed): opening the store, git, reading the working tree, writing.
- Linking: 1M spans built in SQL on a copy of the synced database: 40% carry
  `prompt_name`/`prompt_version` attributes, 50% only their rendered system message (each
  from one of 60 registered prompt versions with its variables filled per span), 10% are
  tool spans. The time is one backfill pass (`store.links.link(backfill=True)`).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from common import replace_section  # noqa: E402

from llmops_tui.config import load_project  # noqa: E402
from llmops_tui.domain.versions import ArtifactKind  # noqa: E402
from llmops_tui.store import Store  # noqa: E402
from llmops_tui.versions.parsers import split_template  # noqa: E402
from llmops_tui.versions.sync import sync  # noqa: E402

DATA = REPO_ROOT / "bench" / ".data" / "versions"
RESULTS = REPO_ROOT / "bench" / "RESULTS.md"
GENERATOR_VERSION = 1
COMMITS = 5_000
SPANS = 1_000_000
SEED = 4
NOW = datetime(2026, 11, 30, 12, 0)
WORDS = [
    "customer",
    "order",
    "refund",
    "policy",
    "article",
    "answer",
    "escalate",
    "tone",
    "brief",
    "warm",
    "plan",
    "deadline",
    "tracking",
    "carrier",
    "return",
    "label",
    "warranty",
    "invoice",
    "account",
    "password",
    "human",
    "specialist",
]


def _sentence(rng: random.Random, n: int = 12) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def _prompt_md(rng: random.Random) -> str:
    lines = [f"You are assistant {rng.randrange(10**6)} for Acme. {_sentence(rng)}", ""]
    lines.append("You are chatting with {{customer_name}} ({{plan}} plan). Today is {{today}}.")
    lines += ["", "## Rules"] + [f"- {_sentence(rng)}" for _ in range(rng.randint(6, 14))]
    lines += ["", "Help-center articles:", "{{kb_articles}}"]
    return "\n".join(lines) + "\n"


def _prompt_yaml(rng: random.Random) -> str:
    rules = "\n".join(f"      - {_sentence(rng)}" for _ in range(rng.randint(4, 10)))
    return (
        f"name: p{rng.randrange(10**6)}\nmessages:\n  - role: system\n    content: |\n"
        f"      Sort the email for {{{{customer_name}}}} into one queue.\n{rules}\n"
        "  - role: user\n    content: '{{body}}'\nvariables:\n  - name: customer_name\n"
        "  - name: body\n"
    )


def _model(rng: random.Random) -> str:
    return (
        f"provider: openai\nmodel: gpt-4o-mini\ntemperature: {rng.randint(0, 10) / 10}\n"
        f"max_tokens: {rng.choice((256, 512, 800, 1024))}\n"
    )


def _retrieval(rng: random.Random) -> str:
    return f"index: kb-{rng.randrange(1000)}\ntop_k: {rng.randint(3, 12)}\nmin_score: 0.3\n"


def _dataset(rng: random.Random) -> str:
    return "".join(
        f'{{"id": "c{i}", "question": "{_sentence(rng)}", "score": {rng.random():.3f}}}\n'
        for i in range(rng.randint(20, 60))
    )


KINDS = (
    ("prompts", ".md", _prompt_md, 80),
    ("prompts", ".yaml", _prompt_yaml, 30),
    ("models", ".yaml", _model, 40),
    ("retrieval", ".yaml", _retrieval, 25),
    ("datasets", ".jsonl", _dataset, 25),
)


def build_repo(path: Path, commits: int = COMMITS, seed: int = SEED) -> Path:
    """A git repository of `commits` commits over 200 artifacts, made with fast-import."""
    marker = path / f".generated-v{GENERATOR_VERSION}-{commits}"
    if marker.exists():
        return path
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    rng = random.Random(seed)
    files: dict[str, tuple[int, list[str]]] = {}  # path -> (generator index, contents so far)
    for index, (folder, suffix, _, count) in enumerate(KINDS):
        for i in range(count):
            files[f"{folder}/a{index}_{i:03d}{suffix}"] = (index, [])
    out: list[bytes] = []

    def blob(text: str) -> bytes:
        data = text.encode()
        return b"data %d\n%s\n" % (len(data), data)

    at = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())
    for n in range(1, commits + 1):
        at += rng.randint(600, 4 * 3600)
        ops: list[bytes] = []
        if n == 1:
            ops.append(b"M 100644 inline llmops.toml\n" + blob('[project]\nname = "bench"\n'))
            targets = list(files)
        else:
            targets = rng.sample(sorted(files), rng.choice((1, 1, 2)))
        message = f"commit {n}"
        for target in targets:
            index, history = files[target]
            roll = rng.random()
            if n > 1 and roll < 0.002 and len(files) > 190:
                ops.append(f"D {target}\n".encode())
                del files[target]
                message = f"drop {target}"
                continue
            if n > 1 and roll < 0.004:
                folder, _, name = target.rpartition("/")
                renamed = f"{folder}/renamed_{n}_{name}"
                ops.append(f'R "{target}" "{renamed}"\n'.encode())
                files[renamed] = files.pop(target)
                message = f"rename {target}"
                continue
            if history and roll < 0.08:
                text = rng.choice(history)  # a revert to an earlier content
            else:
                text = KINDS[index][2](rng)
                history.append(text)
            ops.append(f"M 100644 inline {target}\n".encode() + blob(text))
        person = rng.choice(("Ann", "Bo", "Cy"))
        header = f"{person} <{person.lower()}@example.com> {at} +0000"
        out.append(f"commit refs/heads/main\nmark :{n}\n".encode())
        out.append(f"author {header}\ncommitter {header}\n".encode() + blob(message))
        if n > 1:
            out.append(f"from :{n - 1}\n".encode())
        out.extend(ops)
        out.append(b"\n")
    subprocess.run(["git", "init", "--quiet", "--initial-branch=main", str(path)], check=True)
    subprocess.run(
        ["git", "-C", str(path), "fast-import", "--quiet"], input=b"".join(out), check=True
    )
    subprocess.run(["git", "-C", str(path), "checkout", "--quiet", "main"], check=True)
    marker.write_text("generated by bench/versions.py\n")
    (path / ".git" / "info" / "exclude").write_text(".generated-*\n.llmops/\n")
    return path


def bench_sync(repo: Path, runs: int) -> tuple[list[float], list[float], Path]:
    project = load_project(repo)
    first: list[float] = []
    unchanged: list[float] = []
    database = DATA / "synced.duckdb"
    for run in range(runs):
        path = DATA / f"sync-{run}.duckdb"
        path.unlink(missing_ok=True)
        started = time.perf_counter()
        report = sync(project, Store(path), now=NOW)
        first.append(time.perf_counter() - started)
        versions = len(report.new_versions)
        started = time.perf_counter()
        again = sync(project, Store(path), now=NOW)
        unchanged.append(time.perf_counter() - started)
        assert again.commits == 0, again
        assert not again.new_versions, again
        print(
            f"  sync run {run + 1}: first {first[-1]:.2f}s ({report.commits} commits, "
            f"{versions} versions), unchanged {unchanged[-1]:.3f}s",
            flush=True,
        )
        shutil.copyfile(path, database)
        path.unlink()
    return first, unchanged, database


SPANS_SQL = """
insert into spans (trace_id, span_id, name, start_time, duration_ms, status, operation,
    prompt_name, prompt_version, input_text, attributes, ingested_at)
select
    printf('%032x', i) as trace_id,
    printf('%016x', i) as span_id,
    case when i % 10 = 9 then 'execute_tool lookup_order' else 'chat gpt-4o-mini' end,
    timestamp '2026-11-01' + to_milliseconds(i * 2),
    200 + i % 1700,
    case when i % 50 = 0 then 'error' else 'ok' end,
    case when i % 10 = 9 then 'execute_tool' else 'chat' end,
    case when i % 10 < 4 then t.name end,
    case when i % 10 < 4 then 'v' || t.version end,
    case when i % 10 = 9 then '{"order_id": "A' || i || '"}'
         else json_array(
            json_object('role', 'system', 'parts', json_array(json_object('type', 'text',
                'content',
                regexp_replace(t.rendered, '§[a-z_]+§', 'Customer ' || (i % 997), 'g')))),
            json_object('role', 'user', 'parts', json_array(json_object('type', 'text',
                'content', 'Where is my order A' || i || '?'))))::varchar
    end,
    '{}',
    timestamp '2026-11-30'
from range($spans) r(i)
join bench_templates t on t.slot = i % 60
"""


def build_spans(database: Path, spans: int) -> Path:
    """A copy of the synced database with `spans` spans inserted in SQL."""
    target = DATA / f"links-{spans}-v{GENERATOR_VERSION}.duckdb"
    if target.exists():
        return target
    store = Store(database)
    rows: list[tuple[int, str, int, str]] = []
    for summary in store.versions.artifacts(ArtifactKind.PROMPT):
        for row in store.versions.history(ArtifactKind.PROMPT, summary.name)[:1]:
            text = store.versions.text(ArtifactKind.PROMPT, summary.name, row.version.number)
            if not summary.path.endswith(".md"):
                continue
            literals, _ = split_template(text.text)
            rendered = "".join(
                part + ("§var§" if i < len(literals) - 1 else "") for i, part in enumerate(literals)
            )
            rows.append((len(rows), summary.name, row.version.number, rendered))
        if len(rows) == 60:
            break
    tmp = target.with_suffix(".tmp")
    shutil.copyfile(database, tmp)
    conn = duckdb.connect(str(tmp))
    conn.execute(
        "create temp table bench_templates (slot int, name varchar, version int, rendered varchar)"
    )
    conn.executemany("insert into bench_templates values (?, ?, ?, ?)", rows)
    conn.execute(SPANS_SQL, {"spans": spans})
    conn.close()
    tmp.rename(target)
    return target


def bench_links(source: Path, runs: int) -> tuple[list[float], str]:
    times: list[float] = []
    outcome = ""
    for run in range(runs):
        copy = DATA / "links-run.duckdb"
        shutil.copyfile(source, copy)
        store = Store(copy)
        store.initialise()
        started = time.perf_counter()
        report = store.links.link(backfill=True)
        times.append(time.perf_counter() - started)
        outcome = (
            f"{report.by_attribute:,} by attributes, {report.by_text:,} by text, "
            f"{report.unlinked:,} unlinked"
        )
        print(f"  link run {run + 1}: {times[-1]:.2f}s ({outcome})", flush=True)
        copy.unlink()
    return times, outcome


def _git_version() -> str:
    out = subprocess.run(["git", "--version"], capture_output=True, text=True, check=True)
    return out.stdout.split()[-1]


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB RAM, Linux {platform.release()}"


def write_results(
    first: list[float], unchanged: list[float], links: list[float], outcome: str, runs: int
) -> None:
    start, end = "<!-- bench:versions -->", "<!-- /bench:versions -->"

    def mark(value: float, target: float) -> str:
        return "✅" if value <= target else "❌"

    f, u, k = statistics.median(first), statistics.median(unchanged), statistics.median(links)
    section = "\n".join(
        [
            start,
            "## Version registry (`bench/versions.py`)",
            "",
            f"- machine: {machine()}",
            f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; Python "
            f"{platform.python_version()}, duckdb {duckdb.__version__}, "
            f"git {_git_version()}; "
            f"load average at the end: {os.getloadavg()[0]:.1f} (a shared machine: other "
            "engineers' benchmarks ran meanwhile)",
            f"- median of {runs} runs, in-process (no interpreter start-up); repository: "
            f"{COMMITS:,} commits over 200 artifacts made by `git fast-import`; spans: "
            f"{SPANS:,} built in SQL ({outcome})",
            "",
            "| measure | median | runs | target |",
            "|---|---:|---|---|",
            f"| `versions sync`, first scan | **{f:.2f} s** | "
            f"{', '.join(f'{x:.2f}' for x in first)} | ≤ 10 s {mark(f, 10)} |",
            f"| `versions sync`, nothing changed | **{u:.3f} s** | "
            f"{', '.join(f'{x:.3f}' for x in unchanged)} | ≤ 0.5 s {mark(u, 0.5)} |",
            f"| linking {SPANS:,} spans (backfill) | **{k:.2f} s** | "
            f"{', '.join(f'{x:.2f}' for x in links)} | ≤ 5 s {mark(k, 5)} |",
            end,
        ]
    )
    replace_section(RESULTS, start, end, section)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="Don't update RESULTS.md.")
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    repo = build_repo(DATA / "repo")
    print(f"repository ready in {time.perf_counter() - started:.1f}s: {repo}", flush=True)
    first, unchanged, database = bench_sync(repo, args.runs)
    started = time.perf_counter()
    spans = build_spans(database, SPANS)
    print(f"spans ready in {time.perf_counter() - started:.1f}s: {spans}", flush=True)
    links, outcome = bench_links(spans, args.runs)
    if not args.no_write:
        write_results(first, unchanged, links, outcome, args.runs)


if __name__ == "__main__":
    main()
