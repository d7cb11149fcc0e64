"""`make bench`: throughput and latency of the case API on PostgreSQL (see docs/benchmarks.md)."""
