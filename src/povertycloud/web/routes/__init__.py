"""The routes, one module per noun: each holds that noun's JSON endpoints under /api
(``api``, in the OpenAPI schema) and its pages (``pages``). No two routes can match one
URL, so the order they are included in does not matter (tests/web/test_routes.py)."""

from fastapi import APIRouter

from . import (
    assessments,
    audit,
    batches,
    complaints,
    deliveries,
    flags,
    funds,
    households,
    jobs,
    market,
    monitoring,
    officers,
    plans,
    portal,
    projects,
    proposals,
    regions,
    reviews,
    search,
    sessions,
    users,
)

NOUNS = (sessions, regions, households, search, complaints, flags, proposals, monitoring,
         users, audit, portal, batches, reviews, deliveries, jobs, funds, officers,
         projects, market, plans, assessments)
ROUTERS: tuple[APIRouter, ...] = tuple(r for noun in NOUNS for r in (noun.api, noun.pages))
