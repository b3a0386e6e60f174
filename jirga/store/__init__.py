"""Every SQL statement outside `jirga.db` and `jirga.access`: claim rows, writes, placement of events into
incidents, summaries, analysts' decisions, reads for the front ends, watchlists, withdrawals."""
