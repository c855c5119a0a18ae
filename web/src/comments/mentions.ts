/**
 * A comment's text with each "@handle" drawn as a link to that person's page (`/@handle`) and each
 * #hashtag as a link to its page (see ../hashtags.ts), the rest as plain text. The mentions are the
 * runs the server tells of (`domain/mentions.py`): a handle's letters, digits, `_` and `.`, 3 to 24
 * of them, after an `@` that follows no letter, digit, `.` or `@` (so an email address names nobody),
 * without the dots that end a sentence. Built from text nodes and elements, never parsed as markup,
 * so a comment can only ever be text and links to profiles and hashtags.
 */

import { h } from "../dom";
import { hashtagPieces, piecesToNodes, type TagPiece } from "../hashtags";

const MENTION = /(?<![\p{L}\p{M}\p{N}_.@])@([A-Za-z0-9_][A-Za-z0-9_.]*)/gu;
const HANDLE_MIN = 3;
const HANDLE_MAX = 24;

/** A stretch of plain text, or a mention (the handle as written, without its `@`). */
export type Piece = { text: string } | { handle: string };

/** The text cut into plain stretches and mentions, in order; nothing is dropped but the `@`s. */
export function mentionPieces(text: string): Piece[] {
  const pieces: Piece[] = [];
  let shown = 0;
  for (const match of text.matchAll(MENTION)) {
    const handle = (match[1] ?? "").replace(/\.+$/, "");
    if (handle.length < HANDLE_MIN || handle.length > HANDLE_MAX) continue;
    const start = match.index ?? 0;
    if (start > shown) pieces.push({ text: text.slice(shown, start) });
    pieces.push({ handle });
    shown = start + 1 + handle.length;
  }
  if (shown < text.length) pieces.push({ text: text.slice(shown) });
  return pieces;
}

/** The text cut into mentions, hashtags and the plain stretches between them, in order. A mention
 * holds no `#` and a hashtag no `@`, so the two never overlap; hashtags are found in the whole text,
 * as the server finds them, and kept where they fall between mentions. */
export function commentPieces(text: string): (Piece | TagPiece)[] {
  const pieces: (Piece | TagPiece)[] = [];
  let at = 0;
  for (const piece of mentionPieces(text)) {
    if ("handle" in piece) {
      pieces.push(piece);
      at += 1 + piece.handle.length;
    } else {
      pieces.push(...hashtagPieces(text, at, at + piece.text.length));
      at += piece.text.length;
    }
  }
  return pieces;
}

/** The text as nodes to append: strings, a link for each mention and one for each hashtag. */
export function withLinks(text: string): (Node | string)[] {
  return commentPieces(text).flatMap((piece) =>
    "handle" in piece
      ? [h("a", { class: "mention", href: `/@${encodeURIComponent(piece.handle)}` }, `@${piece.handle}`)]
      : piecesToNodes([piece]),
  );
}
