"""Funds: programmes and their rules, a double-entry append-only ledger chained by hashes,
payment lists checked before they are booked, bank returns reconciled. See docs/funds.md."""
