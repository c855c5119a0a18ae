"""Engagement: what viewers do with videos and comments, recorded on the actor's side.

"No hot streams": a viral video takes thousands of likes and comments a second, so none of it is
appended to the video's stream. Each module is one aggregate:

- ``likes``: a video like, one stream per user and video (``like-<user>-<video>``).
- ``shares``: every share is an event on the sharer's stream (``shares-<user>``); nothing to decide
  from history, so no state and no concurrency check.
- ``comments``: one stream per comment (``comment-<id>``), threads one level deep.
- ``comment_likes``: a comment like, one stream per user and comment.

``visibility`` holds the rule they share: who may engage with a video at all. Importing this
package imports every module, so all engagement events are registered for decoding.
"""

from domain.engagement import comment_likes, comments, likes, shares

__all__ = ["comment_likes", "comments", "likes", "shares"]
