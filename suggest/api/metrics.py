"""Prometheus metrics of one app, in a registry of its own (so two apps in one process, as in
the tests, never share or clash)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from suggest.engine import SuggestResult

# Suggest requests take milliseconds with a warm model; the tail buckets catch a busy CPU.
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "suggest_http_requests",
            "HTTP requests answered, by endpoint and status.",
            ["method", "endpoint", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "suggest_http_request_duration_seconds",
            "Time from request to complete response, by endpoint.",
            ["method", "endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.dropped = Counter(
            "suggest_suggestions_dropped",
            "Candidate replies the rule filter refused, by platform and rule.",
            ["platform", "rule"],
            registry=self.registry,
        )
        self.feedback = Counter(
            "suggest_feedback",
            "Feedback received from agents, by outcome.",
            ["outcome"],
            registry=self.registry,
        )
        self.auto_replies = Counter(
            "suggest_auto_replies",
            "Off-hours auto-reply decisions, by reason and whether a reply was sent.",
            ["reason", "sent"],
            registry=self.registry,
        )
        self.reloads = Counter(
            "suggest_reloads",
            "Knowledge reloads, by result.",
            ["result"],
            registry=self.registry,
        )

    def observe_request(self, method: str, endpoint: str, status: int, seconds: float) -> None:
        self.requests.labels(method, endpoint, str(status)).inc()
        self.latency.labels(method, endpoint).observe(seconds)

    def observe_suggestions(self, result: SuggestResult) -> None:
        for dropped in result.dropped:
            for rule in dropped.rules or ("unknown",):
                self.dropped.labels(result.platform, rule).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
