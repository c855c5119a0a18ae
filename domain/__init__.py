"""The pure core of Strom: events, state, deciders. Imports nothing outside the standard library."""
