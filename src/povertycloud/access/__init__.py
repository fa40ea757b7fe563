"""Who may do what: accounts and roles with their permissions and jurisdictions, sessions,
the masking of sensitive values, and the audit log of every read of them."""
