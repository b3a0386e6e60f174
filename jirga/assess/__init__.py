"""Situation assessment: statistics, charts, the map, the situation report and the CSV export (docs/assessment.md).

Pure aggregation and rendering over what `jirga.store.stats` reads through the access filter."""
