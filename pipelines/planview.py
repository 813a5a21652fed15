"""``analytics-elt plan``: the calls ``run`` would make, and how long they take."""

from __future__ import annotations

import sys
import uuid
from typing import Any

from pipelines import registry, runner
from sources.common.errors import EXIT_OK
from sources.common.limiter import reset_limiters
from sources.common.progress import saved_cursor


def show_plan(source: str, *, destination: str = "duckdb", dataset: str | None = None,
              start_date: str | None = None, end_date: str | None = None,
              resources: list[str] | None = None, brief: bool = False,
              out: Any = None) -> int:
    """Print the plan from the saved cursors (read from the destination, no data calls)."""
    out = out or sys.stdout
    reset_limiters()  # a fresh view of the quota, as a new process has
    spec = registry.get(source)
    opts = runner.RunOptions(source=source, destination=destination, dataset=dataset,
                             start_date=start_date, end_date=end_date, resources=resources)
    run_id = uuid.uuid4().hex
    runner.build_source(spec, opts, run_id, None)
    cfg = spec.config(run_id)
    pipeline = runner.make_pipeline(opts)
    with runner.quiet_dlt():
        try:
            pipeline.sync_destination()
        except Exception as exc:  # a destination that does not exist yet has no cursors
            print(f"note: no saved state read from {destination} ({type(exc).__name__}); "
                  "planning a first run", file=sys.stderr)
    states = runner.resource_states(pipeline, source)
    cursors = {r: saved_cursor(states.get(r) or {}) for r in cfg.resources}
    plan = spec.plan(cfg, states)
    carried = plan.drop_carried(runner.carried_keys(pipeline, source))
    width = max([len(r) for r in plan.resources] + [8])
    print(f"plan for {source} ({len(plan.resources)} resources)", file=out)
    print(f"  {'resource'.ljust(width)}  {'kind':8}  {'cursor':10}  {'window':22}  calls",
          file=out)
    for name, rp in plan.resources.items():
        cursor = str(cursors.get(name) or "-")
        window = str(rp.window) if rp.window and not rp.window.is_empty else "-"
        print(f"  {name.ljust(width)}  {rp.kind:8}  {cursor:10}  {window:22}  {len(rp.calls)}",
              file=out)
        if not brief:
            for call in rp.calls:
                print(f"      {call.method} {call.path}  {call.describe()}", file=out)
    rpm, rpd, remaining = spec.learn_limits(cfg)
    budget = getattr(cfg, "daily_budget", None)
    per_day, today_left = rpd, remaining
    if budget:  # one run a day spends at most its budget: the rest of the quota is kept
        per_day = min(rpd, budget) if rpd else budget
        today_left = min(remaining, budget) if remaining is not None else None
    est = plan.estimate(rpm, per_day, today_left)
    print(f"total calls: {est['calls']}", file=out)
    if carried:
        print(f"  ({carried} more answered by what the quota-stopped run before carried over)",
              file=out)
    if est.get("open_ended"):
        print("  (paged resources: plus the further pages their first answers announce)",
              file=out)
    if rpm:
        print(f"rate plan: {rpm} requests/minute, {rpd or 'unlimited'} requests/day"
              + (f", {remaining} left today" if remaining is not None else ""), file=out)
        print(f"time at the rate limit: about {est['minutes']} minute(s)", file=out)
    if budget:
        print(f"daily_budget: each run spends at most {budget} requests", file=out)
    if est["days"] and est["days"] > 1:
        print(f"quota: the calls exceed one day's quota — they need {est['days']} days "
              "(each run stops with exit 4 and the next one resumes)", file=out)
    elif rpd:
        print("quota: fits in one day's quota", file=out)
    return EXIT_OK
