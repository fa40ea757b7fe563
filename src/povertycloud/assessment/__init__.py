"""Assessment (考核评估): a county's third-party assessment — the sampling frame and
design, the draw, the assessors' questionnaire and returns — and the rates (三率一度)
estimated from it with their intervals, which the exit criteria of villages and
counties use. See docs/assessment.md."""
