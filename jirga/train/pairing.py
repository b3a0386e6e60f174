"""Pairing gold items with coded ones so that the pairing as a whole is best: an optimal assignment.

A greedy pairing can hand a country-level gold attack the coded item a city-level one needed and leave the second
unmatched; the optimal one cannot. Sizes are a few dozen items per report, so the O(n³) Hungarian method (shortest
augmenting paths with row and column potentials) is plenty.
"""

from __future__ import annotations


def best_pairing(gains: list[list[int]]) -> list[int | None]:
    """For each row, the column it is paired with, maximising the total gain; None where a row gets no column.
    A gain of 0 or less forbids the pair."""
    rows = len(gains)
    cols = len(gains[0]) if rows else 0
    if not rows or not cols:
        return [None] * rows
    size = max(rows, cols)
    ceiling = max(max(row) for row in gains)

    def cost(r: int, c: int) -> int:  # padding and forbidden pairs cost the most, so they are taken last
        gain = gains[r][c] if r < rows and c < cols else 0
        return ceiling - max(gain, 0)

    # Rows and columns are numbered from 1; column 0 is a virtual start. owner[c]: the row holding column c.
    row_potential = [0] * (size + 1)
    col_potential = [0] * (size + 1)
    owner = [0] * (size + 1)
    for row in range(1, size + 1):
        owner[0] = row
        reached_from = [0] * (size + 1)
        distance = [float("inf")] * (size + 1)
        done = [False] * (size + 1)
        column = 0
        while owner[column] != 0:
            done[column] = True
            current_row = owner[column]
            step, next_column = float("inf"), 0
            for c in range(1, size + 1):
                if done[c]:
                    continue
                reduced = cost(current_row - 1, c - 1) - row_potential[current_row] - col_potential[c]
                if reduced < distance[c]:
                    distance[c], reached_from[c] = reduced, column
                if distance[c] < step:
                    step, next_column = distance[c], c
            for c in range(size + 1):
                if done[c]:
                    row_potential[owner[c]] += step
                    col_potential[c] -= step
                else:
                    distance[c] -= step
            column = next_column
        while column:  # flip the augmenting path back to the start
            previous = reached_from[column]
            owner[column] = owner[previous]
            column = previous
    pairing: list[int | None] = [None] * rows
    for c in range(1, size + 1):
        r = owner[c] - 1
        if 0 <= r < rows and c - 1 < cols and gains[r][c - 1] > 0:
            pairing[r] = c - 1
    return pairing
