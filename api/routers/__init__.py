"""One router per resource; the app factory mounts them in this order."""

from __future__ import annotations

from fastapi import APIRouter

from api.routers import accounts, activity, audit, engagement, health, reports, social, videos

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    accounts.router,
    videos.router,
    social.router,
    engagement.router,
    activity.router,
    reports.router,
    audit.router,
)
