"""Orchestration over the layers below: reading, extracting and storing reports in a worker pool
(`ingest`, `pool`) and measuring clustering against gold (`evaluate`)."""
