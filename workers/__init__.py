"""Background jobs on dramatiq: transcoding now; recommendation updates and moderation checks later.

Jobs are started by process managers reacting to events, and report back through commands.
"""
