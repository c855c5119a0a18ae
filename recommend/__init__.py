"""Recommendations for the For You feed: candidate sources, an online-learned ranking model,
exploration for new videos, and the rules a served page obeys. Pure: it sees domain events and
plain values, never a store; projections and the API hand it what it needs."""
