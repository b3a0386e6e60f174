"""Pure clue-verification rules, no SQL: does an event match an incident (`match`), what the reports agree on
(`consensus`, `intervals`), how credible each fact is (`grading`). `jirga.store` feeds them rows."""
