/** What the comments sheet reads and sends (see /openapi.json: the comment routes). */

import { get, request } from "../api";
import type { Schemas } from "../schemas";

export type CommentItem = Schemas["CommentItem"];
export type CommentOrder = Schemas["CommentOrder"];
/** What posting a comment answers: a comment holding a watched word is taken but held. */
export type CommentCreated = Schemas["CommentCreated"];

/** The video a sheet is about: whose it is (the creator's badge, who may delete) and whether it takes comments. */
export type CommentTarget = Pick<Schemas["VideoDetails"], "video_id" | "owner_id" | "comments_allowed">;

/** CommentCreate.text: 1..1000 characters once trimmed. */
export const TEXT_MAX = 1000;
export const PAGE = 20;

export const commentsPage = (
  videoId: string,
  order: CommentOrder,
  cursor: string | null,
  signal?: AbortSignal,
): Promise<Schemas["CommentThreadPage"]> =>
  get(`/v1/videos/${videoId}/comments`, { order, limit: PAGE, cursor }, signal);

export const repliesPage = (commentId: string, cursor: string | null, signal?: AbortSignal): Promise<Schemas["CommentThreadPage"]> =>
  get(`/v1/comments/${commentId}/replies`, { limit: PAGE, cursor }, signal);

/** The video's counts, once they include `position` when one is given (read-your-writes). */
export const videoStats = (videoId: string, position: number | undefined, signal?: AbortSignal): Promise<Schemas["VideoStats"]> =>
  get(`/v1/videos/${videoId}/stats`, position ? { min_position: position } : undefined, signal);

export const likeComment = (commentId: string, on: boolean): Promise<Schemas["CommentLikeResult"]> =>
  request(on ? "PUT" : "DELETE", `/v1/comments/${commentId}/like`);

export const deleteComment = (commentId: string): Promise<Schemas["CommentResult"]> =>
  request("DELETE", `/v1/comments/${commentId}`);

export function postComment(videoId: string, text: string, parentId: string | null): Promise<CommentCreated> {
  const body: Schemas["CommentCreate"] = parentId ? { text, parent_id: parentId } : { text };
  return request("POST", `/v1/videos/${videoId}/comments`, { body });
}
