"""Gate calibration by simulation: false failures on A/A suites, power on a 10-point drop.

    python bench/gate_simulation.py                  # 500 suites per scenario (make bench)
    python bench/gate_simulation.py --suites 50      # quick check

Targets (issue 5): at alpha = 0.05, over 500 simulated suites whose cases have a latent
difficulty (two runs agree on >= 85% of cases) and several judges, the gate fails at most
5% (+2 points of simulation margin) of A/A suites, and fails >= 80% of suites whose pass
rate truly drops by 10 points with 200 cases.

The suites come from `llmops_tui.evals.simulate` and go through the shipped
`compare_results` and `apply_rules` with the `[gate]` rules below (every judge under
`no_regression`, Holm-corrected). The simulation is deterministic (fixed seeds): one run
gives the figures, so no median of several runs is taken; the time is reported for
information only.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import scipy  # noqa: E402
from common import replace_section  # noqa: E402

from llmops_tui.evals.gate_config import parse_gate_config  # noqa: E402
from llmops_tui.evals.simulate import SimulationResult, SuiteSpec, simulate_gate  # noqa: E402

RESULTS = REPO_ROOT / "bench" / "RESULTS.md"
RULES_TABLE = {
    "min_pass_rate": 0.3,
    "no_regression": "*",
    "max_cost_increase": 0.2,
    "max_latency_increase": 0.25,
}
AA_SEED, DROP_SEED = 101, 201
AA_TARGET, POWER_TARGET = 0.07, 0.80


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suites", type=int, default=500)
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--no-write", action="store_true", help="Don't update RESULTS.md.")
    args = parser.parse_args()
    rules = parse_gate_config(RULES_TABLE)
    spec = SuiteSpec(cases=args.cases)
    drop = SuiteSpec(cases=args.cases, drop=0.10)
    started = time.perf_counter()
    aa = simulate_gate(spec, rules, suites=args.suites, seed=AA_SEED)
    aa_seconds = time.perf_counter() - started
    print(_line("A/A", aa, aa_seconds), flush=True)
    started = time.perf_counter()
    power = simulate_gate(drop, rules, suites=args.suites, seed=DROP_SEED)
    power_seconds = time.perf_counter() - started
    print(_line("drop", power, power_seconds), flush=True)
    if not args.no_write:
        _write(spec, aa, power, aa_seconds + power_seconds)


def _line(name: str, r: SimulationResult, seconds: float) -> str:
    return (
        f"{name}: {r.failures}/{r.suites} failed ({r.failure_rate:.1%}), agreement "
        f"{r.agreement:.1%}, without Holm {r.unadjusted_failures}, rules {r.rule_failures}, "
        f"{seconds:.0f}s"
    )


def _write(spec: SuiteSpec, aa: SimulationResult, power: SimulationResult, seconds: float) -> None:
    start, end = "<!-- bench:gate -->", "<!-- /bench:gate -->"
    aa_ok = "✅" if aa.failure_rate <= AA_TARGET else "❌"
    power_ok = "✅" if power.failure_rate >= POWER_TARGET else "❌"
    judges = len(spec.pass_fail_judges) + len(spec.numeric_judges)

    def rules(r: SimulationResult) -> str:
        return ", ".join(f"`{k}` {v}" for k, v in sorted(r.rule_failures.items())) or "none"

    section = "\n".join(
        [
            start,
            "## Gate calibration (`bench/gate_simulation.py`)",
            "",
            f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; Python "
            f"{platform.python_version()}, scipy {scipy.__version__}; load average at the end: "
            f"{os.getloadavg()[0]:.1f}; {seconds:.0f} s for both scenarios",
            "- deterministic (seeds "
            f"{AA_SEED} and {DROP_SEED}, one generator per suite): one run gives the figures, "
            "so no median of runs is taken",
            f"- suites: {spec.cases} cases, {judges} judges "
            f"({len(spec.pass_fail_judges)} pass/fail, {len(spec.numeric_judges)} numeric), "
            "latent case difficulty (logit sd "
            f"{spec.difficulty:g}) plus a per-judge twist (sd {spec.judge_twist:g}), "
            f"{spec.error_rate:.0%} of answers erroring, per-answer noise on latency and cost",
            "- the drop lowers the first pass/fail judge's expected pass rate by 10 points and "
            "leaves the other judges as they were (the hardest case for a Holm-corrected gate)",
            f"- rules: `{RULES_TABLE}` at alpha = 0.05, through the shipped "
            "`compare_results` + `apply_rules`",
            "",
            "| scenario | suites | gate failed | rate | run-to-run agreement | "
            "failed without Holm | rules that failed | target |",
            "|---|---:|---:|---:|---:|---:|---|---|",
            f"| A/A (nothing changed) | {aa.suites} | {aa.failures} | **{aa.failure_rate:.1%}** | "
            f"{aa.agreement:.1%} | {aa.unadjusted_failures} "
            f"({aa.unadjusted_failures / aa.suites:.1%}) "
            f"| {rules(aa)} | ≤ 7% {aa_ok} |",
            f"| 10-point drop | {power.suites} | {power.failures} | "
            f"**{power.failure_rate:.1%}** | {power.agreement:.1%} | "
            f"{power.unadjusted_failures} ({power.unadjusted_failures / power.suites:.1%}) "
            f"| {rules(power)} | ≥ 80% {power_ok} |",
            end,
        ]
    )
    replace_section(RESULTS, start, end, section)


if __name__ == "__main__":
    main()
