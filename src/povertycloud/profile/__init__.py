"""The household profile: the quantities derived from the registry and the survey (net
income, per-capita figures, members' conditions), defined once and read by the pipeline,
identification, re-evaluation and the timeline; and the small language in which rules
state conditions over it, compiled to SQL."""
