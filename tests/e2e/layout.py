"""What the browser tests measure of what is drawn: boxes as laid out, the part of a video that shows
its picture, whether an element is cut off by an ancestor, and the contrast of text on its shade.

Values are read from the page as it is rendered (``getBoundingClientRect``, computed styles), never
from the attributes a script set: a bar whose ``aria-valuenow`` says 40 but draws nothing is broken.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from playwright.sync_api import Locator


@dataclasses.dataclass(frozen=True, slots=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    @classmethod
    def of(cls, found: dict[str, Any]) -> Box:
        return cls(found["left"], found["top"], found["right"], found["bottom"])

    @property
    def width(self) -> float:
        return self.right - self.left

    def contains(self, other: Box, slack: float = 0.5) -> bool:
        return (
            other.left >= self.left - slack
            and other.top >= self.top - slack
            and other.right <= self.right + slack
            and other.bottom <= self.bottom + slack
        )

    def overlaps(self, other: Box) -> bool:
        return (
            self.left < other.right
            and other.left < self.right
            and self.top < other.bottom
            and other.top < self.bottom
        )


def box(locator: Locator) -> Box:
    """The element's border box as drawn (transforms included)."""
    return Box.of(locator.evaluate("e => e.getBoundingClientRect().toJSON()"))


#: The part of a ``<video>``'s box its picture covers, after ``object-fit`` (contain or cover).
PICTURE = """v => {
    const b = v.getBoundingClientRect();
    if (!v.videoWidth || !v.videoHeight) return null;
    const fit = getComputedStyle(v).objectFit;
    const sx = b.width / v.videoWidth, sy = b.height / v.videoHeight;
    const scale = fit === 'cover' ? Math.max(sx, sy) : fit === 'fill' ? null : Math.min(sx, sy);
    const w = scale === null ? b.width : v.videoWidth * scale;
    const h = scale === null ? b.height : v.videoHeight * scale;
    const left = b.left + (b.width - w) / 2, top = b.top + (b.height - h) / 2;
    return {left: Math.max(left, b.left), top: Math.max(top, b.top),
            right: Math.min(left + w, b.right), bottom: Math.min(top + h, b.bottom)};
}"""


def picture(video: Locator) -> Box:
    found = video.evaluate(PICTURE)
    assert found is not None, "the video has no picture yet (no metadata)"
    return Box.of(found)


#: Whether an ancestor that clips (overflow other than visible) cuts any of the element off.
CLIPPED = """e => {
    const r = e.getBoundingClientRect();
    for (let a = e.parentElement; a; a = a.parentElement) {
        const s = getComputedStyle(a);
        if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
        const c = a.getBoundingClientRect();
        const out = r.left < c.left - 0.5 || r.right > c.right + 0.5
            || r.top < c.top - 0.5 || r.bottom > c.bottom + 0.5;
        if (out) return a.className || a.tagName;
    }
    return null;
}"""


def clipped_by(locator: Locator) -> str | None:
    """The class (or tag) of the first ancestor that cuts the element off, or None."""
    found: str | None = locator.evaluate(CLIPPED)
    return found


#: WCAG contrast of an element's text on its own background, laid over white: the brightest video
#: frame there is. Colours with alpha are composited the way the browser draws them.
CONTRAST_OVER_WHITE = """e => {
    const rgba = (text) => {
        const n = text.match(/[\\d.]+/g).map(Number);
        return [n[0], n[1], n[2], n.length > 3 ? n[3] : 1];
    };
    const over = ([r, g, b, a], [R, G, B]) => [r * a + R * (1 - a), g * a + G * (1 - a), b * a + B * (1 - a)];
    const s = getComputedStyle(e);
    const shade = over(rgba(s.backgroundColor), [255, 255, 255]);
    const ink = over(rgba(s.color), shade);
    const lum = (c) => {
        const linear = (v) => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        const [r, g, b] = c.map(linear);
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const [hi, lo] = [lum(shade), lum(ink)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
}"""


def contrast_over_white(locator: Locator) -> float:
    ratio: float = locator.evaluate(CONTRAST_OVER_WHITE)
    return ratio
