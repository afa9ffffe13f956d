import time
from concurrent.futures import ThreadPoolExecutor

from core.rate_limits import rate_limit_hit


def test_the_limit_counts_per_key_and_the_window_ends():
    hits = [rate_limit_hit(scope="t", key="a@example.test|203.0.113.1", limit=2, window_seconds=1) for _ in range(3)]
    assert hits == [False, False, True]
    assert rate_limit_hit(scope="t", key="a@example.test|203.0.113.2", limit=2, window_seconds=1) is False
    time.sleep(1.2)  # a real wait: Redis expires keys on its own clock
    assert rate_limit_hit(scope="t", key="a@example.test|203.0.113.1", limit=2, window_seconds=1) is False


def test_parallel_attempts_cannot_all_pass_under_the_limit():
    def attempt(_):
        return rate_limit_hit(scope="parallel", key="b@example.test|203.0.113.1", limit=5, window_seconds=60)

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(attempt, range(40)))
    assert results.count(False) == 5
