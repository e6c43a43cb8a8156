"""Benchmark-only settings: the product's, with bench/hello_urls.py as the URLconf (adds /bench/hello/)."""

from newsroom.settings import *  # noqa: F403

ROOT_URLCONF = "bench.hello_urls"
