"""The video aggregate (stream ``video-<id>``), split by who acts on it:

- ``pipeline``: the owner creates a draft and uploads; the media pipeline (``PIPELINE``) rejects an
  upload that is no playable video, and reports processing, in order: draft → uploaded → processing
  → processed or failed (then retried or uploaded again).
- ``owner``: the owner publishes (only once processing succeeded), edits, unpublishes, deletes, and
  pins a comment.
- ``moderation``: a moderator hides or restores it.

``events``, ``commands`` and ``state`` hold what they share; ``rules`` what valid input looks like.
A deleted video accepts nothing. ``access(state)`` is what engagement deciders elsewhere need.
"""

from domain.videos.commands import (
    CompleteProcessing,
    CompleteUpload,
    CreateDraft,
    DeleteVideo,
    EditVideo,
    FailProcessing,
    HideVideo,
    PinComment,
    PublishVideo,
    RejectUpload,
    ReportProcessingProgress,
    RestoreVideo,
    StartProcessing,
    UnpinComment,
    UnpublishVideo,
)
from domain.videos.events import (
    CommentPinned,
    CommentUnpinned,
    Event,
    VideoDeleted,
    VideoDraftCreated,
    VideoEdited,
    VideoHidden,
    VideoProcessingFailed,
    VideoProcessingProgressed,
    VideoProcessingStarted,
    VideoProcessingSucceeded,
    VideoPublished,
    VideoRestored,
    VideoUnpublished,
    VideoUploadCompleted,
    VideoUploadRejected,
)
from domain.videos.moderation import decide_hide_video, decide_restore_video
from domain.videos.owner import (
    decide_delete_video,
    decide_edit_video,
    decide_pin_comment,
    decide_publish_video,
    decide_unpin_comment,
    decide_unpublish_video,
)
from domain.videos.pipeline import (
    decide_complete_processing,
    decide_complete_upload,
    decide_create_draft,
    decide_fail_processing,
    decide_reject_upload,
    decide_report_processing_progress,
    decide_start_processing,
    ensure_can_upload,
)
from domain.videos.rules import PIPELINE
from domain.videos.state import Stage, State, access, awaits_processing, evolve, initial

__all__ = [
    "PIPELINE",
    "CommentPinned",
    "CommentUnpinned",
    "CompleteProcessing",
    "CompleteUpload",
    "CreateDraft",
    "DeleteVideo",
    "EditVideo",
    "Event",
    "FailProcessing",
    "HideVideo",
    "PinComment",
    "PublishVideo",
    "RejectUpload",
    "ReportProcessingProgress",
    "RestoreVideo",
    "Stage",
    "StartProcessing",
    "State",
    "UnpinComment",
    "UnpublishVideo",
    "VideoDeleted",
    "VideoDraftCreated",
    "VideoEdited",
    "VideoHidden",
    "VideoProcessingFailed",
    "VideoProcessingProgressed",
    "VideoProcessingStarted",
    "VideoProcessingSucceeded",
    "VideoPublished",
    "VideoRestored",
    "VideoUnpublished",
    "VideoUploadCompleted",
    "VideoUploadRejected",
    "access",
    "awaits_processing",
    "decide_complete_processing",
    "decide_complete_upload",
    "decide_create_draft",
    "decide_delete_video",
    "decide_edit_video",
    "decide_fail_processing",
    "decide_hide_video",
    "decide_pin_comment",
    "decide_publish_video",
    "decide_reject_upload",
    "decide_report_processing_progress",
    "decide_restore_video",
    "decide_start_processing",
    "decide_unpin_comment",
    "decide_unpublish_video",
    "ensure_can_upload",
    "evolve",
    "initial",
]
