"""Moderation (DESIGN.md §13), the pure part: cases, actions, standing, appeals, trust.

- ``rules``: who may act on whom (moderators on users, admins also on moderators, nobody on
  themselves), the kinds of action and which undoes which, valid reasons and durations.
- ``cases``: one case per reported target (``case-<kind>-<id>``): opened by reports, assigned,
  escalated, resolved with an action or dismissed.
- ``content``: actions on videos (remove, restore, label) and comments (remove, restore), decided
  on their own streams.
- ``standing``, ``sanctions``: a person's stream (``standing-<user>``) of restrictions, strikes and
  suspensions, and the notices of what was done to their content.
- ``appeals``: the person contests an action once; another moderator decides.
- ``policy``, ``trust``: when strikes suspend; how much a report weighs and a case's priority.
- ``friction``: how many uploads, comments, follows and reports a person may make a day, by
  account age and strikes in force.
"""
