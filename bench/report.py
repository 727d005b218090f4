"""bench/RESULTS.md from a run's results: tables per query and server, the ratios the issue sets
as targets (each said met or not), the CPU each side used, and where the time goes."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable

from bench.results import Cell, Measured, RunResults, ScaleResults, geometric_mean, percentile

CONCURRENT = 16

TARGETS = (
    ("throughput vs rdflib-endpoint (16 clients, caches off)", "iacai", "rdflib-endpoint", 10.0),
    ("throughput vs Virtuoso (16 clients, caches off)", "iacai", "virtuoso", 1.5),
    ("throughput vs the Oxigraph server (16 clients, caches off)", "iacai", "oxigraph", 1.0),
    ("throughput vs the floor (16 clients, caches off)", "iacai", "floor", 0.5),
    ("cached throughput vs the floor (16 clients)", "iacai-cached", "floor", 0.8),
)
"""Issue 3's targets and issue 14's, over the repeated mix."""
DISTINCT_PAIRS = (("iacai", "oxigraph"), ("iacai-cached", "oxigraph"), ("iacai", "virtuoso"),
                  ("iacai", "floor"), ("oxigraph", "floor"), ("iacai", "worker-floor"),
                  ("worker-floor", "floor"))
"""The ratios shown for the distinct-text workloads (no cache can hit there)."""
MIB = 2**20
PROFILE_HEADING = "## Profile"
"""Where `profile_path.py` puts its tables in the report: kept when the benchmark rewrites it."""
P50_EXCESS_TARGET = 0.001
"""Issue 14: a single client's p50 within 1 ms of the floor's (median over the queries)."""
SCALED_TARGETS = {100: (("iacai", "virtuoso", 1.0),)}
"""Issue 14 at 100x: at least Virtuoso's throughput, for 1 client and for 16."""
CLIENT_SATURATED = 0.8
"""Client CPU per wall second above which the load generator itself may have been the limit."""


def render(results: RunResults) -> str:
    """The whole report as Markdown."""
    lines = [
        "# iacai-kg benchmark results",
        "",
        "Written by `.venv/bin/python -m bench.run` (see `bench/README.md`); do not edit by hand.",
        f"Run {results.started}, {results.duration_seconds / 60:.1f} minutes in all.",
        "",
        "## Machine and versions",
        "",
        *_key_values({**results.machine, **results.versions}),
        "",
        "## Budget",
        "",
        *_key_values(results.budget),
        "",
        "Every server answers on 127.0.0.1, all those of a scale running at once, each on its "
        "own port and idle while another is driven; requests are `GET /sparql?query=…` over "
        "keep-alive HTTP/1.1 connections, asking SPARQL JSON (Turtle for CONSTRUCT). Each cell "
        "(server, query, clients) is measured once per round, the servers one after another "
        "for each query, in another order in each round, so that the machine's drift over "
        "minutes falls on every server alike; every figure shown is the median of its "
        "rounds' (latency percentiles: the median of each round's), and each ratio the "
        "issues set as a target is also given per round, lowest to highest.",
        "",
        *_noise(results),
    ]
    for scale in results.scales:
        lines += _scale_section(scale)
    return "\n".join(lines).rstrip() + "\n"


def with_section(report: str, heading: str, section: str) -> str:
    """The report with its section under `heading` (to the next `## ` or the end) replaced by
    `section`, or `section` appended when it has none."""
    start = report.find(f"\n{heading}")
    if start < 0:
        return report.rstrip() + ("\n\n" + section.strip() + "\n" if section.strip() else "\n")
    end = report.find("\n## ", start + 1)
    rest = report[end:] if end >= 0 else "\n"
    kept = "\n\n" + section.strip() + "\n" if section.strip() else "\n"
    return report[:start].rstrip() + kept + rest


def section_of(report: str, heading: str) -> str:
    """The report's section under `heading`, empty when it has none."""
    start = report.find(f"\n{heading}")
    if start < 0:
        return ""
    end = report.find("\n## ", start + 1)
    return report[start : end if end >= 0 else len(report)].strip()


def _scale_section(scale: ScaleResults) -> list[str]:
    title = "the graph as shipped" if scale.factor == 1 else f"the graph scaled {scale.factor}x"
    lines = ["", f"## {title} ({scale.quads} quads)", ""]
    lines += [f"- {note}" for note in scale.notes]
    if scale.factor == 1:
        lines += _targets(scale)
    else:
        lines += [*_scaled_targets(scale), *_scaled_summary(scale)]
    lines += _distinct(scale)
    lines += _agreement(scale)
    lines += _table(scale, f"Requests per second, {CONCURRENT} clients", CONCURRENT,
                    lambda cell: f"{cell.requests_per_second:,.0f}")
    lines += _table(scale, "Latency p50 / p95 (ms), 1 client", 1, _p50_p95)
    lines += _table(scale, f"Latency p50 / p95 (ms), {CONCURRENT} clients", CONCURRENT, _p50_p95)
    lines += _cpu(scale)
    lines += _memory(scale)
    lines += _where_time_goes(scale)
    return lines


def _distinct(scale: ScaleResults) -> list[str]:
    if not scale.distinct:
        return []
    lines = ["### Every text new", "",
             f"The distinct-text workloads ({', '.join(scale.distinct)}) send each request a "
             "query text not sent to that server before (other resources, words, LIMIT and "
             "OFFSET; each round and client count has texts of its own), so no answer cache can "
             "hit; the targets above are over the repeated mix only.", ""]
    lines += [line for clients in (1, CONCURRENT) for server, baseline in DISTINCT_PAIRS
              if (line := _ratio_line(scale, server, baseline, clients, scale.distinct))]
    return [*lines, ""]


def _memory(scale: ScaleResults) -> list[str]:
    if not scale.memory:
        return []
    lines = ["### Memory (MiB)", "",
             "The server's processes together (query workers too): at rest once it answers, and "
             "the most sampled (every half second, in every round) while it was driven, the "
             "other servers' idle processes not counted. *Resident* sums each "
             "process's resident set, so a page its processes share counts once per process; "
             "*proportional* sums their PSS, each shared page split among its sharers, so every "
             "page counts once: what the server takes from the machine's memory.", "",
             "| server | resident at rest | proportional at rest | resident under load | "
             "proportional under load |", "| --- | ---: | ---: | ---: | ---: |"]
    lines += [f"| {server} | {rest.resident / MIB:,.0f} | {rest.proportional / MIB:,.0f} | "
              f"{peak.resident / MIB:,.0f} | {peak.proportional / MIB:,.0f} |"
              for server, (rest, peak) in scale.memory.items()]
    return [*lines, ""]


def _targets(scale: ScaleResults) -> list[str]:
    lines = ["### Targets", "", *_targets_legend(scale), *_TARGETS_HEAD]
    for label, server, baseline, goal in TARGETS:
        lines.append(_ratio_target(scale, f"{label}: geometric mean of {server}/{baseline}",
                                   server, baseline, CONCURRENT, goal))
    lines += [_p50_target(scale), "", *_other_ratios(scale)]
    return lines


def _targets_legend(scale: ScaleResults) -> list[str]:
    return ["*measured* is the geometric mean over the queries of the ratio of requests per "
            f"second, each cell's figure the median of its {scale.rounds} rounds; *each round* "
            "is the same ratio from one round's figures alone, lowest to highest, so a goal met "
            "in the median but not in every round shows (the medians are taken cell by cell, "
            "so *measured* can lie outside that range); *by CPU* is the ratio of server CPU "
            "per request the other way round (how many times less CPU an answer costs), which "
            "other work on the machine disturbs less, with its rounds' lowest to highest.", ""]


_TARGETS_HEAD = ["| target | measured | each round | by CPU (each round) | goal | met |",
                 "| --- | --- | --- | --- | --- | --- |"]


def _ratio_target(
    scale: ScaleResults, label: str, server: str, baseline: str, clients: int, goal: float
) -> str:
    ratio, count = scale.throughput_ratio(server, baseline, clients)
    rounds = _per_round(scale, lambda n: scale.throughput_ratio(server, baseline, clients,
                                                                in_round=n)[0])
    cpu_ratio, _ = scale.cpu_ratio(server, baseline, clients)
    cpu_rounds = _per_round(scale, lambda n: scale.cpu_ratio(server, baseline, clients,
                                                             in_round=n)[0])
    by_cpu = "" if math.isnan(cpu_ratio) else f"{cpu_ratio:.2f}x ({_spread(cpu_rounds, 'x')})"
    return _target_row(f"{label} over {count} queries", ratio, rounds, f"≥ {goal:g}x",
                       lambda value: value >= goal, "x", by_cpu)


def _p50_target(scale: ScaleResults) -> str:
    excess = scale.p50_excess("iacai", "floor")
    if not excess:
        return "| single-client p50 minus the floor's | not measured | | | ≤ 1 ms | — |"
    worst = max(excess, key=excess.__getitem__)
    within = sum(1 for value in excess.values() if value <= P50_EXCESS_TARGET)
    rounds = _per_round(scale, lambda n: _median_ms(scale.p50_excess("iacai", "floor", n)))
    return _target_row(
        f"single-client p50 minus the floor's (caches off): median over {len(excess)} "
        f"queries; {within} of them within the goal; worst {_ms(excess[worst])} ms "
        f"({worst}, whose engine time alone is "
        f"{_ms(percentile(scale.engine[worst].latencies, 0.5))} ms)",
        _median_ms(excess), rounds, f"≤ {P50_EXCESS_TARGET * 1000:g} ms (median)",
        lambda value: value <= P50_EXCESS_TARGET * 1000, " ms")


def _median_ms(excess: dict[str, float]) -> float:
    return statistics.median(excess.values()) * 1000 if excess else math.nan


def _per_round(scale: ScaleResults, figure: Callable[[int], float]) -> list[float]:
    """The figure computed from each round's measurements alone."""
    return [figure(round_number) for round_number in range(scale.rounds)]


def _spread(values: Iterable[float], unit: str) -> str:
    """Lowest to highest of the rounds' figures."""
    measured = [value for value in values if not math.isnan(value)]
    if not measured:
        return "—"
    return f"{min(measured):.2f} to {max(measured):.2f}{unit}"


def _target_row(
    label: str, value: float, rounds: list[float], goal: str, meets: Callable[[float], bool],
    unit: str, by_cpu: str = "",
) -> str:
    if math.isnan(value):
        return f"| {label} | not measured | | {by_cpu} | {goal} | — |"
    met_in = sum(1 for figure in rounds if not math.isnan(figure) and meets(figure))
    verdict = "yes" if meets(value) else "**no**"
    return (f"| {label} | {value:.2f}{unit} | {_spread(rounds, unit)} | {by_cpu} | {goal} | "
            f"{verdict}; in {met_in} of {len(rounds)} rounds |")


def _ratio_line(
    scale: ScaleResults, server: str, baseline: str, clients: int,
    queries: list[str] | None = None,
) -> str | None:
    """One ratio in requests per second and by CPU per request, with its rounds' spread; None
    when the two servers share no query answered without error."""
    ratio, count = scale.throughput_ratio(server, baseline, clients, queries)
    if not count:
        return None
    rounds = _per_round(scale, lambda n: scale.throughput_ratio(server, baseline, clients,
                                                                queries, n)[0])
    cpu_ratio, _ = scale.cpu_ratio(server, baseline, clients, queries)
    kind = "workloads" if queries is not None else "queries"
    return (f"- {server}/{baseline}, {clients} client{'s' * (clients > 1)}: {ratio:.2f}x in "
            f"requests per second (rounds {_spread(rounds, 'x')}), {cpu_ratio:.2f}x by CPU per "
            f"request (geometric means over {count} {kind})")


def _other_ratios(scale: ScaleResults) -> list[str]:
    pairs = [("iacai-cached", "iacai"), ("iacai-revalidated", "floor"), ("iacai", "floor"),
             ("oxigraph", "floor"), ("virtuoso", "floor"), ("rdflib-endpoint", "floor"),
             # what the isolation of each query in a worker process costs, and what the service
             # adds to it (bench/peers/worker_floor.py)
             ("worker-floor", "floor"), ("iacai", "worker-floor")]
    lines = [line for clients in (1, CONCURRENT) for server, baseline in pairs
             if (line := _ratio_line(scale, server, baseline, clients))]
    return ["Other throughput ratios:", "", *lines, ""] if lines else []


def _scaled_targets(scale: ScaleResults) -> list[str]:
    targets = SCALED_TARGETS.get(scale.factor, ())
    if not targets:
        return []
    lines = ["### Targets", "", *_targets_legend(scale), *_TARGETS_HEAD]
    for server, baseline, goal in targets:
        for clients in (1, CONCURRENT):
            label = (f"throughput vs {baseline} ({clients} client{'s' * (clients > 1)}, caches "
                     f"off): geometric mean of {server}/{baseline}")
            lines.append(_ratio_target(scale, label, server, baseline, clients, goal))
    return [*lines, ""]


def _scaled_summary(scale: ScaleResults) -> list[str]:
    lines = [line for server, baseline in (("iacai", "oxigraph"), ("iacai", "virtuoso"),
                                           ("iacai", "rdflib-endpoint"))
             for clients in (1, CONCURRENT)
             if (line := _ratio_line(scale, server, baseline, clients))]
    return [*lines, ""] if lines else []


def _agreement(scale: ScaleResults) -> list[str]:
    checked = scale.checked
    if not checked:
        return []
    lines = ["", "### Same answers?", "",
             f"Each server's answer to each of the {len(scale.queries)} queries, normalised, "
             "against the engine's own (pyoxigraph in-process): "
             + ", ".join(checked) + "."]
    if not scale.mismatches:
        return [*lines, "", "Every server gave the same rows for every query.", ""]
    lines += ["", "| server | query | what differs |", "| --- | --- | --- |"]
    lines += [f"| {m.server} | {m.query} | {m.detail.replace('|', '/')} |"
              for m in scale.mismatches]
    return [*lines, ""]


def _table(
    scale: ScaleResults, title: str, clients: int, show: Callable[[Measured], str]
) -> list[str]:
    servers = [s for s in scale.servers if any(c.clients == clients and c.server == s
                                               for c in scale.cells)]
    if not servers:
        return []
    lines = [f"### {title}", "", "| query | " + " | ".join(servers) + " |",
             "| --- |" + " ---: |" * len(servers)]
    for query in scale.queries:
        row = [_shown(scale.cell(server, query, clients), show) for server in servers]
        lines.append(f"| {query} | " + " | ".join(row) + " |")
    totals = [_shown_total(scale, server, clients) for server in servers]
    if title.startswith("Requests"):
        lines.append("| **geometric mean (repeated mix)** | " + " | ".join(totals) + " |")
    return [*lines, ""]


def _shown(cell: Measured | None, show: Callable[[Measured], str]) -> str:
    if cell is None:
        return "—"
    if not cell.ok:
        problems = {**{str(k): v for k, v in cell.statuses.items() if k not in (200, 304)},
                    **({"failed": len(cell.errors)} if cell.errors else {})}
        return "error " + ", ".join(f"{k} x{v}" for k, v in problems.items())
    return show(cell)


def _shown_total(scale: ScaleResults, server: str, clients: int) -> str:
    """The geometric mean over the repeated mix, as the targets (not the distinct workloads)."""
    cells = [cell for query in scale.repeated
             if (cell := scale.cell(server, query, clients)) is not None and cell.ok]
    return f"**{geometric_mean(c.requests_per_second for c in cells):,.0f}**" if cells else "—"


def _p50_p95(cell: Measured) -> str:
    return f"{_ms(cell.p50)} / {_ms(cell.p95)}"


def _cpu(scale: ScaleResults) -> list[str]:
    lines = ["### CPU each side used", "",
             f"All {scale.rounds} rounds together. Server CPU is the process and its children "
             "(query workers); the client is the load generator's own process; *idle peers* is "
             "the other servers of this scale meanwhile, running but not driven (their own "
             "timers and housekeeping, or work left from their last cell); *other* is the rest "
             "of the machine beyond all of these (2 cores shared with other work).", "",
             "| server | clients | requests | wall s | server CPU s | server CPU ms/request "
             "| client CPU s | client CPU / wall | idle peers CPU s | other CPU s |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for server in scale.servers:
        for clients in sorted({c.clients for c in scale.cells}):
            cells = [c for c in scale.cells if c.server == server and c.clients == clients]
            if not cells:
                continue
            requests = sum(c.requests for c in cells)
            wall = sum(c.wall_seconds for c in cells)
            server_cpu = sum(c.server_cpu_seconds for c in cells)
            client_cpu = sum(c.client_cpu_seconds for c in cells)
            idle = sum(c.idle_cpu_seconds for c in cells)
            other = sum(c.other_cpu_seconds for c in cells)
            per_request = server_cpu / requests * 1000 if requests else math.nan
            lines.append(f"| {server} | {clients} | {requests:,} | {wall:.1f} | {server_cpu:.1f} "
                         f"| {per_request:.2f} | {client_cpu:.1f} | {client_cpu / wall:.2f} "
                         f"| {idle:.1f} | {other:.1f} |")
    saturated = _saturated_cells(scale.cells)
    lines.append("")
    if saturated:
        lines.append(f"The load generator used over {CLIENT_SATURATED:.0%} of a core in "
                     f"{len(saturated)} cells (e.g. {saturated[0]}): there, the client may have "
                     "limited the throughput measured.")
    else:
        lines.append(f"The load generator stayed under {CLIENT_SATURATED:.0%} of a core in every "
                     "cell: it was not the limit.")
    return [*lines, ""]


def _saturated_cells(cells: Iterable[Cell]) -> list[str]:
    return [f"{c.server} {c.query}, {c.clients} clients" for c in cells
            if c.wall_seconds and c.client_cpu_seconds / c.wall_seconds > CLIENT_SATURATED]


def _where_time_goes(scale: ScaleResults) -> list[str]:
    if not scale.engine:
        return []
    has_floor = "floor" in scale.servers
    lines = ["### Where the time goes (1 client, p50, ms)", "",
             "*engine* is pyoxigraph in this process (query and serialization, no HTTP); "
             "*floor* is the bare FastAPI app; *rest* is what the service adds beyond both: "
             "protocol handling, negotiation, the hop to its query worker and back.", "",
             "| query | engine | " + ("floor | " if has_floor else "") + "iacai | rest |",
             "| --- | ---: |" + (" ---: |" if has_floor else "") + " ---: | ---: |"]
    floor_p50 = {q: c.p50 for q in scale.queries
                 if (c := scale.cell("floor", q, 1)) is not None and c.ok}
    rests = []
    for query in scale.queries:
        engine_p50 = percentile(scale.engine[query].latencies, 0.5)
        full = scale.cell("iacai", query, 1)
        full_p50 = full.p50 if full is not None and full.ok else math.nan
        rest = full_p50 - engine_p50 - floor_p50.get(query, 0.0)
        rests.append(rest)
        floor_cell = f"{_ms(floor_p50.get(query, math.nan))} | " if has_floor else ""
        lines.append(f"| {query} | {_ms(engine_p50)} | {floor_cell}{_ms(full_p50)} | {_ms(rest)} |")
    measured = [rest for rest in rests if not math.isnan(rest)]
    if measured:
        lines += ["", f"Median *rest*: {_ms(statistics.median(measured))} ms per request."]
    return [*lines, ""]


def _noise(results: RunResults) -> list[str]:
    cells = [cell for scale in results.scales for cell in scale.cells]
    if not cells:
        return []
    wall = sum(cell.wall_seconds for cell in cells)
    other = sum(cell.other_cpu_seconds for cell in cells)
    idle = sum(cell.idle_cpu_seconds for cell in cells)
    share = other / wall if wall else 0.0
    loads = ", ".join(f"{label}: {a:.2f}" for label, (a, _, _) in results.load_average)
    verdict = ("the run was noisy: other work took a noticeable share of the 2 cores, so treat "
               "small differences with care" if share > 0.25 else "the machine was quiet enough")
    return ["## Noise", "",
            f"While the measurements ran, the rest of the machine used {other:.1f} CPU seconds "
            f"in {wall:.1f} s of wall time ({share:.2f} cores on average): {verdict}. The "
            f"servers waiting idle beside the one driven used {idle:.1f} CPU seconds in all, "
            "counted apart from both.",
            f"Load average (1 min) {loads}.", ""]


def _key_values(values: dict[str, str]) -> list[str]:
    return [f"- {key}: {value}" for key, value in values.items()]


def _ms(seconds: float) -> str:
    return "—" if math.isnan(seconds) else f"{seconds * 1000:.2f}"
