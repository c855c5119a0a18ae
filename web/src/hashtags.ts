/**
 * User-written text (captions, comments, replies) with each #hashtag drawn as a link to its page
 * (`/tag/<tag>`), the rest as plain text. A hashtag is what the server files a video under
 * (`valid_hashtags` in domain/videos/rules.py): a `#` that follows no letter, digit, `_`, `&` or `#`,
 * then 1 to 50 of A-Z, a-z, 0-9 and `_`, followed by no other letter, digit, `_` or `#` (so `#café`
 * and `&#38;` are text), lower-cased as the hashtag page asks for it. Built from text nodes and
 * elements, never parsed as markup: the text is whatever someone typed.
 */

import { h } from "./dom";

const HASHTAG = /(?<![\p{L}\p{N}_&#])#([A-Za-z0-9_]{1,50})(?![\p{L}\p{N}_#])/gu;
const BARE_TAG = /^[A-Za-z0-9_]{1,50}$/;

/** A stretch of plain text, or a hashtag: `tag` lower-cased for its page, `written` as typed. */
export type TagPiece = { text: string } | { tag: string; written: string };

/**
 * `text[from:to]` cut into plain stretches and hashtags, in order; nothing is dropped. Whether a `#`
 * starts a hashtag depends on the characters around it, so a caller that cuts the text first (by
 * mentions, say) passes the whole text and the stretch it wants.
 */
export function hashtagPieces(text: string, from = 0, to = text.length): TagPiece[] {
  const pieces: TagPiece[] = [];
  let shown = from;
  for (const match of text.matchAll(HASHTAG)) {
    const start = match.index ?? 0;
    const end = start + match[0].length;
    if (start < from || end > to) continue;
    if (start > shown) pieces.push({ text: text.slice(shown, start) });
    const written = match[1] ?? "";
    pieces.push({ tag: written.toLowerCase(), written: match[0] });
    shown = end;
  }
  if (shown < to) pieces.push({ text: text.slice(shown, to) });
  return pieces;
}

/** A caption's pieces, then each of the video's hashtags the caption does not name (the uploader
 * may give tags apart from the caption), after a space. */
export function captionPieces(caption: string, hashtags: readonly string[]): TagPiece[] {
  const pieces = hashtagPieces(caption);
  const named = new Set(pieces.flatMap((p) => ("tag" in p ? [p.tag] : [])));
  for (const given of hashtags) {
    const tag = given.toLowerCase();
    if (named.has(tag) || !BARE_TAG.test(tag)) continue;
    named.add(tag);
    pieces.push({ text: " " }, { tag, written: `#${given}` });
  }
  return pieces;
}

/** `/tag/<tag>` for a well-formed hashtag (with or without its '#'), else null: `#café` is just text. */
export function tagHref(tag: string): string | null {
  const bare = tag.startsWith("#") ? tag.slice(1) : tag;
  return BARE_TAG.test(bare) ? `/tag/${bare.toLowerCase()}` : null;
}

/** The pieces as nodes to append: text, and a link for each hashtag. */
export function piecesToNodes(pieces: readonly TagPiece[]): (Node | string)[] {
  return pieces.map((piece) =>
    "tag" in piece ? h("a", { class: "hashtag", href: `/tag/${piece.tag}` }, piece.written) : piece.text,
  );
}

/** Text with its hashtags as links. */
export function withHashtags(text: string): (Node | string)[] {
  return piecesToNodes(hashtagPieces(text));
}

/** A caption with its hashtags as links, then the video's other hashtags. */
export function captionNodes(caption: string | null | undefined, hashtags: readonly string[]): (Node | string)[] {
  return piecesToNodes(captionPieces(caption ?? "", hashtags));
}
