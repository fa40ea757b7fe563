"""Dynamic management: the registry's history and its "as of" views, re-evaluation that
proposes changes of status, the procedure each proposal walks, relapse early warning, and
the life cycle of villages and counties."""
