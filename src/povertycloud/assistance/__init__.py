"""Assistance: help plans per household, projects, officers and their visits, the
allocation of a budget, sales of poor households' products and help from society."""
